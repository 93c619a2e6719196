package routing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// A path-vector BGP simulator written from the clouds' documentation
// (../shared/reference/cloud-routing.md), independently of model.go and
// forward.go: each site is an AS; each tunnel carries a session per
// direction with the announcer's MED and prepend from the Result (a site's
// router sends only what its cloud lets it set); a site announces its own
// prefix and, if its router re-advertises, its best route; a route whose AS
// path holds the receiver is dropped. Rounds are synchronous and run until
// nothing changes. Each receiver chooses by its cloud's documented rules:
//
//	host:  shortest AS path, lowest MED over all, one best path (GoBGP)
//	VGW:   shortest AS path, lowest MED per neighbour AS, one tunnel (no ECMP)
//	TGW:   shortest AS path, lowest MED per neighbour AS, ECMP within an AS
//	GCP:   legacy mode: lowest MED across peers; AS path only inside one
//	       BGP task, so when the lowest MEDs are not all on shortest paths
//	       the outcome is not known (any route may win); ECMP on ties;
//	       never re-advertises
//	Azure: shortest AS path, MED use undocumented, both tunnels used

type simRoute struct {
	path   []string // AS path (site names, prepends repeated), nearest first
	tunnel string
	from   string
	med    uint32
}

type simChoice struct {
	routes  []simRoute // chosen (several: ECMP, or a tie whose winner is unknown)
	ecmp    bool       // spread over all of them
	unknown bool       // the cloud's documentation does not decide among them
}

type simSession struct {
	tunnel, from, to string
	med              uint32
	prepend          int
}

type simKind struct {
	transit, shortestFirst, gcp bool
	med                         string // "all", "neighbour", "unknown"
	ecmp                        string // "none", "all", "same-as"
}

func simKindOf(s topology.Site) simKind {
	switch {
	case s.Cloud == topology.AWS && s.Gateway == topology.GatewayTGW:
		return simKind{transit: true, shortestFirst: true, med: "neighbour", ecmp: "same-as"}
	case s.Cloud == topology.AWS:
		return simKind{transit: true, shortestFirst: true, med: "neighbour", ecmp: "none"}
	case s.Cloud == topology.GCP:
		return simKind{gcp: true, med: "all", ecmp: "all"}
	case s.Cloud == topology.Azure:
		return simKind{transit: true, shortestFirst: true, med: "unknown", ecmp: "all"}
	}
	return simKind{transit: true, shortestFirst: true, med: "all", ecmp: "none"}
}

// simChoose picks among the candidate routes by kind k's rules.
func simChoose(k simKind, cs []simRoute) simChoice {
	if len(cs) == 0 {
		return simChoice{}
	}
	shortest := func(rs []simRoute) []simRoute {
		l := len(rs[0].path)
		for _, r := range rs {
			l = min(l, len(r.path))
		}
		var out []simRoute
		for _, r := range rs {
			if len(r.path) == l {
				out = append(out, r)
			}
		}
		return out
	}
	lowestMED := func(rs []simRoute) []simRoute {
		m := rs[0].med
		for _, r := range rs {
			m = min(m, r.med)
		}
		var out []simRoute
		for _, r := range rs {
			if r.med == m {
				out = append(out, r)
			}
		}
		return out
	}
	if k.gcp {
		low := lowestMED(cs)
		short := shortest(cs)
		for _, r := range low {
			if len(r.path) != len(short[0].path) {
				return simChoice{routes: cs, unknown: true}
			}
		}
		return simChoice{routes: low, ecmp: true}
	}
	rs := cs
	if k.shortestFirst {
		rs = shortest(rs)
	}
	unknown := false
	switch k.med {
	case "all":
		rs = lowestMED(rs)
	case "neighbour":
		byAS := map[string]uint32{}
		for _, r := range rs {
			if v, ok := byAS[r.from]; !ok || r.med < v {
				byAS[r.from] = r.med
			}
		}
		var out []simRoute
		for _, r := range rs {
			if r.med == byAS[r.from] {
				out = append(out, r)
			}
		}
		rs = out
	case "unknown":
		for _, r := range rs {
			unknown = unknown || r.med != rs[0].med
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].tunnel < rs[j].tunnel })
	c := simChoice{routes: rs, unknown: unknown}
	switch k.ecmp {
	case "all":
		c.ecmp = !unknown
	case "same-as":
		c.ecmp = true
		for _, r := range rs {
			c.ecmp = c.ecmp && r.from == rs[0].from
		}
	}
	return c
}

