package aws

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"
)

// Config says how to reach EC2 and how hard to push it.
type Config struct {
	// Endpoint is the base URL of an EC2-compatible endpoint (a sandbox or
	// the emulator); empty means AWS itself.
	Endpoint string
	// AccessKey and SecretKey are static credentials when both are set; else
	// the SDK's default chain (environment, shared config, web identity,
	// instance role) is used, with Profile when set.
	AccessKey string
	SecretKey string
	Profile   string

	// RequestsPerSecond and Burst pace this driver's describes per region
	// with a client-side token bucket (defaults 15 and 30); mutating calls
	// have their own bucket, MutatingRequestsPerSecond and MutatingBurst
	// (defaults 4 and 40, never faster than RequestsPerSecond). EC2
	// throttles per account and region with one bucket per API class:
	// describes refill at 20/s (bucket 100), mutating calls at about 5/s
	// (bucket 50). Staying under both refills leaves room for other tools
	// using the account; one shared bucket would make waiter polls delay
	// creates. The SDK retryer absorbs the rest.
	RequestsPerSecond         float64
	Burst                     int
	MutatingRequestsPerSecond float64
	MutatingBurst             int

	// MaxAttempts is the SDK standard retryer's attempts per call (default
	// 8); MaxBackoff its longest delay between attempts (default 20s).
	MaxAttempts int
	MaxBackoff  time.Duration

	// PollInterval is the waiters' first delay between polls (default 1s:
	// most objects are ready within seconds); delays grow to 4× this or
	// 15s, the SDK waiters' own first delay, whichever is more.
	PollInterval time.Duration

	// HTTPClient replaces the SDK's HTTP client (tests). The SDK refuses a
	// plain *http.Client when a custom CA bundle is configured
	// (AWS_CA_BUNDLE, ca_bundle): leave it nil there.
	HTTPClient *http.Client
}

// Defaults.
const (
	defaultRequestsPerSecond = 15
	defaultBurst             = 30
	defaultMutatingRate      = 4
	defaultMutatingBurst     = 40
	defaultMaxAttempts       = 8
	defaultMaxBackoff        = 20 * time.Second
	defaultPollInterval      = time.Second
)

// withDefaults fills unset fields and reports what cannot work. The error
// is kept by New and returned on first use, naming the site.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = defaultRequestsPerSecond
	}
	if c.Burst == 0 {
		c.Burst = defaultBurst
	}
	if c.MutatingRequestsPerSecond == 0 {
		c.MutatingRequestsPerSecond = min(defaultMutatingRate, c.RequestsPerSecond)
	}
	if c.MutatingBurst == 0 {
		c.MutatingBurst = defaultMutatingBurst
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = defaultMaxBackoff
	}
	if c.PollInterval == 0 {
		c.PollInterval = defaultPollInterval
	}
	if c.RequestsPerSecond < 0 || math.IsNaN(c.RequestsPerSecond) || math.IsInf(c.RequestsPerSecond, 0) {
		errs = append(errs, fmt.Errorf("requests per second must be a positive number, not %v", c.RequestsPerSecond))
	}
	if c.MutatingRequestsPerSecond < 0 || math.IsNaN(c.MutatingRequestsPerSecond) || math.IsInf(c.MutatingRequestsPerSecond, 0) {
		errs = append(errs, fmt.Errorf("mutating requests per second must be a positive number, not %v", c.MutatingRequestsPerSecond))
	}
	if c.Burst < 0 || c.MutatingBurst < 0 {
		errs = append(errs, fmt.Errorf("bursts must be positive, not %d and %d", c.Burst, c.MutatingBurst))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max attempts must be positive, not %d", c.MaxAttempts))
	}
	if c.MaxBackoff < 0 || c.PollInterval < 0 {
		errs = append(errs, errors.New("max backoff and poll interval must be positive durations"))
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		errs = append(errs, errors.New("set both the AWS access key and secret key, or neither to use the default credential chain"))
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("the EC2 endpoint %q is not an absolute URL", c.Endpoint))
		}
	}
	return c, errors.Join(errs...)
}
