package gcp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Observe lists the mesh's objects at the scope's sites: per project one
// paginated list per kind, filtered server-side by the mesh label (routers,
// which take no labels, by name prefix), then by the key in each object's
// description. It also checks that every site's network exists, so a typo
// in network_id fails the plan, naming the site, rather than the apply.
func (d *Driver) Observe(ctx context.Context, scope driver.Scope) ([]plan.Object, error) {
	c, err := d.clients()
	if err != nil {
		return nil, fmt.Errorf("observing GCP sites: %w", err)
	}
	inScope := map[string]siteInfo{}
	byProject := map[string][]siteInfo{}
	for _, name := range scope.Sites {
		si, err := d.scopeSite(name)
		if err != nil {
			return nil, err
		}
		inScope[name] = si
		byProject[si.project] = append(byProject[si.project], si)
	}
	projects := slices.Sorted(maps.Keys(byProject))
	// Every project is read to the end and its errors reported in project
	// order, so a failure names the same sites on every run.
	found := make([][]plan.Object, len(projects))
	errs := make([]error, len(projects))
	var wg sync.WaitGroup
	for i, p := range projects {
		wg.Go(func() { found[i], errs[i] = d.observeProject(ctx, c, scope.Mesh, p, byProject[p], inScope) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all := slices.Concat(found...)
	addDeps(all)
	slices.SortFunc(all, func(a, b plan.Object) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.ID, b.ID)) })
	return all, nil
}

// scopeSite resolves a site of the scope. One no longer in the mesh (its
// objects are being deleted) is looked for in the default project.
func (d *Driver) scopeSite(name string) (siteInfo, error) {
	if _, ok := d.mesh.Site(name); ok {
		return d.site(name)
	}
	if d.cfg.Project == "" {
		return siteInfo{}, fmt.Errorf("site %q is not in mesh %q and the provider has no default GCP project to look for its objects in", name, d.mesh.Name)
	}
	return siteInfo{name: name, project: d.cfg.Project}, nil
}

// lists is what one project holds, as listed.
type lists struct {
	networks  []*computepb.Network
	gateways  []compute.VpnGatewaysScopedListPair
	tunnels   []compute.VpnTunnelsScopedListPair
	routers   []compute.RoutersScopedListPair
	externals []*computepb.ExternalVpnGateway
}

func (d *Driver) observeProject(ctx context.Context, c *clients, mesh, project string, sites []siteInfo, inScope map[string]siteInfo) ([]plan.Object, error) {
	names := make([]string, len(sites))
	for i, s := range sites {
		names[i] = strconv.Quote(s.name)
	}
	var l lists
	labeled := ptr(fmt.Sprintf("labels.%s = %q", labelMesh, mesh))
	// The lists run at once; the first error in list order is reported.
	var wg sync.WaitGroup
	var errs []*error
	list := func(what string, f func() error) {
		slot := new(error)
		errs = append(errs, slot)
		wg.Go(func() {
			if err := f(); err != nil {
				*slot = fmt.Errorf("listing %s in GCP project %q (sites %s): %w", what, project, strings.Join(names, ", "), err)
			}
		})
	}
	list("networks", func() (err error) {
		l.networks, err = listAll(ctx, func(tok string) pageIterator[*computepb.Network] {
			return c.networks.List(ctx, &computepb.ListNetworksRequest{Project: project, MaxResults: ptr(uint32(pageSize)), PageToken: token(tok)})
		})
		return err
	})
	list("HA VPN gateways", func() (err error) {
		l.gateways, err = listAll(ctx, func(tok string) pageIterator[compute.VpnGatewaysScopedListPair] {
			return c.gateways.AggregatedList(ctx, &computepb.AggregatedListVpnGatewaysRequest{Project: project, Filter: labeled, MaxResults: ptr(uint32(pageSize)), PageToken: token(tok)})
		})
		return err
	})
	list("VPN tunnels", func() (err error) {
		l.tunnels, err = listAll(ctx, func(tok string) pageIterator[compute.VpnTunnelsScopedListPair] {
			return c.tunnels.AggregatedList(ctx, &computepb.AggregatedListVpnTunnelsRequest{Project: project, Filter: labeled, MaxResults: ptr(uint32(pageSize)), PageToken: token(tok)})
		})
		return err
	})
	list("Cloud Routers", func() (err error) {
		named := ptr(fmt.Sprintf("name eq %q", mesh+"-.*"))
		l.routers, err = listAll(ctx, func(tok string) pageIterator[compute.RoutersScopedListPair] {
			return c.routers.AggregatedList(ctx, &computepb.AggregatedListRoutersRequest{Project: project, Filter: named, MaxResults: ptr(uint32(pageSize)), PageToken: token(tok)})
		})
		return err
	})
	list("external VPN gateways", func() (err error) {
		l.externals, err = listAll(ctx, func(tok string) pageIterator[*computepb.ExternalVpnGateway] {
			return c.externals.List(ctx, &computepb.ListExternalVpnGatewaysRequest{Project: project, Filter: labeled, MaxResults: ptr(uint32(pageSize)), PageToken: token(tok)})
		})
		return err
	})
	wg.Wait()
	for _, err := range errs {
		if *err != nil {
			return nil, *err
		}
	}
	if err := checkNetworks(project, sites, l.networks); err != nil {
		return nil, err
	}
	objs := objectsOf(mesh, project, l, inScope)
	for _, link := range danglingLinks(l, objs) {
		d.relink.Store(link, true)
	}
	return objs, nil
}

