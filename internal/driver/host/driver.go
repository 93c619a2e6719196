package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Options tune the driver.
type Options struct {
	// Timeout bounds one request to an agent. Default 30s.
	Timeout time.Duration
	// Parallel is how many agents Observe reads at once. Default 16.
	Parallel int
}

// Driver reaches the agents of one mesh's host sites.
type Driver struct {
	mesh    string
	agents  map[string]*client // by site
	urls    map[string]string
	par     int
	initErr error
}

var _ driver.Driver = (*Driver)(nil)

// New makes a driver for the mesh whose host sites run agents at the given
// URLs (by site name). Credential problems surface on first use, naming the
// site, so a plan never needs them.
func New(mesh string, agents map[string]string, creds Credentials, o Options) *Driver {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Parallel <= 0 {
		o.Parallel = 16
	}
	d := &Driver{mesh: mesh, agents: map[string]*client{}, urls: agents, par: o.Parallel}
	tc, err := creds.tlsConfig()
	if err != nil {
		d.initErr = err
		return d
	}
	hc := newHTTP(tc, o.Timeout)
	for site, u := range agents {
		d.agents[site] = &client{base: u, http: hc}
	}
	return d
}

// siteError names the site and agent in every error.
func (d *Driver) siteError(site, doing string, err error) error {
	return fmt.Errorf("%s on host site %q (agent %s): %w", doing, site, d.urls[site], err)
}

func (d *Driver) client(site string) (*client, error) {
	if d.initErr != nil {
		return nil, d.initErr
	}
	c, ok := d.agents[site]
	if !ok {
		return nil, fmt.Errorf("no agent is configured for host site %q", site)
	}
	return c, nil
}

// Observe reads every site's agent, a bounded number at a time.
func (d *Driver) Observe(ctx context.Context, scope driver.Scope) ([]plan.Object, error) {
	sites := append([]string(nil), scope.Sites...)
	sort.Strings(sites)
	lists := make([][]plan.Object, len(sites))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.par)
	for i, site := range sites {
		g.Go(func() error {
			c, err := d.client(site)
			if err != nil {
				return d.siteError(site, "listing objects", err)
			}
			var l api.ObjectList
			if err := c.do(gctx, http.MethodGet, api.ObjectsPath(scope.Mesh), nil, &l); err != nil {
				return d.siteError(site, "listing objects", err)
			}
			for _, o := range l.Objects {
				lists[i] = append(lists[i], toPlan(site, o))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []plan.Object
	for _, l := range lists {
		out = append(out, l...)
	}
	return out, nil
}

// Create and Update both hand the agent the whole object: it converges to
// it, so the two differ only in what the engine knew before.
func (d *Driver) Create(ctx context.Context, o plan.Object, _ driver.Secrets) (plan.Object, error) {
	return d.put(ctx, o, "creating")
}

func (d *Driver) Update(ctx context.Context, desired, _ plan.Object, _ driver.Secrets) (plan.Object, error) {
	return d.put(ctx, desired, "updating")
}

func (d *Driver) put(ctx context.Context, o plan.Object, doing string) (plan.Object, error) {
	what := fmt.Sprintf("%s %s %s", doing, o.Kind, o.Key)
	c, err := d.client(o.Site)
	if err != nil {
		return plan.Object{}, d.siteError(o.Site, what, err)
	}
	var got api.Object
	in := api.Object{Key: o.Key, Kind: o.Kind, Attrs: o.Attrs}
	if err := c.do(ctx, http.MethodPut, api.ObjectsPath(d.mesh), in, &got); err != nil {
		return plan.Object{}, d.siteError(o.Site, what, err)
	}
	if got.Key != o.Key || got.Kind != o.Kind {
		return plan.Object{}, d.siteError(o.Site, what, fmt.Errorf("the agent answered with %s %s", got.Kind, got.Key))
	}
	return toPlan(o.Site, got), nil
}

func (d *Driver) Delete(ctx context.Context, o plan.Object) error {
	what := fmt.Sprintf("deleting %s %s", o.Kind, o.Key)
	c, err := d.client(o.Site)
	if err != nil {
		return d.siteError(o.Site, what, err)
	}
	if err := c.do(ctx, http.MethodDelete, api.ObjectPath(d.mesh, o.Key), nil, nil); err != nil {
		return d.siteError(o.Site, what, err)
	}
	return nil
}

// Retryable: an agent that asked for a retry, a server error, or a
// connection that broke mid-way. An agent that cannot be reached at all is
// not retried for long by the engine's bounded attempts either way.
func (d *Driver) Retryable(err error) bool {
	var ae *agentError
	if errors.As(err, &ae) {
		return ae.retry
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func toPlan(site string, o api.Object) plan.Object {
	return plan.Object{Key: o.Key, Kind: o.Kind, Cloud: "host", Site: site, ID: o.ID, Attrs: o.Attrs}
}
