package routing

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// cloudInterfaces is how many gateway interfaces a cloud site has: AWS's two
// tunnel slots, GCP HA VPN's interfaces 0/1, Azure active-active's instances
// 0/1. Hosts have none: their tunnels end on the host itself.
const cloudInterfaces = 2

// site is one site of the graph. Sites are indexed in name order, so every
// result is independent of the order the mesh lists them in.
type site struct {
	name     string
	cloud    topology.Cloud
	kind     Kind
	transit  bool // behaviour(kind).Transit
	prefixes []netip.Prefix
	nIface   int   // 0 for hosts
	base     int32 // first node id: gIn=base, gOut=base+1, iface k in/out = base+2+2k, base+3+2k
	dead     bool  // removed (WhatIf)
	ifDead   []bool
	tunnels  []int32 // incident live tunnels, in key order
}

func (s *site) gIn() int32          { return s.base }
func (s *site) gOut() int32         { return s.base + 1 }
func (s *site) ifIn(k int32) int32  { return s.base + 2 + 2*k }
func (s *site) ifOut(k int32) int32 { return s.base + 3 + 2*k }
func (s *site) isHost() bool        { return s.nIface == 0 }

// ifAlive reports whether interface k (-1: a host's gateway) can carry
// traffic.
func (s *site) ifAlive(k int32) bool { return !s.dead && (k < 0 || !s.ifDead[k]) }

// inNode and outNode are where a tunnel on interface k arrives and leaves:
// the interface's nodes, or the gateway's at a host.
func (s *site) inNode(k int32) int32 {
	if s.isHost() {
		return s.gIn()
	}
	return s.ifIn(k)
}

func (s *site) outNode(k int32) int32 {
	if s.isHost() {
		return s.gOut()
	}
	return s.ifOut(k)
}

// tunnel is one tunnel: its sites (indices), the interface used at each end
// (-1 at a host) and the inside addresses. Its index in graph.tunnels is
// its rank in key order, the last tie-breaker.
type tunnel struct {
	key          string
	a, b         int32
	ia, ib       int32
	addrA, addrB netip.Addr
	dead         bool
	locA, locB   int32 // position in sites[a].tunnels / sites[b].tunnels
}

// peer returns, for tunnel t seen from site s, the site at the other end
// and that end's inside address.
func (t *tunnel) peer(s int32) (peer int32, addr netip.Addr) {
	if t.a == s {
		return t.b, t.addrB
	}
	return t.a, t.addrA
}

// loc is t's position among site s's tunnels.
func (t *tunnel) loc(s int32) int32 {
	if t.a == s {
		return t.locA
	}
	return t.locB
}

// graph is the flow network the path search runs on, as compact arrays.
//
// Nodes: per site a gateway split in two (gIn → gOut, capacity 1, so an
// intermediate site carries at most one path) and per gateway interface an
// in node and an out node. Tunnels arrive at an interface's in node, which
// leads only to the gateway, and leave from its out node, which only the
// gateway reaches: transit through a site always goes through its gateway,
// and each interface arc has capacity 1 so paths are interface-disjoint
// (an interface could only serve two paths in opposite directions at a site
// both cross, which the gateway's capacity forbids; the ends only send or
// only receive). A host's tunnels attach to its gateway nodes directly.
//
// Arcs out of each node are sorted by cost so a search can stop scanning a
// node as soon as its cheapest remaining arc cannot beat the best path found.
type graph struct {
	sites   []site
	tunnels []tunnel
	byName  map[string]int32
	byKey   map[string]int32
	k       int // paths sought per pair: max(redundancy, 2)
	redund  int

	nNodes   int
	nodeSite []int32
	isIn     []bool  // node is a gateway's or interface's inbound side
	hops     []int32 // site hops between live sites (n*n), -1: unreachable
	off      []int32 // CSR: arcs of node v are off[v]..off[v+1]
	head     []int32
	tail     []int32
	cost     []int64
	arcTun   []int32 // tunnel id, -1 for gateway/interface arcs

	// primaries per ordered pair (preferences): see primaryTables.
	pt          *pairTable
	phops, pmid []int32

	// cost scale: see costs.
	ifCost, transitUnit, hop int64
}

// graphOption changes how buildGraph models the mesh.
type graphOption int

// allTransit lets every site transit: what the mesh would have if the
// clouds that do not transit did (to explain a shortfall).
const allTransit graphOption = 1

