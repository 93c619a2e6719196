package routing

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// bruteCuts removes one element and compares connectivity by plain graph
// search over sites: a tunnel carries traffic if it, both its end
// interfaces and both sites are alive, and a GCP site relays nothing (its
// Cloud Router does not re-advertise learned routes). It returns the pairs
// that were connected and no longer are, without pairs containing the lost
// site.
func bruteCuts(m *topology.Mesh, a *alloc.Allocation, e element) [][2]string {
	connected := func(deadTun string, deadIf string, deadSite string) map[[2]string]bool {
		adj := map[string][]string{}
		for _, t := range a.Tunnels {
			if t.Key == deadTun || t.A.Site == deadSite || t.B.Site == deadSite {
				continue
			}
			ifOf := func(e alloc.End) string {
				s, _ := m.Site(e.Site)
				if s.Cloud == topology.Host {
					return ""
				}
				return fmt.Sprintf("%s/%d", e.Site, e.Interface)
			}
			if deadIf != "" && (ifOf(t.A) == deadIf || ifOf(t.B) == deadIf) {
				continue
			}
			adj[t.A.Site] = append(adj[t.A.Site], t.B.Site)
			adj[t.B.Site] = append(adj[t.B.Site], t.A.Site)
		}
		out := map[[2]string]bool{}
		for _, s := range m.Sites {
			seen := map[string]bool{s.Name: true}
			stack := []string{s.Name}
			for len(stack) > 0 {
				u := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if us, _ := m.Site(u); u != s.Name && us.Cloud == topology.GCP {
					continue
				}
				for _, v := range adj[u] {
					if !seen[v] {
						seen[v] = true
						stack = append(stack, v)
					}
				}
			}
			for v := range seen {
				if s.Name < v {
					out[[2]string{s.Name, v}] = true
				}
			}
		}
		return out
	}
	before := connected("", "", "")
	var after map[[2]string]bool
	var own string
	switch e.kind {
	case elTunnel:
		after = connected(e.name, "", "")
	case elInterface:
		after = connected("", fmt.Sprintf("%s/%d", e.name, e.iface), "")
	default:
		own = e.name
		after = connected("", "", e.name)
	}
	var cuts [][2]string
	for p := range before {
		if !after[p] && p[0] != own && p[1] != own {
			cuts = append(cuts, p)
		}
	}
	sort.Slice(cuts, func(i, j int) bool {
		if cuts[i][0] != cuts[j][0] {
			return cuts[i][0] < cuts[j][0]
		}
		return cuts[i][1] < cuts[j][1]
	})
	return cuts
}

func TestWeakPointsBruteForce(t *testing.T) {
	kinds := map[string]int{}
	for i, m := range randomMeshes(4, 60) {
		a := newAlloc(m)
		// Thin some meshes out: drop tunnels so interfaces and tunnels
		// become weak points too.
		if i%3 == 0 {
			var keep []alloc.Tunnel
			for k, tu := range a.Tunnels {
				if k%3 != 1 {
					keep = append(keep, tu)
				}
			}
			a.Tunnels = keep
		}
		r, err := Analyze(m, a)
		if err != nil {
			t.Fatal(err)
		}
		got := weak(r)
		want := map[Element][][2]string{}
		var elems []element
		for _, tu := range a.Tunnels {
			elems = append(elems, element{kind: elTunnel, name: tu.Key})
		}
		for _, s := range m.Sites {
			elems = append(elems, element{kind: elGateway, name: s.Name}, element{kind: elSite, name: s.Name})
			if s.Cloud != topology.Host {
				elems = append(elems, element{kind: elInterface, name: s.Name, iface: 0}, element{kind: elInterface, name: s.Name, iface: 1})
			}
		}
		for _, e := range elems {
			if c := bruteCuts(m, a, e); len(c) > 0 {
				want[Element(e.String())] = c
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("mesh %d (%s, %d sites):\n got %v\nwant %v", i, m.Topology, len(m.Sites), got, want)
		}
		for e := range want {
			k, _, _ := strings.Cut(string(e), ":")
			kinds[k]++
		}
	}
	// The sample must exercise every kind of weak point.
	for _, k := range []string{"tunnel", "interface", "gateway", "site"} {
		if kinds[k] == 0 {
			t.Errorf("no %s weak points in the sample: %v", k, kinds)
		}
	}
	t.Logf("weak points checked: %v", kinds)
}
