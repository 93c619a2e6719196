package gcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Config says where and as whom the driver talks to GCP.
type Config struct {
	// Endpoint is the base URL of the Compute API ("http://127.0.0.1:port"
	// for the emulator); empty means Google's.
	Endpoint string
	// Project is the default project; a site whose network_id is
	// "projects/P/global/networks/N" uses P instead.
	Project string
	// AccessToken is a static OAuth2 token, used when set.
	AccessToken string
	// CredentialsJSON is a service account (or other ADC) JSON document,
	// used when set and AccessToken is not. With neither, Application
	// Default Credentials are used against Google, and none against a
	// custom Endpoint.
	CredentialsJSON string
	// RequestsPerSecond paces calls per project and quota group (with a
	// burst of burstSeconds of calls): operation reads (get, wait), other
	// reads (get, list, aggregatedList, getRouterStatus) and mutations.
	// Default 20: with the burst, at most 1,400 calls in any minute, under
	// Compute's 1,500 a minute per group.
	RequestsPerSecond float64
	// PollInterval paces the rare re-polls: an operation that cannot be
	// waited on (its selfLink names no project) is polled from
	// PollInterval/4 up to PollInterval×10, and a wait that answers
	// "not done" sooner than PollInterval is retried after PollInterval/4.
	// Default 1s.
	PollInterval time.Duration
	// HTTPClient, when set, carries the requests (tests).
	HTTPClient *http.Client
}

// String shows the configuration without its credentials, so printing a
// Config (%v, %+v) cannot leak them.
func (c Config) String() string {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("gcp.Config{Endpoint: %q, Project: %q, AccessToken: %s, CredentialsJSON: %s, RequestsPerSecond: %g per quota group, PollInterval: %v}",
		c.Endpoint, c.Project, set(c.AccessToken), set(c.CredentialsJSON), c.RequestsPerSecond, c.PollInterval)
}

// GoString is String for %#v.
func (c Config) GoString() string { return c.String() }

// burstSeconds sizes each limiter's burst in seconds of its rate. Compute
// counts its quotas per minute, so a burst costs nothing as long as the
// burst and a minute at the rate stay under the quota (10 + 60 seconds at
// 20/s: 1,400 of 1,500); a burst of 20 made the 148 tunnel inserts of a
// large mesh queue for seconds that the quota did not ask for.
const burstSeconds = 10

// burst is how many calls of one group may go out at once.
func (c Config) burst() int { return max(1, int(c.RequestsPerSecond*burstSeconds)) }

// Driver converges the GCP sites of one mesh.
type Driver struct {
	mesh *topology.Mesh
	cfg  Config

	initOnce sync.Once
	c        *clients
	initErr  error

	limMu    sync.Mutex
	limiters map[limiterKey]*rate.Limiter

	// base outlives single calls: it carries router batches, which serve
	// several callers, and credential refreshes. Close cancels it.
	base   context.Context
	cancel context.CancelFunc

	// relink holds the IDs of tunnels whose router interface must be
	// pointed at them again once they exist: deleted in this run (a
	// replacement) or found linked while missing (Observe). See
	// relinkTunnel.
	relink sync.Map
}

var (
	_ driver.Driver   = (*Driver)(nil)
	_ driver.Parallel = (*Driver)(nil)
)