// buildGraph indexes the mesh and its allocation and lays out the network.
// removed marks elements that are gone (WhatIf); nil for none.
func buildGraph(m *topology.Mesh, a *alloc.Allocation, removed *removal, opts ...graphOption) (*graph, error) {
	if m == nil || a == nil {
		return nil, fmt.Errorf("routing: nil mesh or allocation")
	}
	g := &graph{byName: make(map[string]int32, len(m.Sites)), byKey: make(map[string]int32, len(a.Tunnels))}
	g.redund = m.Redundancy
	g.k = max(m.Redundancy, 2)

	names := make([]int, len(m.Sites))
	for i := range names {
		names[i] = i
	}
	sort.Slice(names, func(i, j int) bool { return m.Sites[names[i]].Name < m.Sites[names[j]].Name })
	g.sites = make([]site, len(m.Sites))
	for i, idx := range names {
		ms := &m.Sites[idx]
		if _, dup := g.byName[ms.Name]; dup || ms.Name == "" {
			return nil, fmt.Errorf("routing: site name %q empty or not unique", ms.Name)
		}
		g.byName[ms.Name] = int32(i)
		s := &g.sites[i]
		s.name, s.cloud, s.prefixes = ms.Name, ms.Cloud, ms.Prefixes
		s.kind = KindOf(ms)
		s.transit = behaviour(s.kind).Transit || slices.Contains(opts, allTransit)
		if ms.Cloud != topology.Host {
			s.nIface = cloudInterfaces
		}
	}

	// Tunnels in key order: the key rank is the last tie-breaker.
	order := make([]int, len(a.Tunnels))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return a.Tunnels[order[i]].Key < a.Tunnels[order[j]].Key })
	g.tunnels = make([]tunnel, len(order))
	for r, idx := range order {
		at := &a.Tunnels[idx]
		if _, dup := g.byKey[at.Key]; dup || at.Key == "" {
			return nil, fmt.Errorf("routing: tunnel key %q empty or not unique", at.Key)
		}
		g.byKey[at.Key] = int32(r)
		sa, okA := g.byName[at.A.Site]
		sb, okB := g.byName[at.B.Site]
		if !okA || !okB {
			return nil, fmt.Errorf("routing: tunnel %s joins unknown site (%q, %q)", at.Key, at.A.Site, at.B.Site)
		}
		if sa == sb {
			return nil, fmt.Errorf("routing: tunnel %s joins site %s to itself", at.Key, at.A.Site)
		}
		t := tunnel{key: at.Key, a: sa, b: sb, ia: -1, ib: -1, addrA: at.A.Address, addrB: at.B.Address}
		for _, e := range []struct {
			s   int32
			ifc int
			dst *int32
		}{{sa, at.A.Interface, &t.ia}, {sb, at.B.Interface, &t.ib}} {
			st := &g.sites[e.s]
			if st.isHost() {
				continue
			}
			if e.ifc < 0 || e.ifc > 63 {
				return nil, fmt.Errorf("routing: tunnel %s: interface %d of %s out of range", at.Key, e.ifc, st.name)
			}
			if e.ifc >= st.nIface {
				st.nIface = e.ifc + 1
			}
			*e.dst = int32(e.ifc)
		}
		g.tunnels[r] = t
	}
	for i := range g.sites {
		g.sites[i].ifDead = make([]bool, g.sites[i].nIface)
	}
	if removed != nil {
		if err := removed.apply(g); err != nil {
			return nil, err
		}
	}
	for id := range g.tunnels {
		t := &g.tunnels[id]
		if !g.sites[t.a].ifAlive(t.ia) || !g.sites[t.b].ifAlive(t.ib) {
			t.dead = true
		}
		if !t.dead {
			t.locA, t.locB = int32(len(g.sites[t.a].tunnels)), int32(len(g.sites[t.b].tunnels))
			g.sites[t.a].tunnels = append(g.sites[t.a].tunnels, int32(id))
			g.sites[t.b].tunnels = append(g.sites[t.b].tunnels, int32(id))
		}
	}
	if err := g.costs(); err != nil {
		return nil, err
	}
	g.layout()
	g.siteHops()
	return g, nil
}

// costs sets the cost scale. A flow's cost orders lexicographically by
// (site hops, transit-site ranks, interface indices, tunnel key ranks): each
// level's unit exceeds the largest sum the levels below can reach over the
// k disjoint paths of one pair (whose hops total at most sites-2+k, since
// intermediate sites are not shared).
func (g *graph) costs() error {
	n := int64(len(g.sites))
	nt := int64(len(g.tunnels))
	maxIf := int64(1)
	for i := range g.sites {
		maxIf = max(maxIf, int64(g.sites[i].nIface))
	}
	hops := n + int64(g.k) + 1
	g.ifCost = nt + 1 // one interface index step beats any key rank
	perTunnel := nt + 2*maxIf*g.ifCost
	g.transitUnit = hops*perTunnel + 1
	g.hop = g.transitUnit * (n*n/2 + n + 1)
	if float64(g.hop)*float64(hops)*4 > math.MaxInt64/2 {
		return fmt.Errorf("routing: mesh too large (%d sites, %d tunnels)", n, nt)
	}
	return nil
}

