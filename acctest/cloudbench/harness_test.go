package cloudbench

import (
	"strings"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// TestTwoCloudShape: the benchmark mesh builds, its HCL names every site
// of the topology, and its shape is the one docs/performance.md reports.
func TestTwoCloudShape(t *testing.T) {
	m := TwoCloud("bench")
	d, ps := plan.Build(m.Topology(), nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	hcl := m.HCL()
	for _, s := range m.Sites {
		if !strings.Contains(hcl, `name       = "`+s.Name+`"`) || !strings.Contains(hcl, `network_id = "`+s.Network+`"`) {
			t.Errorf("the HCL has no site %s in %s", s.Name, s.Network)
		}
	}
	if len(m.Sites) != 10 || len(d.Alloc.Tunnels) != 108 || len(d.Objects) != 426 {
		t.Errorf("%d sites, %d tunnels, %d objects; docs/performance.md reports 10, 108, 426",
			len(m.Sites), len(d.Alloc.Tunnels), len(d.Objects))
	}
	// Within the clouds' quotas, with the raised one ProviderHCL states.
	if ps := plan.CheckQuotas(d, map[string]int{"aws.vpn_connections_per_vgw": 20}); len(ps) > 0 {
		t.Errorf("the benchmark mesh is over a quota: %v", ps)
	}
	if a, g, b := ExpectedTunnels(m); a != 36 || g != 180 || b != 180 {
		t.Errorf("expected tunnels %d AWS, %d GCP, %d GCP BGP", a, g, b)
	}
	// The calibration mesh has every class the benchmark mesh has.
	classes := func(m Mesh) map[string]bool {
		d, ps := plan.Build(m.Topology(), nil)
		if len(ps) > 0 {
			t.Fatal(ps)
		}
		out := map[string]bool{}
		for _, o := range d.Objects {
			out[o.Kind] = true
		}
		return out
	}
	small := classes(Full("calib", 1))
	for k := range classes(m) {
		if !small[k] {
			t.Errorf("the calibration mesh has no %s", k)
		}
	}
}

func TestListBudget(t *testing.T) {
	aws, gcp := ListBudget(TwoCloud("bench"), 1)
	// One AWS region, one page each; one GCP project, one page each.
	if aws["DescribeVpnConnections"] != 1 || aws["DescribeVpcs"] != 1 || len(aws) != len(awsLists) {
		t.Errorf("AWS budget %v", aws)
	}
	if gcp["vpnTunnels.aggregatedList"] != 1 || len(gcp) != len(gcpLists) {
		t.Errorf("GCP budget %v", gcp)
	}
	if aws2, _ := ListBudget(TwoCloud("bench"), 2); aws2["DescribeVpcs"] != 2 {
		t.Errorf("two passes: %v", aws2)
	}
	if pages(1001, 500) != 3 || pages(0, 500) != 1 || pages(5000, 0) != 1 {
		t.Error("pages")
	}
	err := CheckBudget("GCP", Calls{"vpnTunnels.aggregatedList": {Requests: 2}, "vpnTunnels.get": {Requests: 1}}, gcp)
	if err == nil || !strings.Contains(err.Error(), "budget 1") || !strings.Contains(err.Error(), "vpnTunnels.get: 1 calls, and it is not a list") {
		t.Errorf("CheckBudget: %v", err)
	}
	if err := CheckBudget("GCP", Calls{"vpnTunnels.aggregatedList": store.Counters{Requests: 1}}, gcp); err != nil {
		t.Error(err)
	}
}

// TestAnalyze checks the timing analysis on a hand-made run: a → b → c and
// a lone d, two classes of each kind.
func TestAnalyze(t *testing.T) {
	obj := func(key, kind string) plan.Object {
		return plan.Object{Key: key, Kind: kind, Cloud: "gcp", Site: "s"}
	}
	g := plan.NewGraph()
	acts := map[string]plan.Action{}
	for _, x := range []struct{ id, kind string }{{"a", "k1"}, {"b", "k2"}, {"c", "k1"}, {"d", "k2"}} {
		a := plan.Action{ID: x.id, Op: plan.OpCreate, Key: x.id, Desired: obj(x.id, x.kind)}
		acts[x.id] = a
		if err := g.Add(a); err != nil {
			t.Fatal(err)
		}
	}
	_ = g.AddDep("b", "a")
	_ = g.AddDep("c", "b")
	t0 := time.Unix(1000, 0)
	s := time.Second
	// a 0–2s; b ready 2s, starts 3s (queued 1s), takes 3s; c 6–7s; d 0–1s.
	run := &Applied{Graph: g, Start: t0, Makespan: 7 * s, Done: []engine.Done{
		{Action: acts["d"], Started: t0, Elapsed: s},
		{Action: acts["a"], Started: t0, Elapsed: 2 * s},
		{Action: acts["b"], Started: t0.Add(3 * s), Elapsed: 3 * s},
		{Action: acts["c"], Started: t0.Add(6 * s), Elapsed: s},
	}}
	tm, err := Analyze(run, map[Class]time.Duration{ClassOf(acts["a"]): s / 2, ClassOf(acts["b"]): s / 2})
	if err != nil {
		t.Fatal(err)
	}
	// Minimum per class: k1 1s, k2 1s → a+b+c = 3s. Own: 2+3+1 = 6s. Alone: 1.5s.
	if tm.CritMin != 3*s || tm.CritOwn != 6*s || tm.CritIsolated != 3*s/2 {
		t.Errorf("critical paths min %v own %v alone %v", tm.CritMin, tm.CritOwn, tm.CritIsolated)
	}
	if len(tm.MinChain) != 3 || tm.MinChain[0].ID != "a" || tm.MinChain[2].ID != "c" {
		t.Errorf("chain %v", tm.MinChain)
	}
	if len(tm.LastChain) != 3 || tm.LastChain[1].Action.ID != "b" || tm.LastChain[1].Queued != s || tm.LastChain[1].Ready != 2*s {
		t.Errorf("last chain %+v", tm.LastChain)
	}
	if tm.Busy != 7*s {
		t.Errorf("busy %v", tm.Busy)
	}
	if tm.Ratio() != 7.0/3 {
		t.Errorf("ratio %v", tm.Ratio())
	}
	if !strings.Contains(tm.Report(), "queued  1.00s") {
		t.Errorf("report:\n%s", tm.Report())
	}
	// A calibration missing a class is refused.
	if _, err := Analyze(run, map[Class]time.Duration{ClassOf(acts["a"]): s}); err == nil {
		t.Error("a calibration without k2 was accepted")
	}
}