// simulate returns choice[receiver][dest] and whether it converged.
func simulate(m *topology.Mesh, a *alloc.Allocation, prefs []Preference, down map[string]bool) (map[string]map[string]simChoice, bool) {
	pref := map[[2]string]Preference{}
	for _, p := range prefs {
		pref[[2]string{p.Tunnel, p.Announcer}] = p
	}
	kinds := map[string]simKind{}
	for _, s := range m.Sites {
		kinds[s.Name] = simKindOf(s)
	}
	in := map[string][]simSession{}
	for _, t := range a.Tunnels {
		if down[t.Key] || down[t.A.Site] || down[t.B.Site] {
			continue
		}
		for _, d := range [][2]string{{t.A.Site, t.B.Site}, {t.B.Site, t.A.Site}} {
			p := pref[[2]string{t.Key, d[0]}]
			in[d[1]] = append(in[d[1]], simSession{t.Key, d[0], d[1], p.MED, p.Prepend})
		}
	}
	// adv[site][dest]: the route the site announces (its own: empty path).
	adv := map[string]map[string]*simRoute{}
	for _, s := range m.Sites {
		if !down[s.Name] {
			adv[s.Name] = map[string]*simRoute{s.Name: {}}
		}
	}
	var choice map[string]map[string]simChoice
	for round := 0; round < 4*len(m.Sites)+8; round++ {
		next := map[string]map[string]*simRoute{}
		choice = map[string]map[string]simChoice{}
		changed := false
		for _, recv := range m.Sites {
			if down[recv.Name] {
				continue
			}
			k := kinds[recv.Name]
			next[recv.Name] = map[string]*simRoute{recv.Name: {}}
			choice[recv.Name] = map[string]simChoice{}
			for _, dst := range m.Sites {
				if dst.Name == recv.Name {
					continue
				}
				var cs []simRoute
				for _, s := range in[recv.Name] {
					r := adv[s.from][dst.Name]
					if r == nil || slices.Contains(r.path, recv.Name) {
						continue
					}
					path := make([]string, 0, 1+s.prepend+len(r.path))
					for i := 0; i <= s.prepend; i++ {
						path = append(path, s.from)
					}
					cs = append(cs, simRoute{path: append(path, r.path...), tunnel: s.tunnel, from: s.from, med: s.med})
				}
				c := simChoose(k, cs)
				if len(c.routes) == 0 {
					continue
				}
				choice[recv.Name][dst.Name] = c
				if k.transit {
					// It announces one best path: which one of a tie does
					// not change its length.
					best := c.routes[0]
					next[recv.Name][dst.Name] = &best
				}
				old := adv[recv.Name][dst.Name]
				nw := next[recv.Name][dst.Name]
				if (old == nil) != (nw == nil) || (old != nil && (old.tunnel != nw.tunnel || !slices.Equal(old.path, nw.path))) {
					changed = true
				}
			}
		}
		adv = next
		if !changed {
			return choice, true
		}
	}
	return choice, false
}

