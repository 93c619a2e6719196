package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/routing"
)

// setComputed fills every computed attribute but objects from the core's
// result.
func (m *meshModel) setComputed(ctx context.Context, d *plan.Desired, diags *diag.Diagnostics) {
	m.ID = m.Name
	asns := map[string]int64{}
	for k, v := range d.Alloc.ASNs {
		asns[k] = int64(v)
	}
	var dd diag.Diagnostics
	m.ASNs, dd = types.MapValueFrom(ctx, types.Int64Type, asns)
	diags.Append(dd...)
	m.Tunnels = listOf(ctx, tunnelType, tunnelValues(d.Alloc), diags)
	m.BGPSessions = listOf(ctx, sessionType, sessionValues(d.Alloc, d.Routing), diags)
	m.Routes = listOf(ctx, routeType, routeValues(d.Routing), diags)
	m.Paths = listOf(ctx, pathType, pathValues(d.Routing), diags)
	m.WeakPoints = listOf(ctx, weakPointType, weakPointValues(d.Routing), diags)
}

func listOf[T any](ctx context.Context, t types.ObjectType, vs []T, diags *diag.Diagnostics) types.List {
	l, d := types.ListValueFrom(ctx, t, vs)
	diags.Append(d...)
	return l
}

func tunnelValues(a *alloc.Allocation) []tunnelValue {
	out := make([]tunnelValue, len(a.Tunnels))
	for i, t := range a.Tunnels {
		v := tunnelValue{Key: t.Key, Transport: string(t.Transport), InsideCIDR: t.Inside.String()}
		v.ASite, v.ACloud, v.AInterface, v.AConnection, v.AAddress, v.AASN, v.AWGDevice, v.AWGPort = endValues(t.A)
		v.BSite, v.BCloud, v.BInterface, v.BConnection, v.BAddress, v.BASN, v.BWGDevice, v.BWGPort = endValues(t.B)
		out[i] = v
	}
	return out
}

func sessionValues(a *alloc.Allocation, r *routing.Result) []sessionValue {
	prefs := map[[2]string]routing.Preference{}
	for _, p := range r.Preferences {
		prefs[[2]string{p.Tunnel, p.Announcer}] = p
	}
	out := make([]sessionValue, 0, 2*len(a.Tunnels))
	for _, t := range a.Tunnels {
		for _, e := range [][2]alloc.End{{t.A, t.B}, {t.B, t.A}} {
			p := prefs[[2]string{t.Key, e[0].Site}]
			out = append(out, sessionValue{Tunnel: t.Key, Site: e[0].Site, PeerSite: e[1].Site,
				LocalAddress: e[0].Address.String(), PeerAddress: e[1].Address.String(),
				LocalASN: int64(e[0].ASN), PeerASN: int64(e[1].ASN), MED: int64(p.MED), Prepend: int64(p.Prepend)})
		}
	}
	return out
}

func routeValues(r *routing.Result) []routeValue {
	out := make([]routeValue, len(r.Routes))
	for i, rt := range r.Routes {
		out[i] = routeValue{Site: rt.Site, Prefix: rt.Prefix.String(), Destination: rt.Dest, Tunnel: rt.Tunnel,
			NextHop: rt.NextHop.String(), Priority: int64(rt.Priority)}
	}
	return out
}

func pathValues(r *routing.Result) []pathValue {
	return pairValues(r.Pairs)
}

func pairValues(pairs []routing.PairPaths) []pathValue {
	out := make([]pathValue, len(pairs))
	for i, p := range pairs {
		v := pathValue{A: p.A, B: p.B, Disjoint: []sitePathValue{}, AToB: forwardValues(p.AB), BToA: forwardValues(p.BA)}
		if len(p.Primary.Tunnels) > 0 {
			v.Disjoint = append(sitePaths([]routing.Path{p.Primary}), sitePaths(p.Backups)...)
		}
		out[i] = v
	}
	return out
}

// forwardValues renders one direction; selection "none" when the
// destination is unreachable.
func forwardValues(f routing.Forwarding) forwardValue {
	v := forwardValue{Selection: string(f.Mode), Paths: sitePaths(f.Paths), More: int64(f.More),
		BackupSelection: string(f.BackupMode), BackupPaths: sitePaths(f.Backups), BackupMore: int64(f.BackupsMore)}
	if v.Selection == "" {
		v.Selection = "none"
	}
	if v.BackupSelection == "" {
		v.BackupSelection = "none"
	}
	return v
}

func sitePaths(ps []routing.Path) []sitePathValue {
	out := make([]sitePathValue, 0, len(ps))
	for _, p := range ps {
		out = append(out, sitePathValue{Sites: nonNil(p.Sites), Tunnels: nonNil(p.Tunnels)})
	}
	return out
}

func weakPointValues(r *routing.Result) []weakPointValue {
	out := make([]weakPointValue, len(r.WeakPoints))
	for i, w := range r.WeakPoints {
		v := weakPointValue{Element: string(w.Element), Cuts: []string{}}
		for _, c := range w.Cuts {
			v.Cuts = append(v.Cuts, c[0]+"~"+c[1])
		}
		out[i] = v
	}
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// objectsValue renders the objects map: the desired objects, each with the
// cloud id it has (from ids) or unknown when apply will create or replace it.
func objectsValue(ctx context.Context, objs []plan.Object, ids map[string]string, diags *diag.Diagnostics) types.Map {
	vals := make(map[string]objectValue, len(objs))
	for _, o := range objs {
		id := types.StringUnknown()
		if v, ok := ids[o.Key]; ok {
			id = types.StringValue(v)
		}
		vals[o.Key] = objectValue{Kind: o.Kind, Cloud: o.Cloud, Site: o.Site, ID: id, Digest: o.Digest()}
	}
	m, d := types.MapValueFrom(ctx, objectType, vals)
	diags.Append(d...)
	return m
}

// stateObjects reads the objects map from state: key → (id, digest).
func stateObjects(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]objectValue {
	out := map[string]objectValue{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// keptIDs returns the ids plan can promise: an object keeps its id when its
// digest is unchanged and every object it depends on keeps its id too (a
// replaced dependency forces replacement of its dependents). Others are
// unknown until apply.
func keptIDs(objs []plan.Object, old map[string]objectValue) map[string]string {
	byKey := make(map[string]*plan.Object, len(objs))
	for i := range objs {
		byKey[objs[i].Key] = &objs[i]
	}
	memo := make(map[string]bool, len(objs))
	var keeps func(key string, depth int) bool
	keeps = func(key string, depth int) bool {
		if v, ok := memo[key]; ok {
			return v
		}
		o, ok := byKey[key]
		if !ok {
			return false
		}
		prev, had := old[key]
		keep := had && depth < len(objs) && prev.Digest == o.Digest() && !prev.ID.IsUnknown() && !prev.ID.IsNull()
		for _, dep := range o.Deps {
			if !keep {
				break
			}
			keep = keeps(dep, depth+1)
		}
		memo[key] = keep
		return keep
	}
	ids := map[string]string{}
	for _, o := range objs {
		if keeps(o.Key, 0) {
			ids[o.Key] = old[o.Key].ID.ValueString()
		}
	}
	return ids
}
