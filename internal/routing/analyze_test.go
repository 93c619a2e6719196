package routing

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func mustAnalyze(t *testing.T, m *topology.Mesh) (*Result, *alloc.Allocation) {
	t.Helper()
	a := newAlloc(m)
	r, err := Analyze(m, a)
	if err != nil {
		t.Fatal(err)
	}
	return r, a
}

func pair(r *Result, a, b string) PairPaths {
	for _, p := range r.Pairs {
		if p.A == a && p.B == b {
			return p
		}
	}
	return PairPaths{}
}

func path(sites string, tunnels ...string) Path {
	return Path{Sites: strings.Fields(sites), Tunnels: tunnels}
}

func weak(r *Result) map[Element][][2]string {
	out := map[Element][][2]string{}
	for _, w := range r.WeakPoints {
		out[w.Element] = w.Cuts
	}
	return out
}

func TestTwoHosts(t *testing.T) {
	m := fullMesh(2, st("h1", topology.Host), st("h2", topology.Host))
	r, _ := mustAnalyze(t, m)
	p := pair(r, "h1", "h2")
	if !reflect.DeepEqual(p.Primary, path("h1 h2", "h1~h2#0")) || len(p.Backups) != 0 {
		t.Errorf("paths = %+v", p)
	}
	if !reflect.DeepEqual(r.Shortfall, map[[2]string]int{{"h1", "h2"}: 1}) {
		t.Errorf("shortfall = %v", r.Shortfall)
	}
	want := map[Element][][2]string{"tunnel:h1~h2#0": {{"h1", "h2"}}}
	if got := weak(r); !reflect.DeepEqual(got, want) {
		t.Errorf("weak points = %v, want %v", got, want)
	}
	// Redundancy 1 asks for no more than there is.
	m.Redundancy = 1
	if r, _ := mustAnalyze(t, m); len(r.Shortfall) != 0 {
		t.Errorf("shortfall at redundancy 1 = %v", r.Shortfall)
	}
}

func TestAWSGCP(t *testing.T) {
	m := fullMesh(2, st("aws", topology.AWS), st("gcp", topology.GCP))
	r, a := mustAnalyze(t, m)
	p := pair(r, "aws", "gcp")
	// #0 is AWS slot 0 to GCP interface 0; the disjoint partner must use
	// AWS slot 1 and GCP interface 1: #3.
	want := PairPaths{A: "aws", B: "gcp", Primary: path("aws gcp", "aws~gcp#0"), Backups: []Path{path("aws gcp", "aws~gcp#3")},
		// AWS follows GCP's lowest MED; GCP spreads over all four
		// tunnels, as AWS sends no MED.
		AB: Forwarding{Mode: Single, Paths: []Path{path("aws gcp", "aws~gcp#0")}, BackupMode: Single, Backups: []Path{path("aws gcp", "aws~gcp#3")}},
		BA: Forwarding{Mode: ECMP, Paths: []Path{path("gcp aws", "aws~gcp#0"), path("gcp aws", "aws~gcp#1"), path("gcp aws", "aws~gcp#2"), path("gcp aws", "aws~gcp#3")}},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("paths = %+v, want %+v", p, want)
	}
	if len(r.WeakPoints) != 0 || len(r.Shortfall) != 0 {
		t.Errorf("weak points %v, shortfall %v", r.WeakPoints, r.Shortfall)
	}
	addr := map[string][2]netip.Addr{}
	for _, tu := range a.Tunnels {
		addr[tu.Key] = [2]netip.Addr{tu.A.Address, tu.B.Address}
	}
	wantRoutes := []Route{
		{Site: "aws", Prefix: m.Sites[1].Prefixes[0], Tunnel: "aws~gcp#0", NextHop: addr["aws~gcp#0"][1], Priority: 0, Dest: "gcp"},
		{Site: "aws", Prefix: m.Sites[1].Prefixes[0], Tunnel: "aws~gcp#3", NextHop: addr["aws~gcp#3"][1], Priority: 1, Dest: "gcp"},
	}
	for _, k := range []string{"aws~gcp#0", "aws~gcp#1", "aws~gcp#2", "aws~gcp#3"} {
		wantRoutes = append(wantRoutes, Route{Site: "gcp", Prefix: m.Sites[0].Prefixes[0], Tunnel: k, NextHop: addr[k][0], Priority: 0, Dest: "aws"})
	}
	if !reflect.DeepEqual(r.Routes, wantRoutes) {
		t.Errorf("routes = %+v\nwant %+v", r.Routes, wantRoutes)
	}
	// GCP sets MEDs (primary lowest, backup next) and cannot prepend;
	// AWS sets neither.
	pref := map[[2]string]Preference{}
	for _, p := range r.Preferences {
		pref[[2]string{p.Tunnel, p.Announcer}] = p
	}
	if len(pref) != 8 {
		t.Fatalf("preferences = %v", r.Preferences)
	}
	p0, p1, p2, p3 := pref[[2]string{"aws~gcp#0", "gcp"}], pref[[2]string{"aws~gcp#1", "gcp"}], pref[[2]string{"aws~gcp#2", "gcp"}], pref[[2]string{"aws~gcp#3", "gcp"}]
	if !(p0.MED < p3.MED && p3.MED < p1.MED && p3.MED < p2.MED) || p0.Prepend+p1.Prepend+p2.Prepend+p3.Prepend != 0 {
		t.Errorf("announcer gcp: %+v %+v %+v %+v", p0, p1, p2, p3)
	}
	for _, k := range []string{"aws~gcp#0", "aws~gcp#1", "aws~gcp#2", "aws~gcp#3"} {
		if p := pref[[2]string{k, "aws"}]; p.MED != 0 || p.Prepend != 0 {
			t.Errorf("announcer aws sets %+v", p)
		}
	}
}

