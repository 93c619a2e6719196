package routing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// randomMeshes is a fixed set of meshes of every kind for property tests.
func randomMeshes(seed uint64, count int) []*topology.Mesh {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []*topology.Mesh
	for i := 0; i < count; i++ {
		n := 3 + r.IntN(10)
		sites := randomSites(r, n)
		red := 1 + r.IntN(3)
		var m *topology.Mesh
		switch i % 4 {
		case 0:
			m = fullMesh(red, sites...)
		case 1:
			hubs := []string{sites[0].Name}
			if r.IntN(2) == 0 {
				hubs = append(hubs, sites[1].Name)
			}
			m = hubSpoke(red, hubs, sites...)
		default:
			m = linksMesh(red, randomLinks(r, sites, r.IntN(2*n)), sites...)
		}
		out = append(out, m)
	}
	return out
}

// checkPaths checks, without the package's search, that a pair's paths
// are real paths from a to b, simple, and pairwise disjoint in tunnels,
// gateway interfaces and intermediate sites.
func checkPaths(t *testing.T, m *topology.Mesh, a *alloc.Allocation, p PairPaths) {
	t.Helper()
	tun := map[string]*alloc.Tunnel{}
	for i := range a.Tunnels {
		tun[a.Tunnels[i].Key] = &a.Tunnels[i]
	}
	cloud := map[string]topology.Cloud{}
	for _, s := range m.Sites {
		cloud[s.Name] = s.Cloud
	}
	usedTun := map[string]bool{}
	usedIf := map[string]bool{}
	usedMid := map[string]bool{}
	paths := append([]Path{p.Primary}, p.Backups...)
	for k, path := range paths {
		if len(path.Sites) != len(path.Tunnels)+1 || path.Sites[0] != p.A || path.Sites[len(path.Sites)-1] != p.B {
			t.Errorf("%s-%s path %d malformed: %v", p.A, p.B, k, path)
			continue
		}
		seen := map[string]bool{}
		for i, key := range path.Tunnels {
			x, y := path.Sites[i], path.Sites[i+1]
			tu := tun[key]
			if tu == nil || !((tu.A.Site == x && tu.B.Site == y) || (tu.A.Site == y && tu.B.Site == x)) {
				t.Errorf("%s-%s path %d: tunnel %s does not join %s and %s", p.A, p.B, k, key, x, y)
				continue
			}
			if usedTun[key] {
				t.Errorf("%s-%s: tunnel %s used twice", p.A, p.B, key)
			}
			usedTun[key] = true
			for _, e := range []alloc.End{tu.A, tu.B} {
				if cloud[e.Site] == topology.Host {
					continue
				}
				ifc := fmt.Sprintf("%s/%d", e.Site, e.Interface)
				// A path may cross one interface twice at its own transit
				// site (in and out); other paths must not touch it.
				if usedIf[ifc] && !seen["if:"+ifc] {
					t.Errorf("%s-%s: interface %s shared", p.A, p.B, ifc)
				}
				usedIf[ifc] = true
				seen["if:"+ifc] = true
			}
		}
		for i, s := range path.Sites {
			if seen[s] {
				t.Errorf("%s-%s path %d revisits %s", p.A, p.B, k, s)
			}
			seen[s] = true
			if i > 0 && i < len(path.Sites)-1 {
				if usedMid[s] {
					t.Errorf("%s-%s: transit site %s shared", p.A, p.B, s)
				}
				usedMid[s] = true
			}
		}
	}
}

