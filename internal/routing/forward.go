package routing

import (
	"slices"
)

// Forwarding: where traffic really goes, per direction, as each site's
// router chooses (the routing model, model.go), given the MEDs and prepends
// crosslink sets where the announcer can set them.
//
// Per destination d the stable BGP state is computed like a shortest-path
// tree: routers that transit and prefer the shortest AS path take their
// best route in order of AS-path length (a bucket queue), and only d and
// sites that transit announce onwards. A route whose AS path holds the
// receiver is refused (loop), which never matters for the best route: such
// a route is longer than the receiver's own. Then every site's choice among
// the routes it hears follows its kind: the shortest AS path (where that
// comes first), MEDs in the scope its router compares them, and the rest
// spread (ECMP) or left to tie-breakers the plan cannot know (one of).

// Mode says how a choice among several routes carries traffic.
type Mode string

const (
	// Single: one path.
	Single Mode = "single"
	// ECMP: traffic is spread over every listed path.
	ECMP Mode = "ecmp"
	// OneOf: some router on the way uses one of its equal routes, chosen
	// by tie-breakers (route age, router ID) the plan cannot know; the
	// traffic takes one or more of the listed paths.
	OneOf Mode = "one_of"
)

// Forwarding is where traffic from one site to another goes.
type Forwarding struct {
	Mode  Mode
	Paths []Path // sorted; empty when the destination is unreachable
	// More counts the paths of the set beyond the MaxPaths listed.
	More int
	// Backup is where it goes once the source's first tunnels of Paths are
	// down (the routers re-converged); empty when nothing is left.
	BackupMode  Mode
	Backups     []Path
	BackupsMore int
}

// MaxPaths caps the paths listed per forwarding, and the next hops per
// site, destination and priority in Routes. Where a router may pick any of
// many routes (GCP's legacy best-path mode facing sites that transit) the
// set is that long; Forwarding.More says how many were left out.
const MaxPaths = 16

// destTable is the stable state toward one destination: each site's
// AS-path length (-1: no route) and chosen tunnels with their mode.
type destTable struct {
	d      int32
	length []int32
	off    []int32 // choice of site x: tun[off[x]:off[x+1]]
	tun    []int32
	mode   []Mode
	npaths []int64 // paths from x to d, counted on demand (0: not yet)
}

// count is the number of paths traffic from x follows to d (a choice
// graph is acyclic: each hop shortens the AS path, and only the source
// may be a site whose router does not compare AS paths).
func (g *graph) count(dt *destTable, x int32) int64 {
	if x == dt.d {
		return 1
	}
	if dt.npaths == nil {
		dt.npaths = make([]int64, len(dt.length))
	}
	if dt.npaths[x] > 0 {
		return dt.npaths[x]
	}
	dt.npaths[x] = 1 // guards against a cycle, which a stable state has not
	var c int64
	for _, t := range dt.choice(x) {
		y, _ := g.tunnels[t].peer(x)
		c = min(c+g.count(dt, y), 1<<40)
	}
	dt.npaths[x] = max(c, 1)
	return dt.npaths[x]
}

func (dt *destTable) choice(x int32) []int32 { return dt.tun[dt.off[x]:dt.off[x+1]] }

// announce is what announcer x puts on its session over tunnel t: its MED
// and prepend, zero where its router cannot set them.
func (g *graph) announce(pr *prefResult, t, x int32) (med uint32, prepend int32) {
	tu := &g.tunnels[t]
	s := 2*int(t) + 1 // a announces to b
	if tu.b == x {
		s = 2 * int(t)
	}
	return pr.med[s], int32(pr.prepend[s])
}

// fwdWork is one worker's scratch space.
type fwdWork struct {
	buckets [][]int32
	done    []bool
	cand    []cand
	stamp   int32
	skipAt  []int32  // per tunnel: == stamp when left out of a choice
	medAt   []int32  // per site: == stamp when nbMED holds its lowest MED
	nbMED   []uint32 // per site: lowest MED heard from it in one choice
}

type cand struct {
	t, x   int32
	length int32
	med    uint32
}

func newFwdWork(g *graph) *fwdWork {
	return &fwdWork{done: make([]bool, len(g.sites)), skipAt: make([]int32, len(g.tunnels)),
		medAt: make([]int32, len(g.sites)), nbMED: make([]uint32, len(g.sites))}
}