func TestFourHosts(t *testing.T) {
	m := fullMesh(2, st("h1", topology.Host), st("h2", topology.Host), st("h3", topology.Host), st("h4", topology.Host))
	r, _ := mustAnalyze(t, m)
	if len(r.Pairs) != 6 || len(r.WeakPoints) != 0 || len(r.Shortfall) != 0 {
		t.Fatalf("pairs %d, weak %v, shortfall %v", len(r.Pairs), r.WeakPoints, r.Shortfall)
	}
	for _, p := range r.Pairs {
		if len(p.Primary.Tunnels) != 1 || len(p.Backups) != 1 || len(p.Backups[0].Tunnels) != 2 {
			t.Errorf("%s-%s: %+v", p.A, p.B, p)
		}
	}
	// Transit goes through the first site by name that is not an end.
	if got, want := pair(r, "h1", "h2").Backups[0], path("h1 h3 h2", "h1~h3#0", "h2~h3#0"); !reflect.DeepEqual(got, want) {
		t.Errorf("h1-h2 backup = %v, want %v", got, want)
	}
	if got, want := pair(r, "h3", "h4").Backups[0], path("h3 h1 h4", "h1~h3#0", "h1~h4#0"); !reflect.DeepEqual(got, want) {
		t.Errorf("h3-h4 backup = %v, want %v", got, want)
	}
	// Routes: h3 reaches h4 directly, then through h1.
	var got []string
	for _, rt := range r.Routes {
		if rt.Site == "h3" && rt.Dest == "h4" {
			got = append(got, rt.Tunnel)
		}
	}
	if !reflect.DeepEqual(got, []string{"h3~h4#0", "h1~h3#0"}) {
		t.Errorf("h3->h4 routes = %v", got)
	}
}

