package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func quotaMesh(gcpSites int, hostCIDRs ...int) *topology.Mesh {
	m := &topology.Mesh{Name: "q", Topology: topology.Full, Redundancy: 1, PSKEpoch: 1}
	m.Sites = append(m.Sites, topology.Site{Name: "aws", Cloud: topology.AWS, Region: "us-east-1", NetworkID: "vpc-0a1b2c3d", CIDRs: []string{"10.0.0.0/16"}})
	for i := range gcpSites {
		m.Sites = append(m.Sites, topology.Site{Name: fmt.Sprintf("gcp%d", i), Cloud: topology.GCP, Region: "europe-west1", NetworkID: "prod",
			CIDRs: []string{fmt.Sprintf("10.%d.0.0/16", 10+i)}})
	}
	for h, n := range hostCIDRs {
		s := topology.Site{Name: fmt.Sprintf("h%d", h), Cloud: topology.Host, Agent: fmt.Sprintf("https://198.51.100.%d:7443", h+1)}
		for k := range n {
			s.CIDRs = append(s.CIDRs, fmt.Sprintf("172.%d.%d.0/24", 16+h, k))
		}
		m.Sites = append(m.Sites, s)
	}
	return m
}

func mustBuild(t *testing.T, m *topology.Mesh) *Desired {
	t.Helper()
	d, ps := Build(m, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	return d
}

// Six GCP peers make 12 VPN connections on the VGW (two per peer), over
// the default 10, and six Cloud Routers in one network and region, over
// 5; stating the raised limits lets the mesh plan.
func TestQuotasAdjustable(t *testing.T) {
	d := mustBuild(t, quotaMesh(6))
	ps := CheckQuotas(d, nil)
	if len(ps) != 2 {
		t.Fatalf("want two problems: %v", ps)
	}
	for i, want := range [][]string{
		{"site[0].name", `Site "aws": its gateway needs 12 Site-to-Site VPN connections per virtual private gateway, over the quota of 10 (default 10; https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html)`, "aws = { vpn_connections_per_vgw = N }"},
		{"site[1].name", `Site "gcp0": network prod in europe-west1 needs 6 Cloud Routers per network and region, over the quota of 5`, "gcp = { routers_per_network_region = N }"},
	} {
		if ps[i].Path.String() != want[0] {
			t.Errorf("problem %d at %s, want %s", i, ps[i].Path, want[0])
		}
		for _, w := range want[1:] {
			if !strings.Contains(ps[i].Detail, w) {
				t.Errorf("problem %d lacks %q: %s", i, w, ps[i].Detail)
			}
		}
	}
	if ps := CheckQuotas(d, map[string]int{"aws.vpn_connections_per_vgw": 12, "gcp.routers_per_network_region": 6}); len(ps) != 0 {
		t.Errorf("raised quotas: %v", ps)
	}
	if ps := CheckQuotas(d, map[string]int{"aws.vpn_connections_per_vgw": 11, "gcp.routers_per_network_region": 6}); len(ps) != 1 || !strings.Contains(ps[0].Detail, "over the quota of 11 (stated in the provider's quotas block") {
		t.Errorf("raised too little: %v", ps)
	}
}

// Hosts transit: each announces every other site's prefixes to the VGW,
// 110 here, over the 100 a VGW takes per session (not adjustable).
func TestQuotasRoutesToVGW(t *testing.T) {
	d := mustBuild(t, quotaMesh(0, 60, 50))
	ps := CheckQuotas(d, nil)
	if len(ps) != 2 {
		t.Fatalf("want one problem per host: %v", ps)
	}
	for i, h := range []string{"h0", "h1"} {
		if !strings.Contains(ps[i].Detail, "the BGP sessions from "+h+" needs 110 dynamic routes") || !strings.Contains(ps[i].Detail, "cannot be raised") {
			t.Errorf("problem %d: %s", i, ps[i].Detail)
		}
	}
	// GCP announces only its own prefixes: far under.
	if ps := CheckQuotas(mustBuild(t, quotaMesh(3)), nil); len(ps) != 0 {
		t.Errorf("small mesh: %v", ps)
	}
}

func TestQuotaTable(t *testing.T) {
	seen := map[string]bool{}
	for i := range Quotas {
		q := &Quotas[i]
		if seen[q.Key()] || q.Default < 1 || q.What == "" || !strings.HasPrefix(q.Source, "https://") || q.uses == nil {
			t.Errorf("quota %+v", q)
		}
		seen[q.Key()] = true
		if got, ok := QuotaByKey(q.Key()); !ok || got != q {
			t.Errorf("QuotaByKey(%s)", q.Key())
		}
	}
	if !strings.Contains(QuotaNames(topology.AWS), "vpn_connections_per_vgw") {
		t.Error(QuotaNames(topology.AWS))
	}
}

// A transit gateway site's VPC gets a route per remote prefix in each
// route table: 60 remote prefixes plus the local route are over 50.
func TestQuotasRoutesPerRouteTable(t *testing.T) {
	m := quotaMesh(0, 60)
	m.Sites[0].Gateway = topology.GatewayTGW
	ps := CheckQuotas(mustBuild(t, m), nil)
	if len(ps) != 1 || !strings.Contains(ps[0].Detail, "each route table of VPC vpc-0a1b2c3d needs 61 routes per VPC route table") {
		t.Fatalf("problems %v", ps)
	}
	if ps := CheckQuotas(mustBuild(t, m), map[string]int{"aws.routes_per_route_table": 100}); len(ps) != 0 {
		t.Errorf("raised: %v", ps)
	}
}

// Per-gateway quotas count each gateway alone: 20 GCP sites in a full mesh
// have 42 BGP peers each (840 in all), far under 128 per router.
func TestQuotasPerGatewayNotSummed(t *testing.T) {
	m := quotaMesh(20)
	m.Sites[0].Cloud, m.Sites[0].Region, m.Sites[0].NetworkID = topology.GCP, "us-central1", "other"
	for i := 1; i < len(m.Sites); i++ {
		m.Sites[i].Region = fmt.Sprintf("region-%d", i) // one router per network and region
	}
	if ps := CheckQuotas(mustBuild(t, m), nil); len(ps) != 0 {
		t.Fatalf("problems %v", ps)
	}
}
