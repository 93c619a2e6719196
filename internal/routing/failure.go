package routing

import (
	"slices"
	"strconv"
)

// Failure analysis.
//
// Two sites are connected when a path of live tunnels joins them whose
// intermediate sites all transit (model.go): BGP then finds it, since every
// site that transits re-advertises its best route and a site that does not
// is never in the middle. Tunnels between the same two sites are
// interchangeable for connectivity (a transit site routes through its
// gateway whatever the interface), so connectivity is a question about
// sites and which pairs of them have a live tunnel.
//
// Every element is checked by removing it and comparing connectivity, but
// only where its loss can change something (so a large mesh checks few):
//   - a tunnel, only if it is the last live one between its sites and
//     either end does not transit, or it is a bridge of the core (the graph
//     of sites that transit, found by Tarjan's DFS);
//   - an interface, only if some neighbour has all its live tunnels with
//     the site on that interface;
//   - a site (or its gateway: without it nothing is routed), only if it
//     transits and is a cut vertex of the core, or is the only neighbour
//     in its core component of some site that does not transit.
// Pairs with the lost site itself are not counted.

// reach is connectivity with some elements gone: a component per site
// that transits (over live tunnels between such sites), and for each site
// that does not, the components it touches and the sites it has a tunnel
// with.
type reach struct {
	comp   []int32   // per site; -1 for a site that does not transit or is gone
	attach [][]int32 // per site that does not transit: sorted components it touches
	direct [][]int32 // per site that does not transit: sorted sites it has a live tunnel with
}

func (r *reach) connected(g *graph, i, j int32) bool {
	ti, tj := g.sites[i].transit, g.sites[j].transit
	switch {
	case ti && tj:
		return r.comp[i] >= 0 && r.comp[i] == r.comp[j]
	case ti:
		i, j = j, i
		fallthrough
	case tj:
		if r.comp[j] < 0 {
			return false
		}
		_, ok := slices.BinarySearch(r.attach[i], r.comp[j])
		return ok
	}
	if _, ok := slices.BinarySearch(r.direct[i], j); ok {
		return true
	}
	a, b := r.attach[i], r.attach[j]
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] == b[y]:
			return true
		case a[x] < b[y]:
			x++
		default:
			y++
		}
	}
	return false
}

// lost is what one evaluation takes away: a tunnel, the tunnels of one
// interface, or a site.
type lost struct {
	tunnel int32 // -1 none
	ifSite int32 // -1 none
	ifIdx  int32
	site   int32 // -1 none
}

func (l *lost) has(g *graph, t int32) bool {
	if t == l.tunnel {
		return true
	}
	tu := &g.tunnels[t]
	if l.site >= 0 && (tu.a == l.site || tu.b == l.site) {
		return true
	}
	return l.ifSite >= 0 && ((tu.a == l.ifSite && tu.ia == l.ifIdx) || (tu.b == l.ifSite && tu.ib == l.ifIdx))
}

// reachWithout computes connectivity with l gone (union-find over the
// sites that transit).
func (g *graph) reachWithout(l lost) *reach {
	n := int32(len(g.sites))
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	alive := func(x int32) bool { return !g.sites[x].dead && x != l.site }
	for id := range g.tunnels {
		t := &g.tunnels[id]
		if t.dead || l.has(g, int32(id)) || !g.sites[t.a].transit || !g.sites[t.b].transit {
			continue
		}
		if alive(t.a) && alive(t.b) {
			parent[find(t.a)] = find(t.b)
		}
	}
	r := &reach{comp: make([]int32, n), attach: make([][]int32, n), direct: make([][]int32, n)}
	for x := int32(0); x < n; x++ {
		r.comp[x] = -1
		if g.sites[x].transit && alive(x) {
			r.comp[x] = find(x)
		}
	}
	for x := int32(0); x < n; x++ {
		if g.sites[x].transit || !alive(x) {
			continue
		}
		for _, t := range g.sites[x].tunnels {
			if l.has(g, t) {
				continue
			}
			y, _ := g.tunnels[t].peer(x)
			if !alive(y) {
				continue
			}
			if g.sites[y].transit {
				r.attach[x] = append(r.attach[x], r.comp[y])
			} else {
				r.direct[x] = append(r.direct[x], y)
			}
		}
		slices.Sort(r.attach[x])
		r.attach[x] = slices.Compact(r.attach[x])
		slices.Sort(r.direct[x])
		r.direct[x] = slices.Compact(r.direct[x])
	}
	return r
}

