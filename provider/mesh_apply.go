package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/errgroup"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	awsdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/aws"
	gcpdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/gcp"
	hostdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/host"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// buildDesired runs the core pipeline with the prior state's allocation.
func buildDesired(ctx context.Context, mesh *topology.Mesh, prior *meshModel, diags *diag.Diagnostics) (*plan.Desired, topology.Problems) {
	prev := priorAllocation(ctx, prior, diags)
	d, ps := plan.Build(mesh, prev)
	addProblems(diags, ps)
	return d, ps
}

// meshSecrets derives PSKs on demand; nothing is stored.
type meshSecrets struct {
	secret []byte
	mesh   string
	epoch  int64
}

func (s meshSecrets) PSK(tunnel string) (string, error) {
	if len(s.secret) == 0 {
		return "", errors.New("no mesh secret is configured")
	}
	return alloc.PSK(s.secret, s.mesh, tunnel, s.epoch), nil
}

// drivers returns the driver for every cloud the mesh uses, or a diagnostic
// on each site whose cloud this build cannot reach — before anything runs.
func (r *meshResource) drivers(mesh *topology.Mesh, diags *diag.Diagnostics) map[string]driver.Driver {
	out := map[string]driver.Driver{}
	for i, s := range mesh.Sites {
		c := string(s.Cloud)
		if out[c] != nil {
			continue
		}
		if r.data != nil && r.data.drivers[c] != nil {
			out[c] = r.data.drivers[c]
			continue
		}
		switch s.Cloud {
		case topology.Host:
			if r.data == nil || r.data.hosts == nil {
				diags.AddAttributeError(path.Root("site").AtListIndex(i).AtName("agent"), "No agent credentials",
					fmt.Sprintf("Site %q is a host site; to reach its agent the provider needs a hosts block with ca_cert, client_cert and client_key. Apply stopped before changing anything.", s.Name))
				continue
			}
			out[c] = hostDriver(mesh, *r.data.hosts)
		case topology.AWS:
			var cfg awsdriver.Config
			if r.data != nil {
				cfg = r.data.aws
			}
			out[c] = awsdriver.New(mesh, cfg)
		case topology.GCP:
			var cfg gcpdriver.Config
			if r.data != nil {
				cfg = r.data.gcp
			}
			if !gcpProjectKnown(mesh, cfg, diags) {
				continue
			}
			out[c] = gcpdriver.New(mesh, cfg)
		default:
			diags.AddAttributeError(path.Root("site").AtListIndex(i).AtName("cloud"), "No driver for this cloud",
				fmt.Sprintf("Site %q is in %s, and this build of crosslink cannot apply %s objects yet. Plan works without it; apply stopped before changing anything.", s.Name, s.Cloud, s.Cloud))
		}
	}
	return out
}

// quotaLimits is the provider's raised quotas, and whether all are known.
func (r *meshResource) quotaLimits() (map[string]int, bool) {
	if r.data == nil {
		return nil, true
	}
	return r.data.quotas, r.data.quotasKnown
}

// withRemovedSites returns mesh with the sites of prior that mesh no longer
// has appended (a copy; mesh itself is not changed).
func withRemovedSites(ctx context.Context, mesh *topology.Mesh, prior *meshModel) *topology.Mesh {
	if prior == nil {
		return mesh
	}
	var ignored diag.Diagnostics
	old, ok := prior.toMesh(ctx, &ignored)
	if !ok {
		return mesh
	}
	out := *mesh
	out.Sites = slices.Clone(mesh.Sites)
	for _, s := range old.Sites {
		if _, ok := mesh.Site(s.Name); !ok {
			out.Sites = append(out.Sites, s)
		}
	}
	return &out
}

