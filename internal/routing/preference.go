package routing

import (
	"math/bits"
	"slices"
)

// BGP preferences.
//
// Model: every site is one AS (distinct ASNs assumed); every tunnel carries
// one eBGP session; a site announces its own prefixes and re-announces its
// best route to every neighbour. Best path: shortest AS path, then lowest
// MED, MED compared across neighbours (always-compare-med). MED is not
// passed on; prepends are.
//
// A MED is set per session, not per prefix, so a receiver ranks its
// sessions once for all destinations. For each receiver we collect, from
// the planned paths, ordering constraints between its sessions and find one
// ranking (a topological order) that satisfies them:
//   - for each destination D, the session on the primary's first tunnel
//     must beat every other session offering D at the same AS-path length;
//   - the first backup's first tunnel must beat the rest at its length,
//     and no other session may offer D at a shorter length.
//
// A session that is the first tunnel of no planned route gets one prepend,
// so that it only wins once everything planned is gone. Lengths are those
// of the stable state: each neighbour announces its own primary, and a
// route through the receiver itself is dropped (AS-path loop).
//
// Limits (the pair is then flagged in prefResult, never silently wrong):
//   - The constraints are consistent when primaries are shortest in hops
//     and equal-hop ties are broken alike from both ends, which the path
//     search ensures for paths of up to two hops (transit cost ranks
//     intermediate sites globally): full mesh and hub-and-spoke are exact
//     for primaries. Longer paths in a "links" topology may conflict, and a
//     primary that is not a shortest path (the disjoint set gave up the
//     shortest one) loses to the shortest in BGP. A cycle among the
//     constraints is broken by dropping backup constraints first.
//   - A cloud spoke with two hubs: its backup to other spokes leaves on its
//     other interface to the second hub, while the same session must rank
//     below the planned tunnels to the second hub itself; after a primary
//     tunnel fails BGP then uses another tunnel to the first hub.
//   - A backup that only exists once neighbours re-route (their primaries
//     crossed the failed tunnel, as around a ring) is not claimed.

// prefResult holds, per session (2*tunnel + side; side 0 = the session
// where b announces to a, side 1 = a announces to b), its MED and prepend,
// and per ordered pair (receiver*n + dest) whether the plan could be
// realised: bit 0 primary not realised, bit 1 first backup not next.
type prefResult struct {
	med     []uint32
	prepend []int8
	flags   []uint8
}

const (
	flagPrimary = 1 << iota
	flagBackup
)

const medBase, medStep = 100, 10

// prefWork is one worker's scratch space, reused across receivers.
//
// Sessions are grouped by neighbour: a session's AS-path length to D is
// 1 + its prepend + the neighbour's hops to D, so per destination only the
// neighbours (not every session) need looking at; the sessions of one
// neighbour and prepend are held as a bitset.
type prefWork struct {
	class, prepend []int8
	nbSlot         []int32 // site -> local neighbour index (stamped by nbStamp)
	nbStamp        []int32
	nbSite         []int32
	nbOf           []int32 // session -> local neighbour
	base           []int32 // per neighbour: hops of its route to one destination, -1 none
	cnt            [][2]int32
	mask           []uint64 // per neighbour, per prepend (0, 1): sessions
	best           [][2][2]int32
	pm, bm         []uint64 // constraint rows: primary, backup
	tmp            []uint64
	words          int
	indegP, indegB []int32
	rank, order    []int32
	perm           []int32
	done           []bool
	ready          []int32
}