type bgpCase struct {
	name string
	m    *topology.Mesh
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
	tgw := st("tgw", topology.AWS)
	tgw.Gateway = topology.GatewayTGW
	mixed := []topology.Site{st("aws", topology.AWS), st("gcp1", topology.GCP), st("gcp2", topology.GCP), st("az1", topology.Azure), st("az2", topology.Azure), st("h1", topology.Host), st("h2", topology.Host), st("h3", topology.Host)}
	cases := []bgpCase{
		{"full-hosts", fullMesh(2, hosts(6)...)},
		{"full-mixed", fullMesh(2, mixed...)},
		{"full-tgw", fullMesh(2, append([]topology.Site{tgw}, mixed[1:]...)...)},
		{"full-bench", fullMesh(2, benchSites(13)...)},
		{"full-random", fullMesh(2, randomSites(r, 9)...)},
		{"hub-host", hubSpoke(2, []string{"h1"}, mixed...)},
		{"hub-gcp", hubSpoke(2, []string{"gcp1"}, mixed...)},
		{"hub-two-host-spokes", hubSpoke(2, []string{"gcp1", "az1"}, append(mixed[1:2], append(mixed[3:4], hosts(5)...)...)...)},
		{"hub-two-cloud-spokes", hubSpoke(2, []string{"h1", "az1"}, mixed...)},
		{"ring-5", linksMesh(2, ring(5), hosts(5)...)},
		{"ring-6", linksMesh(2, ring(6), hosts(6)...)},
	}
	for i := 0; i < 8; i++ {
		s := randomSites(r, 5+r.IntN(5))
		cases = append(cases, bgpCase{"links-random", linksMesh(2, randomLinks(r, s, len(s)), s...)})
	}
	return cases
}

// planned is the planner's choice per (site, dest): first-hop tunnels of
// priority 0 and 1 (Routes), and the modes (Pairs).
type planned struct {
	first, backup []string
	mode, bmode   Mode
}

func plannedChoices(r *Result) map[[2]string]*planned {
	out := map[[2]string]*planned{}
	get := func(s, d string) *planned {
		k := [2]string{s, d}
		if out[k] == nil {
			out[k] = &planned{}
		}
		return out[k]
	}
	for _, rt := range r.Routes {
		p := get(rt.Site, rt.Dest)
		l := &p.first
		if rt.Priority == 1 {
			l = &p.backup
		}
		if !slices.Contains(*l, rt.Tunnel) {
			*l = append(*l, rt.Tunnel)
		}
	}
	for _, pp := range r.Pairs {
		for _, f := range []struct {
			s, d string
			f    Forwarding
		}{{pp.A, pp.B, pp.AB}, {pp.B, pp.A, pp.BA}} {
			if len(f.f.Paths) == 0 {
				continue
			}
			p := get(f.s, f.d)
			p.mode, p.bmode = f.f.Mode, f.f.BackupMode
			// A path's first tunnel is one of the site's first hops.
			for _, path := range f.f.Paths {
				if !slices.Contains(p.first, path.Tunnels[0]) {
					p.first = append(p.first, "path-not-in-routes:"+path.Tunnels[0])
				}
			}
		}
	}
	for _, p := range out {
		sort.Strings(p.first)
		sort.Strings(p.backup)
	}
	return out
}