// danglingLinks lists the tunnels the mesh's router interfaces link but
// the project does not hold: deleted, to be re-created, and then linked
// again (relinkTunnel).
func danglingLinks(l lists, objs []plan.Object) []string {
	listed := map[string]bool{}
	for _, o := range objs {
		if o.Kind == kindTunnel {
			listed[o.ID] = true
		}
	}
	var out []string
	for _, p := range l.routers {
		for _, r := range p.Value.GetRouters() {
			if _, _, ok := parseDescription(r.GetDescription()); !ok {
				continue
			}
			for _, in := range r.GetInterfaces() {
				if link := relPath(in.GetLinkedVpnTunnel()); link != "" && !listed[link] {
					out = append(out, link)
				}
			}
		}
	}
	return out
}

// checkNetworks fails for the first site (in scope order) whose network
// the project does not have.
func checkNetworks(project string, sites []siteInfo, nets []*computepb.Network) error {
	have := map[string]bool{}
	for _, n := range nets {
		have[n.GetName()] = true
	}
	for _, s := range sites {
		if s.networkName != "" && !have[s.networkName] {
			return fmt.Errorf("site %q: network %q does not exist in project %q", s.name, s.networkName, project)
		}
	}
	return nil
}

// objectsOf turns one project's lists into the mesh's objects at the
// scope's sites.
func objectsOf(mesh, project string, l lists, inScope map[string]siteInfo) []plan.Object {
	var out []plan.Object
	ours := func(desc, kind string) (string, siteInfo, bool) {
		m, key, ok := parseDescription(desc)
		if !ok || m != mesh {
			return "", siteInfo{}, false
		}
		cloud, site, k, _, _ := plan.SplitKey(key)
		si, in := inScope[site]
		return key, si, in && cloud == "gcp" && "gcp_"+k == kind
	}
	for _, p := range l.gateways {
		for _, g := range p.Value.GetVpnGateways() {
			if key, si, ok := ours(g.GetDescription(), kindHAGateway); ok {
				out = append(out, haGatewayObject(si, key, project, lastSegment(p.Key), g))
			}
		}
	}
	for _, p := range l.tunnels {
		for _, t := range p.Value.GetVpnTunnels() {
			if key, si, ok := ours(t.GetDescription(), kindTunnel); ok {
				out = append(out, tunnelObject(key, si.name, project, lastSegment(p.Key), t))
			}
		}
	}
	for _, e := range l.externals {
		if key, si, ok := ours(e.GetDescription(), kindExternalGateway); ok {
			out = append(out, externalGatewayObject(key, si.name, project, e))
		}
	}
	for _, p := range l.routers {
		for _, r := range p.Value.GetRouters() {
			key, si, ok := ours(r.GetDescription(), kindRouter)
			if !ok {
				continue
			}
			ro := routerObject(si, key, project, lastSegment(p.Key), r)
			out = append(out, ro)
			out = append(out, peersOf(si.name, ro.ID, r)...)
		}
	}
	return out
}

// refAttrs hold IDs of other objects.
var refAttrs = []string{"vpn_gateway", "router", "peer_external_gateway", "peer_gcp_gateway", "vpn_tunnel"}

// addDeps records which observed objects each one refers to, so that
// deleting objects no longer desired goes in an order GCP accepts (a BGP
// peer before its tunnel, a tunnel before its gateway and router).
func addDeps(objs []plan.Object) {
	byID := make(map[string]string, len(objs))
	for _, o := range objs {
		byID[o.ID] = o.Key
	}
	for i := range objs {
		o := &objs[i]
		var deps []string
		add := func(id string) {
			if k, ok := byID[id]; ok && k != o.Key {
				deps = append(deps, k)
			}
		}
		for _, a := range refAttrs {
			if v := o.Attrs[a]; v != "" {
				add(v)
			}
		}
		slices.Sort(deps)
		o.Deps = slices.Compact(deps)
	}
}

// token is a list's page token, absent for the first page.
func token(t string) *string {
	if t == "" {
		return nil
	}
	return &t
}
