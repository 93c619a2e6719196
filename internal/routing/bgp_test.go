package routing

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// A small path-vector BGP simulator, independent of the package's model:
// each site is an AS; each tunnel carries a session per direction with the
// announcer's MED and prepend from the Result; a site announces its own
// prefix and re-announces its best route; a route whose AS path holds the
// receiver is dropped; best = shortest AS path, then lowest MED. Rounds are
// synchronous and run until nothing changes.

type bgpRoute struct {
	path   []string // AS path (site names, prepends repeated), nearest first
	tunnel string
	med    uint32
}

type session struct {
	tunnel, from, to string
	med              uint32
	prepend          int
}

// simulate returns best[receiver][dest] and whether it converged without a
// tie on (length, MED) between different sessions for any chosen route.
func simulate(m *topology.Mesh, a *alloc.Allocation, prefs []Preference, down map[string]bool) (map[string]map[string]*bgpRoute, bool, bool) {
	pref := map[[2]string]Preference{}
	for _, p := range prefs {
		pref[[2]string{p.Tunnel, p.Announcer}] = p
	}
	in := map[string][]session{}
	for _, t := range a.Tunnels {
		if down[t.Key] {
			continue
		}
		for _, d := range [][2]string{{t.A.Site, t.B.Site}, {t.B.Site, t.A.Site}} {
			p := pref[[2]string{t.Key, d[0]}]
			in[d[1]] = append(in[d[1]], session{t.Key, d[0], d[1], p.MED, p.Prepend})
		}
	}
	best := map[string]map[string]*bgpRoute{}
	for _, s := range m.Sites {
		best[s.Name] = map[string]*bgpRoute{s.Name: {}}
	}
	tie := false
	for round := 0; round < 4*len(m.Sites)+8; round++ {
		next := map[string]map[string]*bgpRoute{}
		changed := false
		tie = false
		for _, recv := range m.Sites {
			next[recv.Name] = map[string]*bgpRoute{recv.Name: {}}
			for _, dst := range m.Sites {
				if dst.Name == recv.Name {
					continue
				}
				var win *bgpRoute
				tied := false
				for _, s := range in[recv.Name] {
					r := best[s.from][dst.Name]
					if r == nil || slices.Contains(r.path, recv.Name) {
						continue
					}
					path := make([]string, 0, 1+s.prepend+len(r.path))
					for k := 0; k <= s.prepend; k++ {
						path = append(path, s.from)
					}
					c := &bgpRoute{path: append(path, r.path...), tunnel: s.tunnel, med: s.med}
					switch {
					case win == nil || len(c.path) < len(win.path) || (len(c.path) == len(win.path) && c.med < win.med):
						win, tied = c, false
					case len(c.path) == len(win.path) && c.med == win.med:
						tied = true
					}
				}
				tie = tie || tied
				if win != nil {
					next[recv.Name][dst.Name] = win
				}
				old := best[recv.Name][dst.Name]
				if (old == nil) != (win == nil) || (old != nil && (old.tunnel != win.tunnel || !slices.Equal(old.path, win.path))) {
					changed = true
				}
			}
		}
		best = next
		if !changed {
			return best, true, !tie
		}
	}
	return best, false, !tie
}

// firstTunnel is the tunnel site s sends on to follow path p of a pair.
func firstTunnel(p Path, s string) string {
	if p.Sites[0] == s {
		return p.Tunnels[0]
	}
	return p.Tunnels[len(p.Tunnels)-1]
}

type bgpCase struct {
	name string
	m    *topology.Mesh
	// primaryExact: BGP must pick every primary's first tunnel.
	// backupNext: after the primary's first tunnel fails, BGP must pick
	// the first backup's first tunnel for every pair. Beyond these, what
	// the analysis claims (prefResult flags) is checked, and that some
	// route survives a failure.
	primaryExact, backupNext bool
}