// gcpProjectKnown checks that every GCP site names its project, in
// network_id or through the gcp block.
func gcpProjectKnown(mesh *topology.Mesh, cfg gcpdriver.Config, diags *diag.Diagnostics) bool {
	ok := true
	for i, s := range mesh.Sites {
		if s.Cloud == topology.GCP && cfg.Project == "" && !strings.HasPrefix(s.NetworkID, "projects/") {
			diags.AddAttributeError(path.Root("site").AtListIndex(i).AtName("network_id"), "No GCP project",
				fmt.Sprintf("Site %q names network %q without a project: write it as projects/PROJECT/global/networks/%s or set project in the provider's gcp block. Apply stopped before changing anything.", s.Name, s.NetworkID, s.NetworkID))
			ok = false
		}
	}
	return ok
}

// closeDrivers releases what drivers hold (HTTP clients of the SDKs).
func closeDrivers(ds map[string]driver.Driver) {
	for _, d := range ds {
		if c, ok := d.(io.Closer); ok {
			_ = c.Close()
		}
	}
}

// hostDriver reaches the agents of the mesh's host sites.
func hostDriver(mesh *topology.Mesh, creds hostdriver.Credentials) driver.Driver {
	agents := map[string]string{}
	for _, s := range mesh.Sites {
		if s.Cloud == topology.Host {
			agents[s.Name] = s.Agent
		}
	}
	return hostdriver.New(mesh.Name, agents, creds, hostdriver.Options{})
}