func tunnelsOf(c simChoice) []string {
	var out []string
	for _, r := range c.routes {
		out = append(out, r.tunnel)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// compareChoice checks the planner's first hops and mode for one receiver
// and destination against the simulator's choice.
func compareChoice(got []string, mode Mode, c simChoice) string {
	want := tunnelsOf(c)
	if len(want) > MaxPaths && len(got) == MaxPaths {
		want = want[:MaxPaths] // Routes lists the first MaxPaths by key
	}
	if !slices.Equal(got, want) {
		return fmt.Sprintf("planner %v (%s), simulator %v", got, mode, want)
	}
	var wantMode Mode
	switch {
	case len(want) == 1 && !c.unknown:
		wantMode = Single
	case c.ecmp:
		wantMode = ECMP
	default:
		wantMode = OneOf
	}
	// A multi-hop path's mode also reflects routers further on; the
	// first hop's own mode must not be stronger than the planner's.
	if mode != wantMode && !(wantMode == Single && mode != "") && !(wantMode == ECMP && mode == OneOf) {
		return fmt.Sprintf("planner mode %s, simulator %s over %v", mode, wantMode, want)
	}
	return ""
}

// The planner's forwarding (primary and backup first hops, modes) equals
// what the simulator finds for every site and destination, and after the
// primary's first tunnels go down the simulator moves to the planner's
// backup.
func TestBGPSelection(t *testing.T) {
	for _, c := range bgpCases() {
		t.Run(c.name, func(t *testing.T) {
			a := newAlloc(c.m)
			r, err := Analyze(c.m, a)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstSimulator(t, c.m, a, r)
		})
	}
}

func checkAgainstSimulator(t *testing.T, m *topology.Mesh, a *alloc.Allocation, r *Result) {
	t.Helper()
	choice, conv := simulate(m, a, r.Preferences, nil)
	if !conv {
		t.Fatal("no convergence")
	}
	plan := plannedChoices(r)
	checked, backups := 0, 0
	for _, s := range m.Sites {
		for _, d := range m.Sites {
			if s.Name == d.Name {
				continue
			}
			p := plan[[2]string{s.Name, d.Name}]
			sc, reach := choice[s.Name][d.Name]
			if p == nil {
				if reach {
					t.Errorf("%s->%s: planner has no route, simulator %v", s.Name, d.Name, tunnelsOf(sc))
				}
				continue
			}
			if why := compareChoice(p.first, p.mode, sc); why != "" {
				t.Errorf("%s->%s: %s", s.Name, d.Name, why)
				continue
			}
			checked++
			if len(p.first) == MaxPaths {
				continue // the set is longer than Routes lists: its loss cannot be staged from here
			}
			down := map[string]bool{}
			for _, tu := range p.first {
				down[tu] = true
			}
			after, conv := simulate(m, a, r.Preferences, down)
			if !conv {
				t.Fatalf("no convergence without %v", p.first)
			}
			ac, ok := after[s.Name][d.Name]
			if !ok {
				if len(p.backup) > 0 {
					t.Errorf("%s->%s: planner backup %v, simulator has none after losing %v", s.Name, d.Name, p.backup, p.first)
				}
				continue
			}
			if why := compareChoice(p.backup, p.bmode, ac); why != "" {
				t.Errorf("%s->%s backup after losing %v: %s", s.Name, d.Name, p.first, why)
			}
			backups++
		}
	}
	t.Logf("%d choices and %d backups checked against the simulator", checked, backups)
	if checked == 0 {
		t.Error("nothing checked")
	}
}

// What each kind of site does, on the smallest meshes that show it.
func TestModelPerKind(t *testing.T) {
	tgw := st("tgw", topology.AWS)
	tgw.Gateway = topology.GatewayTGW
	fw := func(r *Result, s, d string) Forwarding {
		for _, p := range r.Pairs {
			switch {
			case p.A == s && p.B == d:
				return p.AB
			case p.A == d && p.B == s:
				return p.BA
			}
		}
		t.Fatalf("no pair %s-%s", s, d)
		return Forwarding{}
	}
	firsts := func(f Forwarding) string {
		var out []string
		for _, p := range f.Paths {
			out = append(out, strings.Join(p.Sites, ">")+"@"+strings.Join(p.Tunnels, ","))
		}
		return string(f.Mode) + " " + strings.Join(out, " ")
	}
	cases := []struct {
		name   string
		m      *topology.Mesh
		s, d   string
		want   string
		backup string
	}{
		// AWS sends no MED: GCP spreads over all four tunnels.
		{"gcp-to-vgw", fullMesh(2, st("aws", topology.AWS), st("gcp", topology.GCP)), "gcp", "aws",
			"ecmp gcp>aws@aws~gcp#0 gcp>aws@aws~gcp#1 gcp>aws@aws~gcp#2 gcp>aws@aws~gcp#3", ""},
		// GCP's MEDs reach one VGW neighbour: the lowest wins, the next is the backup.
		{"vgw-to-gcp", fullMesh(2, st("aws", topology.AWS), st("gcp", topology.GCP)), "aws", "gcp",
			"single aws>gcp@aws~gcp#0", "single aws>gcp@aws~gcp#3"},
		// A transit gateway hears equal routes from one AS (Azure sets
		// no MED): ECMP.
		{"tgw-to-azure", fullMesh(1, tgw, st("az", topology.Azure)), "tgw", "az",
			"ecmp tgw>az@az~tgw#0 tgw>az@az~tgw#1 tgw>az@az~tgw#2 tgw>az@az~tgw#3", ""},
		// A VGW hears the same and uses one of them (no ECMP).
		{"vgw-to-azure", fullMesh(1, st("aws", topology.AWS), st("az", topology.Azure)), "aws", "az",
			"one_of aws>az@aws~az#0 aws>az@aws~az#1 aws>az@aws~az#2 aws>az@aws~az#3", ""},
		// A host sets MEDs: the VGW takes the lowest of one neighbour's.
		{"vgw-to-host", fullMesh(1, st("aws", topology.AWS), st("h", topology.Host)), "aws", "h",
			"single aws>h@aws~h#0", "single aws>h@aws~h#1"},
		// A GCP hub does not transit: its spokes do not reach each other.
		{"gcp-hub", hubSpoke(1, []string{"g"}, st("g", topology.GCP), st("h1", topology.Host), st("h2", topology.Host)), "h1", "h2", " ", ""},
		// A host hub does; GCP follows the lowest MED the hub sends.
		{"host-hub", hubSpoke(1, []string{"h"}, st("h", topology.Host), st("g1", topology.GCP), st("g2", topology.GCP)), "g1", "g2",
			"single g1>h>g2@g1~h#0,g2~h#0", "single g1>h>g2@g1~h#1,g2~h#0"},
		// Azure does not document MED: a host's two MEDs leave the choice open.
		{"azure-to-host", fullMesh(1, st("az", topology.Azure), st("h", topology.Host)), "az", "h",
			"one_of az>h@az~h#0 az>h@az~h#1", ""},
		// GCP in legacy mode: a lower MED on a longer path (through the
		// host) against the direct route leaves the outcome to the
		// router's BGP tasks.
		{"gcp-legacy", fullMesh(1, st("g1", topology.GCP), st("g2", topology.GCP), st("h", topology.Host)), "g1", "g2",
			"single g1>g2@g1~g2#0", "one_of g1>g2@g1~g2#1 g1>h>g2@g1~h#0,g2~h#0 g1>h>g2@g1~h#1,g2~h#0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := mustAnalyze(t, c.m)
			f := fw(r, c.s, c.d)
			if got := firsts(f); c.want != "" && got != c.want {
				t.Errorf("%s->%s = %q, want %q", c.s, c.d, got, c.want)
			}
			t.Logf("%s->%s: %s; backup %s", c.s, c.d, firsts(f), firsts(Forwarding{Mode: f.BackupMode, Paths: f.Backups}))
			b := Forwarding{Mode: f.BackupMode, Paths: f.Backups}
			if got := firsts(b); c.backup != "" && got != c.backup {
				t.Errorf("%s->%s backup = %q, want %q", c.s, c.d, got, c.backup)
			}
		})
	}
}

// The model's own consistency: a site that transits must prefer the
// shortest AS path first (the stable state is computed in that order),
// and every fact has a source.
func TestModelTable(t *testing.T) {
	for k, b := range Behaviours {
		if b.Kind != Kind(k) || b.Name == "" {
			t.Errorf("row %d: kind %d, name %q", k, b.Kind, b.Name)
		}
		if b.Transit && b.ASPath != ASPathFirst {
			t.Errorf("%s transits but does not prefer the shortest AS path first", b.Name)
		}
		for _, f := range []string{"Transit", "Announces", "SetsMED", "ASPath", "MED", "Ties"} {
			if b.Sources[f] == "" {
				t.Errorf("%s: no source for %s", b.Name, f)
			}
		}
	}
}