func bgpCases() []bgpCase {
	r := rand.New(rand.NewPCG(9, 9))
	hosts := func(n int) []topology.Site {
		s := make([]topology.Site, n)
		for i := range s {
			s[i] = st(string(rune('a'+i)), topology.Host)
		}
		return s
	}
	ring := func(n int) [][2]string {
		var l [][2]string
		for i := 0; i < n; i++ {
			l = append(l, [2]string{string(rune('a' + i)), string(rune('a' + (i+1)%n))})
		}
		return l
	}
	mixed := []topology.Site{st("aws", topology.AWS), st("gcp1", topology.GCP), st("gcp2", topology.GCP), st("az1", topology.Azure), st("az2", topology.Azure), st("h1", topology.Host), st("h2", topology.Host), st("h3", topology.Host)}
	cases := []bgpCase{
		{"full-hosts", fullMesh(2, hosts(6)...), true, true},
		{"full-mixed", fullMesh(2, mixed...), true, true},
		{"full-bench", fullMesh(2, benchSites(13)...), true, true},
		{"full-random", fullMesh(2, randomSites(r, 9)...), true, true},
		{"hub-one", hubSpoke(2, []string{"gcp1"}, mixed...), true, true},
		{"hub-two-host-spokes", hubSpoke(2, []string{"gcp1", "az1"}, append(mixed[1:2], append(mixed[3:4], hosts(5)...)...)...), true, true},
		// A cloud spoke's backup leaves on its other interface, to the
		// other hub; a MED per session cannot rank that above the other
		// tunnels to the first hub for spokes yet below them for the hub.
		{"hub-two-cloud-spokes", hubSpoke(2, []string{"gcp1", "az1"}, mixed...), true, false},
		// The backup runs the other way round: it only exists once the
		// neighbours whose primaries crossed the failed tunnel re-route,
		// which the static analysis does not claim.
		{"ring-5", linksMesh(2, ring(5), hosts(5)...), true, false},
		{"ring-6", linksMesh(2, ring(6), hosts(6)...), true, false},
	}
	for i := 0; i < 6; i++ {
		s := randomSites(r, 5+r.IntN(5))
		cases = append(cases, bgpCase{"links-random", linksMesh(2, randomLinks(r, s, len(s)), s...), false, false})
	}
	return cases
}

// claims returns the package's own verdict per (receiver, dest): flags.
func claims(t *testing.T, m *topology.Mesh, a *alloc.Allocation) func(recv, dst string) uint8 {
	g, err := buildGraph(m, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr := g.preferences(g.allPairs())
	return func(recv, dst string) uint8 {
		return pr.flags[int(g.byName[recv])*len(g.sites)+int(g.byName[dst])]
	}
}

func TestBGPSelection(t *testing.T) {
	for _, c := range bgpCases() {
		t.Run(c.name, func(t *testing.T) {
			a := newAlloc(c.m)
			r, err := Analyze(c.m, a)
			if err != nil {
				t.Fatal(err)
			}
			flags := claims(t, c.m, a)
			exact := c.primaryExact
			best, conv, noTie := simulate(c.m, a, r.Preferences, nil)
			if !conv || !noTie {
				t.Fatalf("converged %v, no ties %v", conv, noTie)
			}
			checked, failover := 0, 0
			for _, p := range r.Pairs {
				if len(p.Primary.Tunnels) == 0 {
					continue
				}
				for _, ends := range [][2]string{{p.A, p.B}, {p.B, p.A}} {
					recv, dst := ends[0], ends[1]
					f := flags(recv, dst)
					want := firstTunnel(p.Primary, recv)
					got := best[recv][dst]
					if exact && f&flagPrimary != 0 {
						t.Errorf("%s->%s: primary claimed unrealisable", recv, dst)
					}
					if f&flagPrimary == 0 {
						checked++
						if got == nil || got.tunnel != want {
							t.Errorf("%s->%s: BGP picks %+v, primary's first tunnel is %s", recv, dst, got, want)
						}
					}
					if len(p.Backups) == 0 {
						continue
					}
					// Fail the primary's first tunnel.
					after, conv, noTie := simulate(c.m, a, r.Preferences, map[string]bool{want: true})
					if !conv {
						t.Fatalf("no convergence after losing %s", want)
					}
					ga := after[recv][dst]
					if ga == nil {
						t.Errorf("%s->%s: no route after losing %s", recv, dst, want)
						continue
					}
					wantB := firstTunnel(p.Backups[0], recv)
					if c.backupNext && f&flagBackup != 0 {
						t.Errorf("%s->%s: backup claimed unrealisable", recv, dst)
					}
					if f&flagBackup == 0 && f&flagPrimary == 0 {
						failover++
						if ga.tunnel != wantB || !noTie {
							t.Errorf("%s->%s: after losing %s BGP picks %s (tie %v), first backup's first tunnel is %s",
								recv, dst, want, ga.tunnel, !noTie, wantB)
						}
					}
				}
			}
			t.Logf("%d primaries and %d failovers checked against BGP", checked, failover)
			if exact && checked == 0 {
				t.Error("nothing checked")
			}
		})
	}
}