// tunnelTB is the tie-break part of a tunnel's cost seen end to end: its key
// rank plus its interface indices. Used to order a site's sessions the same
// way the path search orders tunnels.
func (g *graph) tunnelTB(id int32) int64 {
	t := &g.tunnels[id]
	return int64(id) + g.ifCost*int64(max(t.ia, 0)+max(t.ib, 0))
}

// layout builds the CSR arc arrays.
func (g *graph) layout() {
	var nn int32
	for i := range g.sites {
		s := &g.sites[i]
		s.base = nn
		nn += 2 + 2*int32(s.nIface)
	}
	g.nNodes = int(nn)
	g.nodeSite = make([]int32, nn)
	g.isIn = make([]bool, nn)
	for i := range g.sites {
		s := &g.sites[i]
		for v := s.base; v < s.base+2+2*int32(s.nIface); v++ {
			g.nodeSite[v] = int32(i)
			g.isIn[v] = (v-s.base)%2 == 0
		}
	}
	type arc struct {
		from, to int32
		cost     int64
		tun      int32
	}
	arcs := make([]arc, 0, 2*len(g.tunnels)+6*len(g.sites))
	for i := range g.sites {
		s := &g.sites[i]
		if s.dead {
			continue
		}
		if s.transit {
			// A site that does not transit has no way through its
			// gateway: paths only start or end there.
			arcs = append(arcs, arc{s.gIn(), s.gOut(), int64(i) * g.transitUnit, -1})
		}
		for k := int32(0); k < int32(s.nIface); k++ {
			if s.ifDead[k] {
				continue
			}
			c := int64(k) * g.ifCost
			arcs = append(arcs, arc{s.gOut(), s.ifOut(k), c, -1}, arc{s.ifIn(k), s.gIn(), c, -1})
		}
	}
	for id := range g.tunnels {
		t := &g.tunnels[id]
		if t.dead {
			continue
		}
		sa, sb := &g.sites[t.a], &g.sites[t.b]
		c := g.hop + int64(id)
		arcs = append(arcs, arc{sa.outNode(t.ia), sb.inNode(t.ib), c, int32(id)},
			arc{sb.outNode(t.ib), sa.inNode(t.ia), c, int32(id)})
	}
	sort.Slice(arcs, func(i, j int) bool {
		if arcs[i].from != arcs[j].from {
			return arcs[i].from < arcs[j].from
		}
		if arcs[i].cost != arcs[j].cost {
			return arcs[i].cost < arcs[j].cost
		}
		return arcs[i].to < arcs[j].to
	})
	g.off = make([]int32, nn+1)
	g.head = make([]int32, len(arcs))
	g.tail = make([]int32, len(arcs))
	g.cost = make([]int64, len(arcs))
	g.arcTun = make([]int32, len(arcs))
	for i, a := range arcs {
		g.off[a.from+1]++
		g.head[i], g.tail[i], g.cost[i], g.arcTun[i] = a.to, a.from, a.cost, a.tun
	}
	for v := int32(0); v < nn; v++ {
		g.off[v+1] += g.off[v]
	}
}

// siteHops fills g.hops by a breadth-first search from every site over the
// live tunnels, passing only through sites that transit: the A* bound of
// the path search.
func (g *graph) siteHops() {
	n := len(g.sites)
	// Distinct neighbours per site.
	nb := make([][]int32, n)
	mark := make([]int32, n)
	for i := range mark {
		mark[i] = -1
	}
	for i := range g.sites {
		for _, t := range g.sites[i].tunnels {
			x, _ := g.tunnels[t].peer(int32(i))
			if mark[x] != int32(i) {
				mark[x] = int32(i)
				nb[i] = append(nb[i], x)
			}
		}
	}
	g.hops = make([]int32, n*n)
	for i := range g.hops {
		g.hops[i] = -1
	}
	queue := make([]int32, 0, n)
	for b := 0; b < n; b++ {
		row := g.hops[b*n : b*n+n]
		if g.sites[b].dead {
			continue
		}
		row[b] = 0
		queue = append(queue[:0], int32(b))
		for q := 0; q < len(queue); q++ {
			u := queue[q]
			if u != int32(b) && !g.sites[u].transit {
				continue // reached, but nothing goes through it
			}
			for _, x := range nb[u] {
				if row[x] < 0 {
					row[x] = row[u] + 1
					queue = append(queue, x)
				}
			}
		}
	}
}
