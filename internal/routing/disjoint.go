package routing

import (
	"math"
	"slices"
)

// cpath is a path in index form: sites visited and tunnel ids between them.
type cpath struct {
	sites   []int32
	tunnels []int32
	cost    int64
}

// solver finds, for one pair at a time, up to k paths disjoint in tunnels,
// interfaces and intermediate gateways: a min-cost flow of value k on the
// node-split graph by successive shortest paths (Suurballe/Bhandari). Each
// augmenting path is found by Dijkstra on reduced costs (Johnson
// potentials), which stops at the target; nodes it did not settle take the
// target's distance as potential, which keeps reduced costs non-negative.
// Potentials are stored as deltas that stay zero for nodes a pair's searches
// never settled, so nothing has to be reset per pair but what was touched.
//
// The starting potential is an A* bound h(v): the site hops from v's site
// to the target times the hop cost, plus the site's transit cost if v is
// on its inbound side (a path from there must cross the gateway). It is
// consistent (no arc's reduced cost goes negative), and it keeps the many
// sites one hop from the source, which tie with the target on hop count,
// from being settled before it.
//
// All per-node and per-arc state is stamped rather than cleared: a solver is
// reused for every pair its worker handles.
type solver struct {
	g *graph

	search   uint32
	seen     []uint32 // == search: dist, pred valid
	done     []uint32 // == search: settled
	dist     []label
	pred     []int32 // arc id, or ^arc id for a cancelled (reversed) arc
	settled  []int32
	heap     minHeap
	best     label // best label of the target so far
	pair     uint32
	tgt      int32 // target site of the current pair
	dstamp   []uint32
	delta    []int64  // potential = (sum of target distances) - delta - h
	flow     []uint32 // per arc: == pair when it carries flow
	rstamp   []uint32
	revHead  []int32 // per node: list of flow arcs entering it
	revNext  []int32
	revArc   []int32
	flowArcs []int32
	nstamp   []uint32
	next     []int32 // decomposition: the flow arc leaving a node
	arena    []int32 // backs the returned paths
	tmp      []int32
}

func newSolver(g *graph) *solver {
	n, m := g.nNodes, len(g.head)
	return &solver{
		g:    g,
		seen: make([]uint32, n), done: make([]uint32, n), dist: make([]label, n), pred: make([]int32, n),
		dstamp: make([]uint32, n), delta: make([]int64, n),
		flow:   make([]uint32, m),
		rstamp: make([]uint32, n), revHead: make([]int32, n),
		nstamp: make([]uint32, n), next: make([]int32, n),
	}
}

// pot is minus node v's potential, up to a per-search constant: the
// accumulated delta plus the A* bound h. ok is false when v cannot reach
// the target at all.
func (s *solver) pot(v int32) (p int64, ok bool) {
	g := s.g
	x := g.nodeSite[v]
	if x != s.tgt {
		hops := g.hops[int(x)*len(g.sites)+int(s.tgt)]
		if hops < 0 {
			return 0, false
		}
		p = int64(hops) * g.hop
		if g.isIn[v] && !g.sites[x].transit {
			return 0, false // an inbound side that leads nowhere but here
		}
		if g.isIn[v] {
			p += int64(x) * g.transitUnit
		}
	}
	if s.dstamp[v] == s.pair {
		p += s.delta[v]
	}
	return p, true
}

// paths returns up to g.k disjoint paths from site a to site b, best first.
func (s *solver) paths(a, b int32) []cpath {
	g := s.g
	if g.sites[a].dead || g.sites[b].dead {
		return nil
	}
	s.pair++
	if s.pair == 0 { // wrapped: clear the stamps once
		clear(s.dstamp)
		clear(s.flow)
		clear(s.rstamp)
		clear(s.nstamp)
		s.pair = 1
	}
	s.flowArcs = s.flowArcs[:0]
	s.revArc, s.revNext = s.revArc[:0], s.revNext[:0]
	s.tgt = b
	src, dst := g.sites[a].gOut(), g.sites[b].gIn()
	found := 0
	for found < g.k && s.shortest(src, dst) {
		// New potentials: settled nodes move by their distance short of
		// the target's; the rest keep delta (they move by the full amount).
		dt := s.dist[dst].cost
		for _, v := range s.settled {
			if s.dstamp[v] != s.pair {
				s.dstamp[v], s.delta[v] = s.pair, 0
			}
			s.delta[v] += dt - s.dist[v].cost
		}
		s.augment(src, dst)
		found++
	}
	if found == 0 {
		return nil
	}
	return s.decompose(a, src, dst)
}