func (g *graph) preferences(pt *pairTable) *prefResult {
	n := len(g.sites)
	pr := &prefResult{
		med:     make([]uint32, 2*len(g.tunnels)),
		prepend: make([]int8, 2*len(g.tunnels)),
		flags:   make([]uint8, n*n),
	}
	g.primaryTables(pt)
	parallel(n, func() *prefWork {
		w := &prefWork{nbSlot: make([]int32, n), nbStamp: make([]int32, n)}
		for i := range w.nbStamp {
			w.nbStamp[i] = -1
		}
		return w
	}, func(w *prefWork, a int) { g.prefReceiver(pt, pr, w, int32(a)) })
	// Only what the announcer's router can set is set (model.go): AWS and
	// Azure send neither, GCP a MED only.
	for id := range g.tunnels {
		t := &g.tunnels[id]
		for sd, ann := range [2]int32{t.b, t.a} {
			b := behaviour(g.sites[ann].kind)
			if !b.SetsMED {
				pr.med[2*id+sd] = 0
			}
			if !b.SetsPrepend {
				pr.prepend[2*id+sd] = 0
			}
		}
	}
	return pr
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// side is the index of the session on tunnel t that receiver a hears.
func side(t *tunnel, a int32) int {
	if t.a == a {
		return 0
	}
	return 1
}

func (g *graph) prefReceiver(pt *pairTable, pr *prefResult, w *prefWork, a int32) {
	n := len(g.sites)
	ts := g.sites[a].tunnels
	L := len(ts)
	if L == 0 {
		return
	}
	w.class, w.prepend, w.nbOf = grow(w.class, L), grow(w.prepend, L), grow(w.nbOf, L)
	w.nbSite = w.nbSite[:0]
	for i, t := range ts {
		w.class[i] = 2
		x, _ := g.tunnels[t].peer(a)
		if w.nbStamp[x] != a {
			w.nbStamp[x], w.nbSlot[x] = a, int32(len(w.nbSite))
			w.nbSite = append(w.nbSite, x)
		}
		w.nbOf[i] = w.nbSlot[x]
	}
	J := len(w.nbSite)
	// Which sessions carry a planned route (primary or backup)?
	for d := int32(0); d < int32(n); d++ {
		ps, rev := pt.get2(a, d)
		for k := range ps {
			t, _ := firstHop(&ps[k], rev)
			i := g.tunnels[t].loc(a)
			w.class[i] = min(w.class[i], int8(min(k, 1)))
		}
	}
	w.words = (L + 63) / 64
	W := w.words
	w.cnt = grow(w.cnt, J)
	w.mask = grow(w.mask, 2*J*W)
	clear(w.cnt)
	clear(w.mask)
	for i := range ts {
		w.prepend[i] = 0
		if w.class[i] == 2 {
			w.prepend[i] = 1
		}
		j, pp := int(w.nbOf[i]), int(w.prepend[i])
		w.cnt[j][pp]++
		w.mask[(2*j+pp)*W+i/64] |= 1 << (i % 64)
	}
	// Constraints, destination by destination, in one pass over the
	// neighbours: their hops to D (in the stable state) give each group of
	// sessions its length.
	w.pm, w.bm = grow(w.pm, L*W), grow(w.bm, L*W)
	w.tmp = grow(w.tmp, 2*W)
	clear(w.pm)
	clear(w.bm)
	tmpP, tmpB := w.tmp[:W], w.tmp[W:]
	slen := func(i int, d int32) int32 {
		if b := g.routeHops(w.nbSite[w.nbOf[i]], d, a); b >= 0 {
			return 1 + int32(w.prepend[i]) + b
		}
		return -1
	}
	for d := int32(0); d < int32(n); d++ {
		ps, rev := pt.get2(a, d)
		if len(ps) == 0 {
			continue
		}
		tp, _ := firstHop(&ps[0], rev)
		p := int(g.tunnels[tp].loc(a))
		lp := slen(p, d)
		b, lb := -1, int32(-1)
		if len(ps) > 1 {
			tb, _ := firstHop(&ps[1], rev)
			b = int(g.tunnels[tb].loc(a))
			lb = slen(b, d)
		}
		clear(w.tmp)
		okP, shorter := lp >= 0, int32(0)
		for j, x := range w.nbSite {
			bj := g.routeHops(x, d, a)
			if bj < 0 {
				continue
			}
			for pp := 0; pp < 2; pp++ {
				c := w.cnt[j][pp]
				if c == 0 {
					continue
				}
				l := bj + 1 + int32(pp)
				m := w.mask[(2*j+pp)*W : (2*j+pp+1)*W]
				if okP {
					if l < lp {
						okP = false
					} else if l == lp {
						orInto(tmpP, m)
					}
				}
				if lb >= 0 {
					if l < lb {
						shorter += c
					} else if l == lb {
						orInto(tmpB, m)
					}
				}
			}
		}
		if lp >= 0 && lp < lb {
			shorter-- // p itself
		}
		f := &pr.flags[int(a)*n+int(d)]
		if okP {
			tmpP[p/64] &^= 1 << (p % 64)
			orInto(w.pm[p*W:p*W+W], tmpP)
		} else {
			*f |= flagPrimary
		}
		if b >= 0 {
			if lb >= 0 && shorter == 0 {
				tmpB[p/64] &^= 1 << (p % 64)
				tmpB[b/64] &^= 1 << (b % 64)
				orInto(w.bm[b*W:b*W+W], tmpB)
			} else {
				*f |= flagBackup
			}
		}
	}
	broke := w.rankSessions(g, a, ts)

	w.best = grow(w.best, J)
	for j := range w.best {
		w.best[j] = [2][2]int32{{-1, -1}, {-1, -1}}
	}
	for i, t := range ts {
		s := 2*int(t) + side(&g.tunnels[t], a)
		pr.med[s] = medBase + medStep*uint32(w.order[i])
		pr.prepend[s] = w.prepend[i]
		bb := &w.best[w.nbOf[i]][w.prepend[i]]
		switch {
		case bb[0] < 0 || w.order[i] < w.order[bb[0]]:
			bb[0], bb[1] = int32(i), bb[0]
		case bb[1] < 0 || w.order[i] < w.order[bb[1]]:
			bb[1] = int32(i)
		}
	}
	if !broke {
		return // every constraint held: the flags above are exact
	}
	// A cycle was broken: see what BGP would really pick.
	w.base = grow(w.base, J)
	for d := int32(0); d < int32(n); d++ {
		ps, rev := pt.get2(a, d)
		if len(ps) == 0 {
			continue
		}
		for j, x := range w.nbSite {
			w.base[j] = g.routeHops(x, d, a)
		}
		f := &pr.flags[int(a)*n+int(d)]
		*f = 0
		tp, _ := firstHop(&ps[0], rev)
		p := int(g.tunnels[tp].loc(a))
		if w.winner(w.base, -1) != p {
			*f |= flagPrimary
		}
		if len(ps) > 1 {
			tb, _ := firstHop(&ps[1], rev)
			if w.winner(w.base, p) != int(g.tunnels[tb].loc(a)) {
				*f |= flagBackup
			}
		}
	}
}

func orInto(dst, src []uint64) {
	for k := range dst {
		dst[k] |= src[k]
	}
}

// winner is the session BGP picks, skipping session skip, given the
// neighbours' hops (base) and the ranking: per neighbour and prepend, the
// best two sessions are candidates.
func (w *prefWork) winner(base []int32, skip int) int {
	best, bestLen := -1, int32(-1)
	for j, b := range base {
		if b < 0 {
			continue
		}
		for pp := int32(0); pp < 2; pp++ {
			bb := w.best[j][pp]
			i := int(bb[0])
			if i == skip {
				i = int(bb[1])
			}
			if i < 0 {
				continue
			}
			l := b + 1 + pp
			if best < 0 || l < bestLen || (l == bestLen && w.order[i] < w.order[best]) {
				best, bestLen = i, l
			}
		}
	}
	return best
}

// primaryTables indexes every ordered pair's primary for routeHops: its
// hops and, for two-hop paths, the one intermediate site (row = dest).
func (g *graph) primaryTables(pt *pairTable) {
	n := len(g.sites)
	g.pt = pt
	g.phops = make([]int32, n*n)
	g.pmid = make([]int32, n*n)
	for d := 0; d < n; d++ {
		for x := 0; x < n; x++ {
			i := d*n + x
			g.phops[i], g.pmid[i] = -1, -1
			if x == d {
				g.phops[i] = 0
				continue
			}
			ps, _ := pt.get(int32(x), int32(d))
			if len(ps) == 0 {
				continue
			}
			h := len(ps[0].tunnels)
			g.phops[i] = int32(h)
			switch {
			case h == 2:
				g.pmid[i] = ps[0].sites[1]
			case h > 2:
				g.pmid[i] = -2
			}
		}
	}
}

// routeHops is the AS-path length (without x's own prepend on the session)
// of x's best route to d in the stable state, as heard by a: 0 if x is d,
// -1 if x has no route or its route passes through a (loop).
func (g *graph) routeHops(x, d, a int32) int32 {
	i := int(d)*len(g.sites) + int(x)
	h := g.phops[i]
	if h <= 1 {
		return h
	}
	switch m := g.pmid[i]; {
	case m == a:
		return -1
	case m >= 0:
		return h
	}
	ps, _ := g.pt.get(x, d)
	if slices.Contains(ps[0].sites, a) {
		return -1
	}
	return h
}

// get2 is get that tolerates a == d (returns nothing).
func (pt *pairTable) get2(a, d int32) ([]cpath, bool) {
	if a == d {
		return nil, false
	}
	return pt.get(a, d)
}

// rankSessions orders receiver a's sessions: a topological order of the
// constraint graph (primary edges pm, backup edges bm), ties and cycles
// resolved by a default rank: planned primaries first, then backups, then
// the rest, each by neighbour (the same global site order the path search
// uses for transit), then by tunnel. A cycle is broken by taking a session
// that only backup edges hold back, if there is one.
func (w *prefWork) rankSessions(g *graph, a int32, ts []int32) (broke bool) {
	L := len(ts)
	w.rank, w.order, w.perm = grow(w.rank, L), grow(w.order, L), grow(w.perm, L)
	perm := w.perm
	for i := range perm {
		perm[i] = int32(i)
	}
	key := func(i int32) (int8, int32, int64) {
		return w.class[i], w.nbSite[w.nbOf[i]], g.tunnelTB(ts[i])
	}
	slices.SortFunc(perm, func(x, y int32) int {
		c1, n1, t1 := key(x)
		c2, n2, t2 := key(y)
		switch {
		case c1 != c2:
			return int(c1) - int(c2)
		case n1 != n2:
			return int(n1) - int(n2)
		case t1 < t2:
			return -1
		case t1 > t2:
			return 1
		}
		return 0
	})
	for r, i := range perm {
		w.rank[i] = int32(r)
	}
	w.indegP, w.indegB, w.done = grow(w.indegP, L), grow(w.indegB, L), grow(w.done, L)
	clear(w.indegP)
	clear(w.indegB)
	clear(w.done)
	for u := 0; u < L; u++ {
		for k := 0; k < w.words; k++ {
			w.bm[u*w.words+k] &^= w.pm[u*w.words+k] // a primary edge wins
			for x := w.pm[u*w.words+k]; x != 0; x &= x - 1 {
				w.indegP[k*64+bits.TrailingZeros64(x)]++
			}
			for x := w.bm[u*w.words+k]; x != 0; x &= x - 1 {
				w.indegB[k*64+bits.TrailingZeros64(x)]++
			}
		}
	}
	// ready holds ranks (a min-heap); order[i] receives the position.
	w.ready = w.ready[:0]
	for i := 0; i < L; i++ {
		if w.indegP[i] == 0 && w.indegB[i] == 0 {
			w.ready = heapPushI32(w.ready, w.rank[i])
		}
	}
	for pos := int32(0); pos < int32(L); {
		var u int32 = -1
		for len(w.ready) > 0 {
			var r int32
			w.ready, r = heapPopI32(w.ready)
			if !w.done[perm[r]] {
				u = perm[r]
				break
			}
		}
		if u < 0 { // cycle
			broke = true
			for _, i := range perm {
				if !w.done[i] && w.indegP[i] == 0 {
					u = i
					break
				}
			}
			if u < 0 {
				for _, i := range perm {
					if !w.done[i] {
						u = i
						break
					}
				}
			}
		}
		w.done[u] = true
		w.order[u] = pos
		pos++
		for k := 0; k < w.words; k++ {
			for x := w.pm[int(u)*w.words+k]; x != 0; x &= x - 1 {
				v := k*64 + bits.TrailingZeros64(x)
				w.indegP[v]--
				if !w.done[v] && w.indegP[v] == 0 && w.indegB[v] == 0 {
					w.ready = heapPushI32(w.ready, w.rank[v])
				}
			}
			for x := w.bm[int(u)*w.words+k]; x != 0; x &= x - 1 {
				v := k*64 + bits.TrailingZeros64(x)
				w.indegB[v]--
				if !w.done[v] && w.indegP[v] == 0 && w.indegB[v] == 0 {
					w.ready = heapPushI32(w.ready, w.rank[v])
				}
			}
		}
	}
	return broke
}

func heapPushI32(h []int32, x int32) []int32 {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= x {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	return h
}

func heapPopI32(h []int32) ([]int32, int32) {
	top, last := h[0], h[len(h)-1]
	h = h[:len(h)-1]
	i, n := 0, len(h)
	for n > 0 {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1] < h[c] {
			c++
		}
		if h[c] >= last {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = last
	}
	return h, top
}