// observe lists what every driver holds for the mesh, in parallel.
func observe(ctx context.Context, mesh *topology.Mesh, ds map[string]driver.Driver) ([]plan.Object, error) {
	sites := map[string][]string{}
	for _, s := range mesh.Sites {
		sites[string(s.Cloud)] = append(sites[string(s.Cloud)], s.Name)
	}
	clouds := make([]string, 0, len(ds))
	for c := range ds {
		clouds = append(clouds, c)
	}
	sort.Strings(clouds)
	results := make([][]plan.Object, len(clouds))
	g, gctx := errgroup.WithContext(ctx)
	for i, c := range clouds {
		g.Go(func() error {
			objs, err := ds[c].Observe(gctx, driver.Scope{Mesh: mesh.Name, Sites: sites[c]})
			if err != nil {
				return fmt.Errorf("reading %s objects of mesh %q: %w", c, mesh.Name, err)
			}
			results[i] = objs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []plan.Object
	for _, r := range results {
		all = append(all, r...)
	}
	return all, nil
}

// converge makes the clouds hold the planned objects. It fills planned's
// objects with what exists afterwards, also after a failure, and reports
// whether everything succeeded.
func (r *meshResource) converge(ctx context.Context, planned, prior *meshModel, diags *diag.Diagnostics) bool {
	mesh, ok := planned.toMesh(ctx, diags)
	if !ok {
		diags.AddError("Mesh configuration still unknown at apply", "Some mesh input is unknown at apply time; this is a bug in the provider or an upstream resource.")
		return false
	}
	d, ps := buildDesired(ctx, mesh, prior, diags)
	if len(ps) > 0 || diags.HasError() {
		return false
	}
	planned.setComputed(ctx, d, diags)
	// Everything that stops apply before it changes anything is reported
	// at once: links this build cannot end, then sites it cannot reach.
	if why := plan.HostCloudRefusal(d.Alloc); why != "" {
		diags.AddAttributeError(path.Root("site"), "Host ↔ cloud links cannot be applied yet", why)
	}
	limits, _ := r.quotaLimits()
	addProblems(diags, plan.CheckQuotas(d, limits))
	// Drivers and Observe also cover sites the prior state had and the
	// configuration dropped: their objects must be found to be deleted.
	scope := withRemovedSites(ctx, mesh, prior)
	ds := r.drivers(scope, diags)
	defer closeDrivers(ds)
	if diags.HasError() {
		return false
	}
	secrets := meshSecrets{mesh: mesh.Name, epoch: mesh.PSKEpoch}
	if r.data != nil {
		secrets.secret = r.data.meshSecret
	}
	if len(secrets.secret) == 0 && needsPSK(d) {
		diags.AddError("Missing mesh secret",
			"Applying IPsec tunnels needs the mesh secret their pre-shared keys are derived from: set mesh_secret in the provider block or the "+MeshSecretEnv+" environment variable. Nothing was changed.")
		return false
	}
	known := map[string]bool{}
	if prior != nil {
		for k := range stateObjects(ctx, prior.Objects, diags) {
			known[k] = true
		}
	}
	state, ok := r.run(ctx, scope, d.Objects, known, ds, secrets, diags)
	planned.Objects = objectsValue(ctx, d.Objects, ids(state), diags)
	if !ok {
		// Record objects that exist but are not (or no longer) desired too,
		// so the next plan shows them and nothing is forgotten.
		planned.Objects = withExtra(ctx, planned.Objects, d.Objects, state, diags)
	}
	return ok
}

// run observes, diffs and executes; it returns what exists afterwards.
func (r *meshResource) run(ctx context.Context, mesh *topology.Mesh, desired []plan.Object, known map[string]bool,
	ds map[string]driver.Driver, secrets driver.Secrets, diags *diag.Diagnostics) (map[string]plan.Object, bool) {
	observed, err := observe(ctx, mesh, ds)
	if err != nil {
		diags.AddError("Reading the mesh's cloud objects failed", err.Error())
		return nil, false
	}
	g, err := plan.Diff(desired, observed, known)
	if err != nil {
		diags.AddError("Planning the mesh's changes failed", err.Error())
		return nil, false
	}
	state := map[string]plan.Object{}
	for _, o := range observed {
		state[o.Key] = o
	}
	tflog.Info(ctx, "converging mesh", map[string]any{"mesh": mesh.Name, "actions": g.Len()})
	_, err = engine.Run(ctx, g, ds, secrets, engine.Options{Progress: func(d engine.Done) {
		d.Record(state)
		if d.Err == nil {
			tflog.Debug(ctx, "finished", map[string]any{"action": d.Action.String(), "id": d.Object.ID})
		}
	}})
	if err != nil {
		diags.AddError("Applying the mesh failed", err.Error()+
			"\n\nWhat was finished is recorded; apply again to converge the rest.")
		return state, false
	}
	return state, true
}

func (r *meshResource) refresh(ctx context.Context, state *meshModel, diags *diag.Diagnostics) {
	mesh, ok := state.toMesh(ctx, diags)
	if !ok || r.data == nil {
		return
	}
	// Without every driver (no credentials configured yet) a refresh
	// would be partial: keep state; apply reports what is missing.
	var missing diag.Diagnostics
	ds := r.drivers(mesh, &missing)
	defer closeDrivers(ds)
	if missing.HasError() {
		return
	}
	d, ps := plan.Build(mesh, priorAllocation(ctx, state, diags))
	if len(ps) > 0 {
		return
	}
	observed, err := observe(ctx, mesh, ds)
	if err != nil {
		diags.AddError("Refreshing the mesh's cloud objects failed", err.Error())
		return
	}
	state.Objects = observedValue(ctx, d.Objects, observed, diags)
}

func (r *meshResource) destroy(ctx context.Context, state *meshModel, diags *diag.Diagnostics) bool {
	mesh, ok := state.toMesh(ctx, diags)
	if !ok {
		return false
	}
	ds := r.drivers(mesh, diags)
	defer closeDrivers(ds)
	if diags.HasError() {
		return false
	}
	known := map[string]bool{}
	for k := range stateObjects(ctx, state.Objects, diags) {
		known[k] = true
	}
	left, ok := r.run(ctx, mesh, nil, known, ds, meshSecrets{}, diags)
	if !ok {
		state.Objects = withExtra(ctx, objectsValue(ctx, nil, nil, diags), nil, left, diags)
	}
	return ok
}

func needsPSK(d *plan.Desired) bool {
	for _, t := range d.Alloc.Tunnels {
		if t.Transport == topology.IPsec {
			return true
		}
	}
	return false
}

func ids(state map[string]plan.Object) map[string]string {
	out := make(map[string]string, len(state))
	for k, o := range state {
		out[k] = o.ID
	}
	return out
}