func TestHubSpoke(t *testing.T) {
	sites := []topology.Site{st("hub1", topology.Azure), st("hub2", topology.Azure), st("s1", topology.Host), st("s2", topology.Azure), st("s3", topology.AWS)}
	r, _ := mustAnalyze(t, hubSpoke(2, []string{"hub1"}, sites...))
	spokes := [][2]string{{"hub2", "s1"}, {"hub2", "s2"}, {"hub2", "s3"}, {"s1", "s2"}, {"s1", "s3"}, {"s2", "s3"}}
	want := map[Element][][2]string{"gateway:hub1": spokes, "site:hub1": spokes}
	if got := weak(r); !reflect.DeepEqual(got, want) {
		t.Errorf("one hub: weak points = %v, want %v", got, want)
	}
	if p := pair(r, "s1", "s2"); !reflect.DeepEqual(p.Primary.Sites, []string{"s1", "hub1", "s2"}) || len(p.Backups) != 0 {
		t.Errorf("s1-s2 = %+v", p)
	}
	if r.Shortfall[[2]string{"s1", "s3"}] != 1 || len(r.Shortfall) != len(spokes) || len(r.NoTransit) != 0 {
		t.Errorf("shortfall = %v, no transit %v", r.Shortfall, r.NoTransit)
	}

	r, _ = mustAnalyze(t, hubSpoke(2, []string{"hub1", "hub2"}, sites...))
	if len(r.WeakPoints) != 0 || len(r.Shortfall) != 0 {
		t.Errorf("two hubs: weak points %v, shortfall %v", r.WeakPoints, r.Shortfall)
	}
	p := pair(r, "s2", "s3")
	if !reflect.DeepEqual(p.Primary.Sites, []string{"s2", "hub1", "s3"}) || len(p.Backups) != 1 || !reflect.DeepEqual(p.Backups[0].Sites, []string{"s2", "hub2", "s3"}) {
		t.Errorf("s2-s3 = %+v", p)
	}
}

// A GCP hub does not transit: its spokes have no path through it, and the
// shortfall names it.
func TestHubNoTransit(t *testing.T) {
	sites := []topology.Site{st("g1", topology.GCP), st("g2", topology.GCP), st("aws-east", topology.AWS), st("h", topology.Host), st("g3", topology.GCP)}
	r, _ := mustAnalyze(t, hubSpoke(2, []string{"g1", "g2"}, sites...))
	for _, p := range r.Pairs {
		for _, ps := range [][]Path{{p.Primary}, p.Backups, p.AB.Paths, p.BA.Paths} {
			for _, x := range ps {
				if len(x.Sites) < 3 {
					continue
				}
				for _, s := range x.Sites[1 : len(x.Sites)-1] {
					if s == "g1" || s == "g2" {
						t.Errorf("%s-%s: path %v crosses a GCP site", p.A, p.B, x)
					}
				}
			}
		}
	}
	want := map[[2]string][]string{{"aws-east", "g3"}: {"g1", "g2"}, {"aws-east", "h"}: {"g1", "g2"}, {"g3", "h"}: {"g1", "g2"}}
	if !reflect.DeepEqual(r.NoTransit, want) {
		t.Errorf("no transit = %v, want %v", r.NoTransit, want)
	}
	if len(r.Shortfall) != 3 || r.Shortfall[[2]string{"aws-east", "h"}] != 0 {
		t.Errorf("shortfall = %v", r.Shortfall)
	}
	// The hubs themselves reach every spoke.
	if p := pair(r, "aws-east", "g1"); len(p.AB.Paths) == 0 || len(p.BA.Paths) == 0 {
		t.Errorf("aws-east-g1 = %+v", p)
	}
}

