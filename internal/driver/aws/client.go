package aws

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver/groupcommit"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Driver converges the AWS sites of one mesh.
type Driver struct {
	mesh    *topology.Mesh
	cfg     Config
	initErr error

	mu      sync.Mutex
	base    *awssdk.Config // loaded once, on first use
	clients map[string]*ec2.Client

	// cgws group-commits the creates of customer gateway objects that are
	// one EC2 gateway (see customer_gateway_batch.go). Its commits serve
	// several callers, so none of their contexts may cancel them: they run
	// under the driver's own, which Close (cancel) ends.
	cgws   *groupcommit.Queue[cgwIdentity, *cgwClaim]
	reads  idReaders
	cancel context.CancelFunc
}

var (
	_ driver.Driver   = (*Driver)(nil)
	_ driver.Parallel = (*Driver)(nil)
	_ io.Closer       = (*Driver)(nil)
)

// New makes a driver for mesh's AWS sites. It makes no call: problems with
// cfg or credentials surface on first use, naming the site, so a plan never
// needs AWS access.
func New(mesh *topology.Mesh, cfg Config) *Driver {
	c, err := cfg.withDefaults()
	bg, cancel := context.WithCancel(context.Background())
	d := &Driver{mesh: mesh, cfg: c, initErr: err, clients: map[string]*ec2.Client{}, cancel: cancel}
	d.cgws = groupcommit.New(bg, d.commitCustomerGateways)
	// Batched waits poll without pauses of their own: the spacing paces
	// them, so it may not be zero.
	d.reads = newIDReaders(bg, max(c.PollInterval, 10*time.Millisecond))
	return d
}

// Close stops the customer gateway commits still running, whose callers
// have all given up by now (an apply's end), rather than let them poll EC2
// for up to their timeout. Customer gateway creates fail afterwards.
func (d *Driver) Close() error {
	d.cancel()
	return nil
}

// site is what the driver needs of a site to act on it.
type site struct {
	name, region string
	ec2          *ec2.Client
}

// site resolves a site of the mesh and its region's client.
func (d *Driver) site(ctx context.Context, name string) (*site, error) {
	s, ok := d.mesh.Site(name)
	if !ok || s.Cloud != topology.AWS {
		return nil, fmt.Errorf("site %q is not an AWS site of mesh %q", name, d.mesh.Name)
	}
	if s.Region == "" {
		return nil, fmt.Errorf("site %q has no region", name)
	}
	c, err := d.client(ctx, s.Region)
	if err != nil {
		return nil, fmt.Errorf("site %q (%s): %w", name, s.Region, err)
	}
	return &site{name: name, region: s.Region, ec2: c}, nil
}

// client returns the region's EC2 client, built on first use.
func (d *Driver) client(ctx context.Context, region string) (*ec2.Client, error) {
	if d.initErr != nil {
		return nil, fmt.Errorf("AWS configuration: %w", d.initErr)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.clients[region]; c != nil {
		return c, nil
	}
	if d.base == nil {
		b, err := d.loadBase(ctx)
		if err != nil {
			return nil, err
		}
		d.base = &b
	}
	cfg := d.base.Copy()
	cfg.Region = region
	limiters := pacer{
		reads:     rate.NewLimiter(rate.Limit(d.cfg.RequestsPerSecond), d.cfg.Burst),
		mutations: rate.NewLimiter(rate.Limit(d.cfg.MutatingRequestsPerSecond), d.cfg.MutatingBurst),
	}
	c := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		if d.cfg.Endpoint != "" {
			o.BaseEndpoint = awssdk.String(d.cfg.Endpoint)
		}
		o.Retryer = d.standardRetryer()
		// AWS_MAX_ATTEMPTS or max_attempts in shared config would wrap the
		// retryer again; the provider's setting is the one that counts.
		o.RetryMaxAttempts = 0
		o.APIOptions = append(o.APIOptions, pace(limiters))
	})
	d.clients[region] = c
	return c, nil
}

// loadBase reads the shared configuration (local files only: credentials
// are resolved lazily, on the first call).
func (d *Driver) loadBase(ctx context.Context) (awssdk.Config, error) {
	// The SDK's own log lines (connection-reuse warnings when a canceled
	// call's body is cut) would go to the provider's stderr; the driver
	// reports through its errors instead, as the GCP driver does.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if d.cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(d.cfg.Profile))
	}
	if d.cfg.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(d.cfg.AccessKey, d.cfg.SecretKey, "")))
	}
	if d.cfg.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(d.cfg.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return awssdk.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return cfg, nil
}

// standardRetryer retries what the SDK deems transient. Its client-side
// retry quota is off: the quota exists to stop a client from hammering a
// failing service, but a throttling burst would drain it and turn into
// "retry quota exceeded" failures for the user mid-apply; the pacing token
// bucket (pace) already bounds what this driver sends.
func (d *Driver) standardRetryer() awssdk.RetryerV2 {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = d.cfg.MaxAttempts
		o.MaxBackoff = d.cfg.MaxBackoff
		o.RateLimiter = ratelimit.None
	})
}

// createRetryer is the retryer of calls that create an object without a
// client token: it re-sends only requests known not to have been applied.
type createRetryer struct{ awssdk.RetryerV2 }

func (r createRetryer) IsErrorRetryable(err error) bool { return notApplied(err) }

// forCreate makes a call use createRetryer.
func (d *Driver) forCreate(o *ec2.Options) {
	o.Retryer = createRetryer{d.standardRetryer()}
}

// pace adds the region's token buckets to a call's stack after the retry
// middleware, so that every attempt (retries and waiter polls included)
// takes a token before it is signed and sent.
func pace(p pacer) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Finalize.Insert(p, "Retry", middleware.After)
	}
}

// pacer holds a region's two buckets, as EC2 has: describes and mutating
// calls are throttled apart.
type pacer struct{ reads, mutations *rate.Limiter }

func (pacer) ID() string { return "CrosslinkPacer" }

// limiter picks the bucket of the call's operation.
func (p pacer) limiter(ctx context.Context) *rate.Limiter {
	if mutating(middleware.GetOperationName(ctx)) {
		return p.mutations
	}
	return p.reads
}

// mutating reports whether an EC2 action changes something: EC2 names
// every read Describe… or Get….
func mutating(op string) bool {
	return !strings.HasPrefix(op, "Describe") && !strings.HasPrefix(op, "Get")
}

func (p pacer) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	if err := p.limiter(ctx).Wait(ctx); err != nil {
		if ctx.Err() == nil {
			// The limiter refuses at once a wait that would outlast the
			// deadline; say so in the context's terms.
			err = context.DeadlineExceeded
		}
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the EC2 request pace: %w", err)
	}
	return next.HandleFinalize(ctx, in)
}

// Parallelism is how many actions the engine may run through this driver
// at once. Most of an action's time is waiting (for a state, for the
// region's pacer), and the pacer, not the engine, keeps the calls under
// EC2's limits, so a small bound would only queue actions behind waits.
func (d *Driver) Parallelism() int { return parallelism }

const parallelism = 256