// simulate computes the stable state toward d. w.dead, when set, marks
// tunnels that are down in addition to the graph's dead ones.
func (g *graph) simulate(pr *prefResult, w *fwdWork, d int32, dead []bool) *destTable {
	n := int32(len(g.sites))
	dt := &destTable{d: d, length: make([]int32, n), off: make([]int32, n+1), mode: make([]Mode, n)}
	for i := range dt.length {
		dt.length[i] = -1
	}
	clear(w.done)
	for i := range w.buckets {
		w.buckets[i] = w.buckets[i][:0]
	}
	if g.sites[d].dead {
		return dt
	}
	push := func(x, l int32) {
		for int(l) >= len(w.buckets) {
			w.buckets = append(w.buckets, nil)
		}
		w.buckets[l] = append(w.buckets[l], x)
	}
	dt.length[d] = 0
	push(d, 0)
	for l := 0; l < len(w.buckets); l++ {
		for k := 0; k < len(w.buckets[l]); k++ {
			x := w.buckets[l][k]
			if w.done[x] || dt.length[x] != int32(l) {
				continue
			}
			w.done[x] = true
			if x != d && !g.sites[x].transit {
				continue // it uses the route but passes nothing on
			}
			for _, t := range g.sites[x].tunnels {
				if dead != nil && dead[t] {
					continue
				}
				y, _ := g.tunnels[t].peer(x)
				if w.done[y] {
					continue
				}
				_, p := g.announce(pr, t, x)
				c := int32(l) + 1 + p
				if dt.length[y] < 0 || c < dt.length[y] {
					dt.length[y] = c
					push(y, c)
				}
			}
		}
	}
	for x := int32(0); x < n; x++ {
		dt.off[x] = int32(len(dt.tun))
		if x != d && dt.length[x] >= 0 {
			var m Mode
			dt.tun, m = g.choose(pr, w, dt, x, dead, nil, dt.tun)
			dt.mode[x] = m
		}
	}
	dt.off[n] = int32(len(dt.tun))
	return dt
}

// choose appends to out the tunnels receiver x uses toward dt.d, by its
// router's rules, and says how. Tunnels in skip are left out (a backup
// choice); dead marks tunnels that are down.
func (g *graph) choose(pr *prefResult, w *fwdWork, dt *destTable, x int32, dead []bool, skip []int32, out []int32) ([]int32, Mode) {
	b := behaviour(g.sites[x].kind)
	w.stamp++
	for _, t := range skip {
		w.skipAt[t] = w.stamp
	}
	cs := w.cand[:0]
	for _, t := range g.sites[x].tunnels {
		if (dead != nil && dead[t]) || w.skipAt[t] == w.stamp {
			continue
		}
		y, _ := g.tunnels[t].peer(x)
		if dt.length[y] < 0 || (y != dt.d && !g.sites[y].transit) {
			continue
		}
		med, p := g.announce(pr, t, y)
		cs = append(cs, cand{t: t, x: y, length: dt.length[y] + 1 + p, med: med})
	}
	w.cand = cs
	if len(cs) == 0 {
		return out, ""
	}
	keep := func(ok func(c *cand) bool) {
		k := 0
		for i := range cs {
			if ok(&cs[i]) {
				cs[k] = cs[i]
				k++
			}
		}
		cs = cs[:k]
	}
	minLen := func() int32 {
		m := cs[0].length
		for _, c := range cs {
			m = min(m, c.length)
		}
		return m
	}
	minMED := func() uint32 {
		m := cs[0].med
		for _, c := range cs {
			m = min(m, c.med)
		}
		return m
	}
	sure := true // the model decides; false: any of cs may carry it
	switch b.ASPath {
	case ASPathFirst:
		l := minLen()
		keep(func(c *cand) bool { return c.length == l })
	case ASPathPerTask:
		// The lowest-MED routes win wherever they meet if they are all
		// shortest too; otherwise the grouping of peers into BGP tasks
		// decides, which the plan cannot know.
		l, m := minLen(), minMED()
		for _, c := range cs {
			if c.med == m && c.length != l {
				sure = false
			}
		}
		if sure {
			keep(func(c *cand) bool { return c.med == m })
		}
	}
	if sure {
		switch b.MED {
		case MEDAlways:
			m := minMED()
			keep(func(c *cand) bool { return c.med == m })
		case MEDSameNeighbour:
			// Lowest MED per neighbouring AS (one site, one AS).
			for _, c := range cs {
				if w.medAt[c.x] != w.stamp || c.med < w.nbMED[c.x] {
					w.medAt[c.x], w.nbMED[c.x] = w.stamp, c.med
				}
			}
			keep(func(c *cand) bool { return c.med == w.nbMED[c.x] })
		case MEDUnknown:
			sure = minMED() == cs[0].med
			for _, c := range cs {
				sure = sure && c.med == cs[0].med
			}
		}
	}
	start := len(out)
	for _, c := range cs {
		out = append(out, c.t)
	}
	slices.Sort(out[start:])
	switch {
	case len(cs) == 1:
		return out, Single
	case !sure:
		return out, OneOf
	case b.Ties == TieECMP:
		return out, ECMP
	case b.Ties == TieECMPSameAS:
		for _, c := range cs {
			if c.x != cs[0].x {
				return out, OneOf
			}
		}
		return out, ECMP
	}
	return out, OneOf
}