// A chain of three hosts: the middle one and both tunnels are weak points;
// an AWS site with a single peer: its interfaces are not (the peer can use
// the other), but a GCP site whose only link to the rest is through
// interface 0 is.
func TestWeakInterfaces(t *testing.T) {
	m := linksMesh(1, [][2]string{{"a", "b"}, {"b", "c"}}, st("a", topology.Host), st("b", topology.Host), st("c", topology.Host))
	r, _ := mustAnalyze(t, m)
	want := map[Element][][2]string{
		"tunnel:a~b#0": {{"a", "b"}, {"a", "c"}},
		"tunnel:b~c#0": {{"a", "c"}, {"b", "c"}},
		"gateway:b":    {{"a", "c"}},
		"site:b":       {{"a", "c"}},
	}
	if got := weak(r); !reflect.DeepEqual(got, want) {
		t.Errorf("chain: %v, want %v", got, want)
	}

	// Hand-made allocation: Azure g's two tunnels to hosts both on
	// interface 0. Losing it cuts g off from both, and the hosts from
	// each other (g is their only transit).
	m = linksMesh(1, [][2]string{{"g", "h1"}, {"g", "h2"}}, st("g", topology.Azure), st("h1", topology.Host), st("h2", topology.Host))
	a := newAlloc(m)
	var keep []alloc.Tunnel
	for _, tu := range a.Tunnels {
		if tu.A.Interface == 0 {
			keep = append(keep, tu)
		}
	}
	a.Tunnels = keep
	r, err := Analyze(m, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := weak(r)["interface:g/0"]; !reflect.DeepEqual(got, [][2]string{{"g", "h1"}, {"g", "h2"}, {"h1", "h2"}}) {
		t.Errorf("interface:g/0 cuts %v (all: %v)", got, r.WeakPoints)
	}
	if _, ok := weak(r)["interface:g/1"]; ok {
		t.Errorf("unused interface reported")
	}
	// The same with a GCP site, which does not transit: the hosts were
	// never connected through it, so only g's own pairs are cut.
	m.Sites[0].Cloud = topology.GCP
	r, err = Analyze(m, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := weak(r)["interface:g/0"]; !reflect.DeepEqual(got, [][2]string{{"g", "h1"}, {"g", "h2"}}) {
		t.Errorf("gcp: interface:g/0 cuts %v (all: %v)", got, r.WeakPoints)
	}
}

func TestSorted(t *testing.T) {
	r, _ := mustAnalyze(t, fullMesh(2, benchSites(12)...))
	if !slices.IsSortedFunc(r.Pairs, func(x, y PairPaths) int { return strings.Compare(x.A+"\x00"+x.B, y.A+"\x00"+y.B) }) {
		t.Error("pairs not sorted")
	}
	if !slices.IsSortedFunc(r.Preferences, func(x, y Preference) int {
		return strings.Compare(x.Tunnel+"\x00"+x.Announcer, y.Tunnel+"\x00"+y.Announcer)
	}) {
		t.Error("preferences not sorted")
	}
	if !slices.IsSortedFunc(r.Routes, func(x, y Route) int {
		if c := strings.Compare(x.Site+"\x00"+x.Dest, y.Site+"\x00"+y.Dest); c != 0 {
			return c
		}
		return x.Priority - y.Priority
	}) {
		t.Error("routes not sorted")
	}
	// The MEDs a receiver hears from announcers that set them are unique,
	// so its router never falls to a tie-break among those.
	setsMED := map[string]bool{}
	for _, s := range fullMesh(2, benchSites(12)...).Sites {
		setsMED[s.Name] = Behaviours[KindOf(&s)].SetsMED
	}
	seen := map[string]bool{}
	tun := map[string][2]string{}
	for _, p := range r.Preferences {
		ends := tun[p.Tunnel]
		if ends == ([2]string{}) {
			a, b, _ := strings.Cut(strings.Split(p.Tunnel, "#")[0], "~")
			ends = [2]string{a, b}
			tun[p.Tunnel] = ends
		}
		recv := ends[0]
		if recv == p.Announcer {
			recv = ends[1]
		}
		k := fmt.Sprint(recv, "/", p.MED)
		if !setsMED[p.Announcer] {
			if p.MED != 0 || p.Prepend != 0 {
				t.Errorf("%s cannot set MED or prepend: %+v", p.Announcer, p)
			}
			continue
		}
		if seen[k] {
			t.Errorf("receiver %s hears MED %d twice", recv, p.MED)
		}
		seen[k] = true
	}
}

func TestErrors(t *testing.T) {
	m := fullMesh(2, st("a", topology.Host), st("b", topology.Host))
	a := newAlloc(m)
	bad := *a
	bad.Tunnels = append([]alloc.Tunnel(nil), a.Tunnels...)
	bad.Tunnels[0].B.Site = "zz"
	if _, err := Analyze(m, &bad); err == nil || !strings.Contains(err.Error(), "zz") {
		t.Errorf("unknown site: %v", err)
	}
	dup := *a
	dup.Tunnels = append(append([]alloc.Tunnel(nil), a.Tunnels...), a.Tunnels[0])
	if _, err := Analyze(m, &dup); err == nil {
		t.Error("duplicate tunnel key accepted")
	}
	if _, err := Analyze(nil, a); err == nil {
		t.Error("nil mesh accepted")
	}
	// An empty mesh is fine.
	r, err := Analyze(&topology.Mesh{}, &alloc.Allocation{})
	if err != nil || len(r.Pairs) != 0 {
		t.Errorf("empty mesh: %v, %v", r, err)
	}
}
