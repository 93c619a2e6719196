package routing

import (
	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Analyze computes the routing plan of a mesh: every pair's primary and
// disjoint backups, BGP preferences, per-site routes, single-failure weak
// points, and the pairs short of the mesh's redundancy. It expects a mesh
// that topology validation accepted (site Prefixes filled) and its
// allocation; the result does not depend on the order of sites or tunnels.
func Analyze(m *topology.Mesh, a *alloc.Allocation) (*Result, error) {
	g, err := buildGraph(m, a, nil)
	if err != nil {
		return nil, err
	}
	pt := g.allPairs()
	pr := g.preferences(pt)
	return &Result{
		Pairs:       g.pairPaths(pt),
		Preferences: g.prefList(pr),
		Routes:      g.routes(pt),
		WeakPoints:  g.weakPoints(),
		Shortfall:   g.shortfall(pt),
	}, nil
}

// pairPaths turns the index form into names. Strings and paths of all
// pairs share a few backing arrays: one allocation each, not one per path.
func (g *graph) pairPaths(pt *pairTable) []PairPaths {
	n := len(g.sites)
	var strs, backups int
	for _, ps := range pt.res {
		for _, p := range ps {
			strs += len(p.sites) + len(p.tunnels)
		}
		if len(ps) > 1 {
			backups += len(ps) - 1
		}
	}
	arena := make([]string, 0, strs)
	bk := make([]Path, 0, backups)
	conv := func(p *cpath) Path {
		s := len(arena)
		for _, x := range p.sites {
			arena = append(arena, g.sites[x].name)
		}
		m := len(arena)
		for _, t := range p.tunnels {
			arena = append(arena, g.tunnels[t].key)
		}
		e := len(arena)
		return Path{Sites: arena[s:m:m], Tunnels: arena[m:e:e]}
	}
	out := make([]PairPaths, 0, len(pt.res))
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			ps := pt.res[pairIndex(n, i, j)]
			pp := PairPaths{A: g.sites[i].name, B: g.sites[j].name}
			if len(ps) > 0 {
				pp.Primary = conv(&ps[0])
				b := len(bk)
				for k := 1; k < len(ps); k++ {
					bk = append(bk, conv(&ps[k]))
				}
				if len(ps) > 1 {
					pp.Backups = bk[b:len(bk):len(bk)]
				}
			}
			out = append(out, pp)
		}
	}
	return out
}

// shortfall lists the pairs with fewer disjoint paths than the mesh's
// redundancy (at least one: a disconnected pair is always short).
func (g *graph) shortfall(pt *pairTable) map[[2]string]int {
	n := len(g.sites)
	want := max(g.redund, 1)
	out := map[[2]string]int{}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if k := len(pt.res[pairIndex(n, i, j)]); k < want {
				out[[2]string{g.sites[i].name, g.sites[j].name}] = k
			}
		}
	}
	return out
}

// prefList lists the preferences by (Tunnel, Announcer).
func (g *graph) prefList(pr *prefResult) []Preference {
	out := make([]Preference, 0, 2*len(g.tunnels))
	for id := range g.tunnels {
		t := &g.tunnels[id]
		if t.dead {
			continue
		}
		// side 1: a announces to b; side 0: b announces to a. a < b by
		// name unless the allocation says otherwise.
		first, second := 1, 0
		if g.sites[t.a].name > g.sites[t.b].name {
			first, second = 0, 1
		}
		for _, sd := range [2]int{first, second} {
			ann := t.a
			if sd == 0 {
				ann = t.b
			}
			out = append(out, Preference{
				Tunnel: t.key, Announcer: g.sites[ann].name,
				MED: pr.med[2*id+sd], Prepend: int(pr.prepend[2*id+sd]),
			})
		}
	}
	return out
}