// paths lists the paths traffic from src follows in dt (at most MaxPaths)
// and their mode: Single for one path, ECMP when every branching router
// spreads, OneOf when one picks.
func (g *graph) forwardPaths(dt *destTable, src int32, first []int32, firstMode Mode) ([]cpath, Mode, int) {
	if len(first) == 0 {
		return nil, "", 0
	}
	var out []cpath
	more := 0
	mode := Single
	note := func(m Mode, branches int) {
		if branches > 1 && mode != OneOf {
			if m == OneOf {
				mode = OneOf
			} else {
				mode = ECMP
			}
		}
	}
	sites := []int32{src}
	var tuns []int32
	onPath := make(map[int32]bool, 4)
	onPath[src] = true
	var walk func(x int32, choice []int32, m Mode)
	walk = func(x int32, choice []int32, m Mode) {
		note(m, len(choice))
		for _, t := range choice {
			y, _ := g.tunnels[t].peer(x)
			if onPath[y] {
				continue // cannot happen in a stable state; never loop
			}
			if len(out) >= MaxPaths {
				more += int(g.count(dt, y))
				continue
			}
			sites, tuns = append(sites, y), append(tuns, t)
			if y == dt.d {
				if len(out) < MaxPaths {
					out = append(out, cpath{sites: slices.Clone(sites), tunnels: slices.Clone(tuns)})
				} else {
					more++
				}
			} else if c := dt.choice(y); len(c) > 0 {
				onPath[y] = true
				walk(y, c, dt.mode[y])
				onPath[y] = false
			}
			sites, tuns = sites[:len(sites)-1], tuns[:len(tuns)-1]
		}
	}
	walk(src, first, firstMode)
	if len(out) == 1 && more == 0 {
		mode = Single
	}
	return out, mode, more
}

// fwdTable holds every ordered pair's forwarding, by src*n+dst: the
// paths (at most MaxPaths, more counts the rest) and mode of the primary
// and of the backup, and the source's first-hop tunnels of each.
type fwdTable struct {
	n    int
	prim []fwdEntry
	back []fwdEntry
}

type fwdEntry struct {
	first []int32
	paths []cpath
	mode  Mode
	more  int
}

func (g *graph) forwarding(pr *prefResult) *fwdTable {
	n := len(g.sites)
	ft := &fwdTable{n: n, prim: make([]fwdEntry, n*n), back: make([]fwdEntry, n*n)}
	parallel(n, func() *fwdWork { return newFwdWork(g) }, func(w *fwdWork, di int) {
		d := int32(di)
		dt := g.simulate(pr, w, d, nil)
		for src := int32(0); src < int32(n); src++ {
			if src == d || dt.length[src] < 0 {
				continue
			}
			i := int(src)*n + int(d)
			e := fwdEntry{first: dt.choice(src)}
			e.paths, e.mode, e.more = g.forwardPaths(dt, src, e.first, dt.mode[src])
			ft.prim[i] = e
			ft.back[i] = g.backup(pr, w, dt, src, e.first)
		}
	})
	return ft
}

// backup is where traffic from src toward dt.d goes once src's chosen
// tunnels are down. The neighbours whose own routes cannot pass through
// src (their AS path is no longer than src's) keep their routes; if the
// best of what they offer is no longer than one more than src's length,
// nothing a re-converged neighbour could offer beats it, and the state is
// exact without re-running. Otherwise the destination is simulated again
// with those tunnels down.
func (g *graph) backup(pr *prefResult, w *fwdWork, dt *destTable, src int32, lost []int32) fwdEntry {
	cheap := func() fwdEntry {
		var e fwdEntry
		var m Mode
		e.first, m = g.choose(pr, w, dt, src, nil, lost, nil)
		e.paths, e.mode, e.more = g.forwardPaths(dt, src, e.first, m)
		if len(e.paths) == 0 {
			return fwdEntry{}
		}
		return e
	}
	if behaviour(g.sites[src].kind).ASPath != ASPathFirst || !g.sites[src].transit {
		// No neighbour's route passes through a site that does not
		// transit, so every neighbour keeps what it has.
		return cheap()
	}
	// Shortest offer from neighbours that cannot route through src. A
	// neighbour without a route now has none after the loss either: with
	// no neighbour offering anything there is no backup.
	best, any := int32(-1), false
	w.stamp++
	for _, t := range lost {
		w.skipAt[t] = w.stamp
	}
	for _, t := range g.sites[src].tunnels {
		if w.skipAt[t] == w.stamp {
			continue
		}
		y, _ := g.tunnels[t].peer(src)
		ly := dt.length[y]
		if ly < 0 || (y != dt.d && !g.sites[y].transit) {
			continue
		}
		any = true
		if ly > dt.length[src] {
			continue
		}
		_, p := g.announce(pr, t, y)
		if c := ly + 1 + p; best < 0 || c < best {
			best = c
		}
	}
	if !any {
		return fwdEntry{}
	}
	if best >= 0 && best <= dt.length[src]+1 {
		return cheap()
	}
	dead := make([]bool, len(g.tunnels))
	for _, t := range lost {
		dead[t] = true
	}
	re := g.simulate(pr, w, dt.d, dead)
	if re.length[src] < 0 {
		return fwdEntry{}
	}
	e := fwdEntry{first: slices.Clone(re.choice(src))}
	e.paths, e.mode, e.more = g.forwardPaths(re, src, e.first, re.mode[src])
	return e
}