// refMinCost is an independent min-cost flow: successive shortest paths
// with Bellman-Ford on the residual graph (no potentials, no pruning, no
// A*), over the same arcs and costs. It returns the flow value (up to k)
// and its cost.
func refMinCost(g *graph, a, b int32, k int) (int, int64) {
	src, dst := g.sites[a].gOut(), g.sites[b].gIn()
	flow := make([]bool, len(g.head))
	found := 0
	var total int64
	for found < k {
		dist := make([]int64, g.nNodes)
		pred := make([]int, g.nNodes)
		for i := range dist {
			dist[i] = math.MaxInt64
			pred[i] = -1
		}
		dist[src] = 0
		for iter := 0; iter < g.nNodes; iter++ {
			changed := false
			for e := range g.head {
				u, v, c := g.tail[e], g.head[e], g.cost[e]
				if flow[e] {
					u, v, c = v, u, -c
				}
				if dist[u] != math.MaxInt64 && dist[u]+c < dist[v] {
					dist[v], pred[v] = dist[u]+c, e
					changed = true
				}
			}
			if !changed {
				break
			}
		}
		if dist[dst] == math.MaxInt64 {
			break
		}
		for v := dst; v != src; {
			e := pred[v]
			flow[e] = !flow[e]
			if flow[e] {
				v = g.tail[e]
			} else {
				v = g.head[e]
			}
		}
		total += dist[dst]
		found++
	}
	return found, total
}

func TestDisjointRandom(t *testing.T) {
	for i, m := range randomMeshes(1, 60) {
		a := newAlloc(m)
		r, err := Analyze(m, a)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := buildGraph(m, a, nil)
		for _, p := range r.Pairs {
			ia, ib := g.byName[p.A], g.byName[p.B]
			want, wantCost := refMinCost(g, ia, ib, g.k)
			got := 0
			if len(p.Primary.Tunnels) > 0 {
				got = 1 + len(p.Backups)
				checkPaths(t, m, a, p)
			}
			if got != want {
				t.Errorf("mesh %d %s-%s: %d paths, reference finds %d", i, p.A, p.B, got, want)
				continue
			}
			// Same optimum: the paths' cost is the reference's.
			var cost int64
			for _, path := range append([]Path{p.Primary}, p.Backups...) {
				cost += pathCost(g, path)
			}
			if got > 0 && cost != wantCost {
				t.Errorf("mesh %d %s-%s: cost %d, reference %d", i, p.A, p.B, cost, wantCost)
			}
			if short, ok := r.Shortfall[[2]string{p.A, p.B}]; (got < max(m.Redundancy, 1)) != ok || (ok && short != got) {
				t.Errorf("mesh %d %s-%s: shortfall %d,%v with %d paths", i, p.A, p.B, short, ok, got)
			}
		}
	}
}

// pathCost prices a path with the graph's cost model, independently of
// the search: hops, transit sites, interfaces and tunnel ranks.
func pathCost(g *graph, p Path) int64 {
	var c int64
	for i, key := range p.Tunnels {
		id := g.byKey[key]
		t := &g.tunnels[id]
		c += g.hop + int64(id)
		from := g.byName[p.Sites[i]]
		ifFrom, ifTo := t.ia, t.ib
		if t.a != from {
			ifFrom, ifTo = t.ib, t.ia
		}
		c += g.ifCost * int64(max(ifFrom, 0)+max(ifTo, 0))
		if i > 0 {
			c += int64(from) * g.transitUnit
		}
	}
	return c
}

// In full mesh and hub-and-spoke the primary is a shortest path in hops.
func TestPrimaryShortest(t *testing.T) {
	for i, m := range randomMeshes(2, 40) {
		if m.Topology == topology.Links {
			continue
		}
		a := newAlloc(m)
		r, _ := Analyze(m, a)
		g, _ := buildGraph(m, a, nil)
		for _, p := range r.Pairs {
			if h := g.hops[int(g.byName[p.A])*len(g.sites)+int(g.byName[p.B])]; int(max(h, 0)) != len(p.Primary.Tunnels) {
				t.Errorf("mesh %d %s-%s: primary %v, shortest %d hops", i, p.A, p.B, p.Primary, h)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for i, m := range randomMeshes(3, 24) {
		a := newAlloc(m)
		want, err := Analyze(m, a)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 3; k++ {
			m2 := shuffled(r, m)
			got, err := Analyze(m2, shuffledAlloc(r, newAlloc(m2)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("mesh %d: result depends on input order", i)
			}
		}
	}
}