// New makes a driver for the GCP sites of mesh. Nothing is contacted until
// the first call, so a plan needs no credentials.
func New(mesh *topology.Mesh, cfg Config) *Driver {
	if cfg.RequestsPerSecond <= 0 {
		cfg.RequestsPerSecond = 20
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	base, cancel := context.WithCancel(context.Background())
	return &Driver{mesh: mesh, cfg: cfg, limiters: map[limiterKey]*rate.Limiter{}, base: base, cancel: cancel}
}

// clients are the Compute REST clients; project and region go in each
// request, so one set serves every site.
type clients struct {
	gateways  *compute.VpnGatewaysClient
	externals *compute.ExternalVpnGatewaysClient
	tunnels   *compute.VpnTunnelsClient
	routers   *compute.RoutersClient
	networks  *compute.NetworksClient
	// batcher group-commits changes to router documents.
	batcher *batcher
	// regionOps and globalOps wait for operations.
	regionOps *compute.RegionOperationsClient
	globalOps *compute.GlobalOperationsClient
	// closers holds the Close of every client built.
	closers []func() error
}

var errClosed = errors.New("the GCP driver is closed")

// clients builds the clients on first use.
func (d *Driver) clients() (*clients, error) {
	d.initOnce.Do(func() { d.c, d.initErr = d.newClients() })
	return d.c, d.initErr
}

func (d *Driver) newClients() (*clients, error) {
	hc, err := d.httpClient()
	if err != nil {
		return nil, err
	}
	// The SDK's debug log (GOOGLE_SDK_GO_LOGGING_LEVEL) would print request
	// bodies, and a tunnel's body holds its shared secret.
	opts := []option.ClientOption{option.WithHTTPClient(hc), option.WithLogger(slog.New(slog.DiscardHandler))}
	if d.cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(d.cfg.Endpoint, "/")))
	}
	c := &clients{}
	c.batcher = newBatcher(d.base, liveRouters{d: d, c: c})
	if c.gateways, err = compute.NewVpnGatewaysRESTClient(d.base, opts...); err == nil {
		c.closers = append(c.closers, c.gateways.Close)
		c.externals, err = compute.NewExternalVpnGatewaysRESTClient(d.base, opts...)
	}
	if err == nil {
		c.closers = append(c.closers, c.externals.Close)
		c.tunnels, err = compute.NewVpnTunnelsRESTClient(d.base, opts...)
	}
	if err == nil {
		c.closers = append(c.closers, c.tunnels.Close)
		c.routers, err = compute.NewRoutersRESTClient(d.base, opts...)
	}
	if err == nil {
		c.closers = append(c.closers, c.routers.Close)
		c.networks, err = compute.NewNetworksRESTClient(d.base, opts...)
	}
	if err == nil {
		c.closers = append(c.closers, c.networks.Close)
		c.regionOps, err = compute.NewRegionOperationsRESTClient(d.base, opts...)
	}
	if err == nil {
		c.closers = append(c.closers, c.regionOps.Close)
		c.globalOps, err = compute.NewGlobalOperationsRESTClient(d.base, opts...)
	}
	if err != nil {
		_ = c.close()
		return nil, fmt.Errorf("creating GCP Compute clients: %w", err)
	}
	c.closers = append(c.closers, c.globalOps.Close)
	return c, nil
}

// httpClient is the caller's client (or a default one) with pacing under
// authentication: pacing sees every call, operation waits included.
func (d *Driver) httpClient() (*http.Client, error) {
	hc := &http.Client{}
	var base http.RoundTripper = http.DefaultTransport
	if d.cfg.HTTPClient != nil {
		cp := *d.cfg.HTTPClient
		hc = &cp
		if cp.Transport != nil {
			base = cp.Transport
		}
	}
	var rt http.RoundTripper = &pacer{d: d, next: base}
	scope := option.WithScopes(compute.DefaultAuthScopes()[0])
	switch {
	case d.cfg.AccessToken != "":
		rt = &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: d.cfg.AccessToken, TokenType: "Bearer"}), Base: rt}
	case d.cfg.CredentialsJSON != "":
		typ, err := credentialsType(d.cfg.CredentialsJSON)
		if err != nil {
			return nil, err
		}
		if rt, err = htransport.NewTransport(d.base, rt, option.WithAuthCredentialsJSON(typ, []byte(d.cfg.CredentialsJSON)), scope); err != nil {
			return nil, fmt.Errorf("GCP credentials: %w", err)
		}
	case d.cfg.Endpoint == "":
		var err error
		if rt, err = htransport.NewTransport(d.base, rt, scope); err != nil {
			return nil, fmt.Errorf("GCP Application Default Credentials: %w", err)
		}
	}
	hc.Transport = rt
	return hc, nil
}

// credentialsType reads the type a credentials document declares, so only
// the expected kinds are loaded. Errors never quote the document.
func credentialsType(doc string) (option.CredentialsType, error) {
	var v struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", errors.New("GCP credentials: the credentials are not a JSON document")
	}
	switch v.Type {
	case "service_account":
		return option.ServiceAccount, nil
	case "authorized_user":
		return option.AuthorizedUser, nil
	case "external_account":
		return option.ExternalAccount, nil
	case "impersonated_service_account":
		return option.ImpersonatedServiceAccount, nil
	}
	return "", fmt.Errorf("GCP credentials: type %q is not service_account, authorized_user, external_account or impersonated_service_account", v.Type)
}

// Close stops router batches and closes the clients. The driver is unusable
// afterwards.
func (d *Driver) Close() error {
	d.cancel()
	d.initOnce.Do(func() { d.initErr = errClosed })
	if d.c == nil {
		return nil
	}
	return d.c.close()
}

func (c *clients) close() error {
	var errs []error
	for _, cl := range c.closers {
		errs = append(errs, cl())
	}
	return errors.Join(errs...)
}

// Parallelism is how many actions the engine may run through this driver
// at once. Most of an action's time is waiting (for an operation, a router
// commit or the project's pacer), and the pacer, not the engine, keeps the
// calls under the quotas, so a small bound would only queue actions.
func (d *Driver) Parallelism() int { return parallelism }

const parallelism = 256
