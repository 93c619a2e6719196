package routing

import (
	"slices"

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
	ft := g.forwarding(pr)
	res := &Result{
		Pairs:       g.pairPaths(pt, ft),
		Preferences: g.prefList(pr),
		Routes:      g.routes(ft),
		WeakPoints:  g.weakPoints(),
		Shortfall:   g.shortfall(pt),
	}
	res.NoTransit = noTransit(m, a, res.Shortfall)
	return res, nil
}

// noTransit explains shortfalls caused by sites that do not transit: for
// each short pair, the sites that do not transit on the disjoint paths the
// pair would have if every site did.
func noTransit(m *topology.Mesh, a *alloc.Allocation, short map[[2]string]int) map[[2]string][]string {
	if len(short) == 0 {
		return nil
	}
	g, err := buildGraph(m, a, nil, allTransit)
	if err != nil {
		return nil
	}
	s := newSolver(g)
	out := map[[2]string][]string{}
	for p, k := range short {
		i, j := g.byName[p[0]], g.byName[p[1]]
		ps := s.paths(i, j)
		if len(ps) <= k {
			continue
		}
		var names []string
		for _, cp := range ps {
			for _, x := range cp.sites[1 : len(cp.sites)-1] {
				if !behaviour(g.sites[x].kind).Transit {
					names = append(names, g.sites[x].name)
				}
			}
		}
		slices.Sort(names)
		out[p] = slices.Compact(names)
	}
	return out
}

// pairPaths turns the index form into names. Strings and paths of all
// pairs share a few backing arrays: one allocation each, not one per path.
func (g *graph) pairPaths(pt *pairTable, ft *fwdTable) []PairPaths {
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
	var ar nameArena
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			ps := pt.res[pairIndex(n, i, j)]
			pp := PairPaths{A: g.sites[i].name, B: g.sites[j].name,
				AB: g.forwardingOf(ft, &ar, i, j), BA: g.forwardingOf(ft, &ar, j, i)}
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

// forwardingOf names the forwarding from site src to site dst. Names go
// into the shared arena (see pairPaths).
func (g *graph) forwardingOf(ft *fwdTable, ar *nameArena, src, dst int) Forwarding {
	i := src*ft.n + dst
	p, b := &ft.prim[i], &ft.back[i]
	return Forwarding{Mode: p.mode, Paths: ar.paths(g, p.paths), More: p.more,
		BackupMode: b.mode, Backups: ar.paths(g, b.paths), BackupsMore: b.more}
}

// nameArena hands out name slices and paths from a few large backing
// arrays: one allocation per chunk, not two per path.
type nameArena struct {
	strs []string
	pbuf []Path
}

const arenaChunk = 1 << 14

func (ar *nameArena) names(n int) []string {
	if cap(ar.strs)-len(ar.strs) < n {
		ar.strs = make([]string, 0, max(arenaChunk, n))
	}
	s := ar.strs[len(ar.strs) : len(ar.strs)+n : len(ar.strs)+n]
	ar.strs = ar.strs[:len(ar.strs)+n]
	return s
}

func (ar *nameArena) paths(g *graph, ps []cpath) []Path {
	if len(ps) == 0 {
		return nil
	}
	if cap(ar.pbuf)-len(ar.pbuf) < len(ps) {
		ar.pbuf = make([]Path, 0, max(arenaChunk/4, len(ps)))
	}
	out := ar.pbuf[len(ar.pbuf) : len(ar.pbuf)+len(ps) : len(ar.pbuf)+len(ps)]
	ar.pbuf = ar.pbuf[:len(ar.pbuf)+len(ps)]
	for k, p := range ps {
		sites := ar.names(len(p.sites))
		for x, s := range p.sites {
			sites[x] = g.sites[s].name
		}
		tuns := ar.names(len(p.tunnels))
		for x, t := range p.tunnels {
			tuns[x] = g.tunnels[t].key
		}
		out[k] = Path{Sites: sites, Tunnels: tuns}
	}
	slices.SortFunc(out, func(x, y Path) int {
		if c := slices.Compare(x.Tunnels, y.Tunnels); c != 0 {
			return c
		}
		return slices.Compare(x.Sites, y.Sites)
	})
	return out
}
