package routing

import (
	"slices"
	"strconv"
)

// Failure analysis.
//
// Connectivity is undirected. Two graphs answer every single failure:
//
//   - the fine graph: one node per gateway and per gateway interface, edges
//     interface–gateway and one per tunnel (between interface nodes, or a
//     host's gateway). Its bridges that are tunnels, and its articulation
//     points that are interfaces, are the tunnel and interface weak points.
//     (With the gateway alive, an interface joining its tunnels directly
//     connects exactly what going through the gateway does.)
//   - the site graph: one node per site, one edge per tunnel. A gateway's
//     loss is its site's loss (nothing is routed without it), so both
//     elements are its articulation points; pairs with that site itself
//     are not counted.
//
// Tarjan's DFS gives, in O(V+E), the bridges and articulation points and,
// for each, the subtrees that the loss cuts off; the pairs a loss
// disconnects are the pairs across those pieces (preorder ranges).

// ugraph is an undirected multigraph in CSR form.
type ugraph struct {
	off      []int32
	adj, eid []int32 // neighbour and edge id per half-edge
	siteOf   []int32 // site index of a node, -1 for interface nodes
}

func newUgraph(nodes int, edges [][2]int32, siteOf []int32) *ugraph {
	u := &ugraph{off: make([]int32, nodes+1), adj: make([]int32, 2*len(edges)), eid: make([]int32, 2*len(edges)), siteOf: siteOf}
	for _, e := range edges {
		u.off[e[0]+1]++
		u.off[e[1]+1]++
	}
	for v := 0; v < nodes; v++ {
		u.off[v+1] += u.off[v]
	}
	pos := slices.Clone(u.off[:nodes])
	for i, e := range edges {
		for k := 0; k < 2; k++ {
			a, b := e[k], e[1-k]
			u.adj[pos[a]], u.eid[pos[a]] = b, int32(i)
			pos[a]++
		}
	}
	return u
}

// dfs is Tarjan's bookkeeping: discovery time, low link, subtree size,
// parent and parent edge per node; pre lists nodes in discovery order;
// root is each node's DFS root; sitesBefore[i] counts site nodes in
// pre[:i].
type dfs struct {
	disc, low, size, parent, pedge, root []int32
	pre, sitesBefore                     []int32
}

func (u *ugraph) tarjan() *dfs {
	n := len(u.off) - 1
	d := &dfs{disc: make([]int32, n), low: make([]int32, n), size: make([]int32, n),
		parent: make([]int32, n), pedge: make([]int32, n), root: make([]int32, n), pre: make([]int32, 0, n)}
	for i := range d.disc {
		d.disc[i] = -1
	}
	type frame struct{ v, it int32 }
	var stack []frame
	for r := int32(0); r < int32(n); r++ {
		if d.disc[r] >= 0 {
			continue
		}
		visit := func(v, p, pe int32) {
			d.disc[v], d.low[v], d.size[v], d.parent[v], d.pedge[v], d.root[v] = int32(len(d.pre)), int32(len(d.pre)), 1, p, pe, r
			d.pre = append(d.pre, v)
			stack = append(stack, frame{v, u.off[v]})
		}
		visit(r, -1, -1)
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			v := f.v
			if f.it < u.off[v+1] {
				e := f.it
				f.it++
				w := u.adj[e]
				if u.eid[e] == d.pedge[v] {
					continue
				}
				if d.disc[w] < 0 {
					visit(w, v, u.eid[e])
				} else {
					d.low[v] = min(d.low[v], d.disc[w])
				}
				continue
			}
			stack = stack[:len(stack)-1]
			if p := d.parent[v]; p >= 0 {
				d.low[p] = min(d.low[p], d.low[v])
				d.size[p] += d.size[v]
			}
		}
	}
	d.sitesBefore = make([]int32, n+1)
	for i, v := range d.pre {
		d.sitesBefore[i+1] = d.sitesBefore[i]
		if u.siteOf[v] >= 0 {
			d.sitesBefore[i+1]++
		}
	}
	return d
}

// span is a preorder range [lo, hi).
type span struct{ lo, hi int32 }

// cutPairs lists the site pairs (by index, i < j) split when the pieces
// (preorder ranges within one component) lose their connection, plus the
// rest of the component outside all pieces and outside skip (the removed
// node's own position, -1 for an edge).
func (d *dfs) cutPairs(u *ugraph, comp span, pieces []span, skip int32, out [][2]int32) [][2]int32 {
	count := func(s span) int32 { return d.sitesBefore[s.hi] - d.sitesBefore[s.lo] }
	var total, sq int64
	restN := int64(count(comp))
	if skip >= 0 && u.siteOf[d.pre[skip]] >= 0 {
		restN--
	}
	for _, p := range pieces {
		c := int64(count(p))
		total += c
		sq += c * c
		restN -= c
	}
	total += restN
	sq += restN * restN
	if (total*total-sq)/2 == 0 {
		return out
	}
	// group id per piece; rest is group len(pieces).
	var sites [][]int32
	for _, p := range pieces {
		var g []int32
		for i := p.lo; i < p.hi; i++ {
			if s := u.siteOf[d.pre[i]]; s >= 0 {
				g = append(g, s)
			}
		}
		sites = append(sites, g)
	}
	var rest []int32
	k := 0
	for i := comp.lo; i < comp.hi; i++ {
		for k < len(pieces) && i >= pieces[k].hi {
			k++
		}
		if (k < len(pieces) && i >= pieces[k].lo) || i == skip {
			continue
		}
		if s := u.siteOf[d.pre[i]]; s >= 0 {
			rest = append(rest, s)
		}
	}
	sites = append(sites, rest)
	for x := range sites {
		for y := x + 1; y < len(sites); y++ {
			for _, a := range sites[x] {
				for _, b := range sites[y] {
					out = append(out, [2]int32{min(a, b), max(a, b)})
				}
			}
		}
	}
	return out
}

