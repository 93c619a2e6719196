package routing

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// pairTable holds every pair's disjoint paths, indexed by pairIndex, each
// path running from the lower site index (name order) to the higher.
type pairTable struct {
	n   int
	res [][]cpath
}

func pairIndex(n, i, j int) int { return i*n - i*(i+1)/2 + (j - i - 1) }

// get returns the pair's paths and whether they run from d to a, i.e.
// must be read backwards from a's side.
func (pt *pairTable) get(a, d int32) ([]cpath, bool) {
	if a < d {
		return pt.res[pairIndex(pt.n, int(a), int(d))], false
	}
	return pt.res[pairIndex(pt.n, int(d), int(a))], true
}

// firstHop returns, for path p of the pair (a, d) seen from a, the tunnel
// a sends on and the site at its other end.
func firstHop(p *cpath, rev bool) (tunnel, next int32) {
	if rev {
		return p.tunnels[len(p.tunnels)-1], p.sites[len(p.sites)-2]
	}
	return p.tunnels[0], p.sites[1]
}

// allPairs finds the disjoint paths of every pair. Work is split by source
// site over a bounded set of workers (one per CPU), each with its own
// solver and buffers; sources go out in index order, most pairs first, so
// the tail of the run is made of small items.
func (g *graph) allPairs() *pairTable {
	n := len(g.sites)
	pt := &pairTable{n: n, res: make([][]cpath, n*(n-1)/2)}
	parallel(n, func() *solver { return newSolver(g) }, func(s *solver, i int) {
		for j := i + 1; j < n; j++ {
			pt.res[pairIndex(n, i, j)] = s.paths(int32(i), int32(j))
		}
	})
	return pt
}

// parallel runs body(state, i) for i in [0, n) on at most GOMAXPROCS
// goroutines, each with state from newState. Items are taken in order.
func parallel[S any](n int, newState func() S, body func(S, int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		if n > 0 {
			st := newState()
			for i := 0; i < n; i++ {
				body(st, i)
			}
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := newState()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				body(st, i)
			}
		}()
	}
	wg.Wait()
}
