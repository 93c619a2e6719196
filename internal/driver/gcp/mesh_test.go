package gcp

import (
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// testMesh is two GCP sites (one naming its network by path) and a host,
// so the compiler makes every GCP kind: HA and external gateways, tunnels
// to both, routers with interfaces and peers.
func testMesh() *topology.Mesh {
	return &topology.Mesh{
		Name: "prod", Topology: topology.Full, Redundancy: 1, PSKEpoch: 3,
		Sites: []topology.Site{
			{Name: "gcp-a", Cloud: topology.GCP, Region: "europe-west1", NetworkID: "prod", CIDRs: []string{"10.1.0.0/16"}},
			{Name: "gcp-b", Cloud: topology.GCP, Region: "us-central1", NetworkID: "projects/proj-b/global/networks/core", CIDRs: []string{"10.2.0.0/16"}},
			{Name: "host-c", Cloud: topology.Host, Agent: "https://203.0.113.10:7443", CIDRs: []string{"10.3.0.0/16"}},
		},
	}
}

// gcpObjects compiles m and keeps the GCP objects.
func gcpObjects(t *testing.T, m *topology.Mesh) []plan.Object {
	t.Helper()
	d, ps := plan.Build(m, nil)
	if len(ps) > 0 {
		t.Fatalf("mesh: %v", ps)
	}
	var out []plan.Object
	for _, o := range d.Objects {
		if o.Cloud == "gcp" {
			out = append(out, o)
		}
	}
	return out
}

func TestMeshShape(t *testing.T) {
	kinds := map[string]int{}
	for _, o := range gcpObjects(t, testMesh()) {
		kinds[o.Kind]++
		t.Logf("%s %v deps=%v", o.Key, o.Attrs, o.Deps)
	}
	for _, k := range []string{kindHAGateway, kindExternalGateway, kindTunnel, kindRouter, kindPeer} {
		if kinds[k] == 0 {
			t.Errorf("the test mesh has no %s", k)
		}
	}
}