// weakPoints finds every element whose loss disconnects a pair of sites
// (not counting, for gateways and sites, pairs with the lost site).
func (g *graph) weakPoints() []WeakPoint {
	n := int32(len(g.sites))
	var wps []WeakPoint

	// Fine graph: sites 0..n-1, then interface nodes.
	ifBase := make([]int32, n)
	nodes := n
	for i := range g.sites {
		ifBase[i] = nodes
		nodes += int32(g.sites[i].nIface)
	}
	siteOf := make([]int32, nodes)
	ifSite := make([]int32, nodes) // for interface nodes: site; ifIdx: index
	ifIdx := make([]int32, nodes)
	for v := range siteOf {
		siteOf[v] = -1
	}
	var edges [][2]int32
	var edgeTun []int32 // tunnel id per edge, -1 for interface-gateway edges
	for i := range g.sites {
		s := &g.sites[i]
		siteOf[i] = int32(i)
		for k := int32(0); k < int32(s.nIface); k++ {
			v := ifBase[i] + k
			ifSite[v], ifIdx[v] = int32(i), k
			if !s.dead && !s.ifDead[k] {
				edges = append(edges, [2]int32{int32(i), v})
				edgeTun = append(edgeTun, -1)
			}
		}
	}
	end := func(s, k int32) int32 {
		if k < 0 {
			return s
		}
		return ifBase[s] + k
	}
	var siteEdges [][2]int32
	for id := range g.tunnels {
		t := &g.tunnels[id]
		if t.dead {
			continue
		}
		edges = append(edges, [2]int32{end(t.a, t.ia), end(t.b, t.ib)})
		edgeTun = append(edgeTun, int32(id))
		siteEdges = append(siteEdges, [2]int32{t.a, t.b})
	}

	fine := newUgraph(int(nodes), edges, siteOf)
	fd := fine.tarjan()
	compOf := func(d *dfs, v int32) span {
		r := d.root[v]
		return span{d.disc[r], d.disc[r] + d.size[r]}
	}
	sub := func(d *dfs, v int32) span { return span{d.disc[v], d.disc[v] + d.size[v]} }

	var buf [][2]int32
	// Separated children per node, collected in preorder (so by disc).
	sepChildren := func(d *dfs, want func(p int32) bool) map[int32][]int32 {
		m := map[int32][]int32{}
		for _, v := range d.pre {
			p := d.parent[v]
			if p >= 0 && d.low[v] >= d.disc[p] && want(p) {
				m[p] = append(m[p], v)
			}
		}
		return m
	}
	add := func(e Element, pairs [][2]int32) {
		if len(pairs) == 0 {
			return
		}
		slices.SortFunc(pairs, func(x, y [2]int32) int {
			if x[0] != y[0] {
				return int(x[0] - y[0])
			}
			return int(x[1] - y[1])
		})
		pairs = slices.Compact(pairs)
		cuts := make([][2]string, len(pairs))
		for i, p := range pairs {
			cuts[i] = [2]string{g.sites[p[0]].name, g.sites[p[1]].name}
		}
		wps = append(wps, WeakPoint{Element: e, Cuts: cuts})
	}

	// Tunnel bridges.
	for _, v := range fd.pre {
		p := fd.parent[v]
		if p < 0 || fd.low[v] <= fd.disc[p] {
			continue
		}
		t := edgeTun[fd.pedge[v]]
		if t < 0 {
			continue
		}
		buf = fd.cutPairs(fine, compOf(fd, v), []span{sub(fd, v)}, -1, buf[:0])
		add(Element("tunnel:"+g.tunnels[t].key), slices.Clone(buf))
	}
	// Interface articulation points.
	for p, ch := range sepChildren(fd, func(p int32) bool { return p >= n }) {
		pieces := make([]span, len(ch))
		for i, c := range ch {
			pieces[i] = sub(fd, c)
		}
		buf = fd.cutPairs(fine, compOf(fd, p), pieces, fd.disc[p], buf[:0])
		add(Element("interface:"+g.sites[ifSite[p]].name+"/"+strconv.Itoa(int(ifIdx[p]))), slices.Clone(buf))
	}

	// Site graph: gateway and site articulation points.
	sg := newUgraph(int(n), siteEdges, identity(n))
	sd := sg.tarjan()
	for p, ch := range sepChildren(sd, func(int32) bool { return true }) {
		pieces := make([]span, len(ch))
		for i, c := range ch {
			pieces[i] = sub(sd, c)
		}
		buf = sd.cutPairs(sg, compOf(sd, p), pieces, sd.disc[p], buf[:0])
		if len(buf) == 0 {
			continue
		}
		add(Element("gateway:"+g.sites[p].name), slices.Clone(buf))
		add(Element("site:"+g.sites[p].name), slices.Clone(buf))
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

func identity(n int32) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}