// shortest runs Dijkstra from src on the residual graph with reduced costs,
// stopping when dst is settled. It prunes any label that cannot beat the
// best one found for dst, and stops scanning a node's cost-sorted arcs once
// even a zero potential at the head could not beat it.
func (s *solver) shortest(src, dst int32) bool {
	g := s.g
	s.search++
	if s.search == 0 {
		clear(s.seen)
		clear(s.done)
		s.search = 1
	}
	s.heap.reset()
	s.settled = s.settled[:0]
	s.best = label{cost: math.MaxInt64}
	s.seen[src], s.dist[src], s.pred[src] = s.search, label{}, -1
	s.heap.push(heapItem{label{}, src})
	for len(s.heap.a) > 0 {
		it := s.heap.pop()
		u := it.node
		if s.done[u] == s.search || it.l != s.dist[u] {
			continue
		}
		s.done[u] = s.search
		s.settled = append(s.settled, u)
		if u == dst {
			return true
		}
		du := it.l
		pu, _ := s.pot(u)
		for e := g.off[u]; e < g.off[u+1]; e++ {
			lb := du.cost + g.cost[e] - pu
			if lb > s.best.cost {
				break
			}
			if s.flow[e] == s.pair {
				continue
			}
			v := g.head[e]
			if s.done[v] == s.search {
				continue
			}
			if pv, ok := s.pot(v); ok {
				s.relax(dst, v, label{lb + pv, du.rev}, e)
			}
		}
		if s.rstamp[u] == s.pair {
			for r := s.revHead[u]; r >= 0; r = s.revNext[r] {
				e := s.revArc[r]
				if s.flow[e] != s.pair {
					continue
				}
				x := g.tail[e]
				if s.done[x] == s.search {
					continue
				}
				if px, ok := s.pot(x); ok {
					s.relax(dst, x, label{du.cost - g.cost[e] - pu + px, du.rev + 1}, ^e)
				}
			}
		}
	}
	return false
}

// relax offers label l, reached by arc p, to node v.
func (s *solver) relax(dst, v int32, l label, p int32) {
	if v != dst && !l.less(s.best) {
		return // cannot lead to a better path to dst
	}
	if s.seen[v] == s.search && !l.less(s.dist[v]) {
		return
	}
	s.seen[v], s.dist[v], s.pred[v] = s.search, l, p
	s.heap.push(heapItem{l, v})
	if v == dst {
		s.best = l
	}
}

// augment pushes one unit along the path just found: forward arcs gain
// flow, reversed arcs lose theirs (the two paths swap their tails).
func (s *solver) augment(src, dst int32) {
	g := s.g
	for v := dst; v != src; {
		p := s.pred[v]
		if p >= 0 {
			s.flow[p] = s.pair
			s.flowArcs = append(s.flowArcs, p)
			h := g.head[p]
			if s.rstamp[h] != s.pair {
				s.rstamp[h], s.revHead[h] = s.pair, -1
			}
			s.revArc = append(s.revArc, p)
			s.revNext = append(s.revNext, s.revHead[h])
			s.revHead[h] = int32(len(s.revArc) - 1)
			v = g.tail[p]
		} else {
			e := ^p
			s.flow[e] = 0
			v = g.head[e]
		}
	}
}

// decompose splits the flow into paths. Every node but the source carries
// at most one unit (node splitting), so each path is a chain.
func (s *solver) decompose(a, src, dst int32) []cpath {
	g := s.g
	for _, e := range s.flowArcs {
		if s.flow[e] == s.pair {
			t := g.tail[e]
			s.nstamp[t], s.next[t] = s.pair, e
		}
	}
	var out []cpath
	for e0 := g.off[src]; e0 < g.off[src+1]; e0++ {
		if s.flow[e0] != s.pair {
			continue
		}
		start := len(s.arena)
		s.arena = append(s.arena, a)
		tuns := s.tmp[:0]
		var cost int64
		for e, steps := e0, 0; ; steps++ {
			if steps > g.nNodes {
				panic("routing: flow decomposition does not end")
			}
			cost += g.cost[e]
			if t := g.arcTun[e]; t >= 0 {
				tuns = append(tuns, t)
				s.arena = append(s.arena, g.nodeSite[g.head[e]])
			}
			v := g.head[e]
			if v == dst {
				break
			}
			if s.nstamp[v] != s.pair {
				panic("routing: flow decomposition lost its way")
			}
			e = s.next[v]
		}
		mid := len(s.arena)
		s.arena = append(s.arena, tuns...)
		s.tmp = tuns
		end := len(s.arena)
		out = append(out, cpath{sites: s.arena[start:mid:mid], tunnels: s.arena[mid:end:end], cost: cost})
	}
	slices.SortFunc(out, func(x, y cpath) int {
		if x.cost != y.cost {
			if x.cost < y.cost {
				return -1
			}
			return 1
		}
		return slices.Compare(x.tunnels, y.tunnels)
	})
	return out
}