// weakPoints finds every element whose loss disconnects a pair of sites
// (not counting, for gateways and sites, pairs with the lost site).
func (g *graph) weakPoints() []WeakPoint {
	n := int32(len(g.sites))
	none := lost{tunnel: -1, ifSite: -1, site: -1}
	before := g.reachWithout(none)
	var wps []WeakPoint
	check := func(e Element, l lost) {
		after := g.reachWithout(l)
		var cuts [][2]string
		for i := int32(0); i < n; i++ {
			if i == l.site {
				continue
			}
			for j := i + 1; j < n; j++ {
				if j != l.site && before.connected(g, i, j) && !after.connected(g, i, j) {
					cuts = append(cuts, [2]string{g.sites[i].name, g.sites[j].name})
				}
			}
		}
		if len(cuts) > 0 {
			wps = append(wps, WeakPoint{Element: e, Cuts: cuts})
		}
	}

	bridge, cut := g.coreCuts()
	// Live tunnels per site pair.
	mult := map[[2]int32]int{}
	for id := range g.tunnels {
		if t := &g.tunnels[id]; !t.dead {
			mult[[2]int32{min(t.a, t.b), max(t.a, t.b)}]++
		}
	}
	for id := range g.tunnels {
		t := &g.tunnels[id]
		if t.dead || mult[[2]int32{min(t.a, t.b), max(t.a, t.b)}] > 1 {
			continue
		}
		if bridge[id] || !g.sites[t.a].transit || !g.sites[t.b].transit {
			l := none
			l.tunnel = int32(id)
			check(Element("tunnel:"+t.key), l)
		}
	}
	for x := int32(0); x < n; x++ {
		s := &g.sites[x]
		if s.dead {
			continue
		}
		for k := int32(0); k < int32(s.nIface); k++ {
			if s.ifDead[k] || !g.ifExclusive(x, k, mult) {
				continue
			}
			l := none
			l.ifSite, l.ifIdx = x, k
			check(Element("interface:"+s.name+"/"+strconv.Itoa(int(k))), l)
		}
	}
	// Sites through which alone some site that does not transit reaches
	// a component of the core.
	sole := make([]bool, n)
	for x := int32(0); x < n; x++ {
		if g.sites[x].transit || g.sites[x].dead {
			continue
		}
		only := map[int32]int32{} // component -> its one neighbour of x, -1 if several
		for _, t := range g.sites[x].tunnels {
			y, _ := g.tunnels[t].peer(x)
			c := before.comp[y]
			if c < 0 {
				continue
			}
			if o, seen := only[c]; !seen {
				only[c] = y
			} else if o != y {
				only[c] = -1
			}
		}
		for _, y := range only {
			if y >= 0 {
				sole[y] = true
			}
		}
	}
	for x := int32(0); x < n; x++ {
		if !g.sites[x].transit || g.sites[x].dead || !(cut[x] || sole[x]) {
			continue
		}
		l := none
		l.site = x
		check(Element("gateway:"+g.sites[x].name), l)
		check(Element("site:"+g.sites[x].name), l)
	}
	slices.SortFunc(wps, func(x, y WeakPoint) int {
		switch {
		case x.Element < y.Element:
			return -1
		case x.Element > y.Element:
			return 1
		}
		return 0
	})
	return wps
}

// ifExclusive reports whether some neighbour of site x has all its live
// tunnels with x on x's interface k.
func (g *graph) ifExclusive(x, k int32, mult map[[2]int32]int) bool {
	on := map[int32]int{}
	for _, t := range g.sites[x].tunnels {
		tu := &g.tunnels[t]
		if (tu.a == x && tu.ia == k) || (tu.b == x && tu.ib == k) {
			y, _ := tu.peer(x)
			on[y]++
		}
	}
	for y, c := range on {
		if c == mult[[2]int32{min(x, y), max(x, y)}] {
			return true
		}
	}
	return false
}

// coreCuts finds, in the graph of sites that transit and the live tunnels
// between them, the tunnels that are bridges and the sites that are cut
// vertices (Tarjan's DFS, iterative; parallel tunnels are never bridges).
func (g *graph) coreCuts() (bridge, cut []bool) {
	n := len(g.sites)
	bridge, cut = make([]bool, len(g.tunnels)), make([]bool, n)
	core := func(x int32) bool { return g.sites[x].transit && !g.sites[x].dead }
	disc, low := make([]int32, n), make([]int32, n)
	for i := range disc {
		disc[i] = -1
	}
	type frame struct {
		v, pedge int32
		it       int
		children int
	}
	var time int32
	for r := int32(0); r < int32(n); r++ {
		if !core(r) || disc[r] >= 0 {
			continue
		}
		disc[r], low[r] = time, time
		time++
		stack := []frame{{v: r, pedge: -1}}
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			ts := g.sites[f.v].tunnels
			if f.it < len(ts) {
				t := ts[f.it]
				f.it++
				if t == f.pedge {
					continue
				}
				w, _ := g.tunnels[t].peer(f.v)
				if !core(w) {
					continue
				}
				if disc[w] < 0 {
					disc[w], low[w] = time, time
					time++
					f.children++
					stack = append(stack, frame{v: w, pedge: t})
				} else {
					low[f.v] = min(low[f.v], disc[w])
				}
				continue
			}
			done := *f
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				cut[done.v] = done.children > 1
				continue
			}
			p := &stack[len(stack)-1]
			low[p.v] = min(low[p.v], low[done.v])
			if low[done.v] > disc[p.v] {
				bridge[done.pedge] = true
			}
			if low[done.v] >= disc[p.v] && len(stack) > 1 {
				cut[p.v] = true
			}
		}
	}
	return bridge, cut
}
