package routing

import (
	"fmt"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// The pipeline as the provider runs it: validate, allocate, analyse. Skips
// (saying why) if validation or allocation refuse the mesh, as those
// packages are not this one's to test.
func TestWithAllocate(t *testing.T) {
	clouds := []topology.Cloud{topology.AWS, topology.GCP, topology.GCP, topology.GCP, topology.Azure, topology.Azure, topology.Azure, topology.Host, topology.Host}
	m := &topology.Mesh{Name: "prod", Topology: topology.Full, Redundancy: 2}
	for i, c := range clouds {
		s := topology.Site{Name: fmt.Sprintf("site-%d", i), Cloud: c, CIDRs: []string{fmt.Sprintf("10.%d.0.0/16", i)}}
		switch c {
		case topology.AWS:
			s.Region, s.NetworkID = "us-east-1", "vpc-0a1b2c3d4e5f67890"
		case topology.GCP:
			s.Region, s.NetworkID = "europe-west1", "prod"
		case topology.Azure:
			s.Region, s.NetworkID = "westeurope", "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/prod"
		case topology.Host:
			s.Agent = fmt.Sprintf("https://198.51.100.%d:7443", i)
		}
		m.Sites = append(m.Sites, s)
	}
	if ps := topology.Validate(m); len(ps) > 0 {
		t.Skipf("validation refuses the test mesh: %v", ps)
	}
	a, err := alloc.Allocate(m, nil)
	if err != nil {
		t.Skipf("allocation fails: %v", err)
	}
	r, err := Analyze(m, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.WeakPoints) != 0 || len(r.Shortfall) != 0 {
		t.Errorf("full mesh at redundancy 2: weak points %v, shortfall %v", r.WeakPoints, r.Shortfall)
	}
	for _, p := range r.Pairs {
		if len(p.Backups) != 1 {
			t.Errorf("%s-%s: %d backups", p.A, p.B, len(p.Backups))
		}
		checkPaths(t, m, a, p)
	}
	// At least a primary and a backup per site and destination.
	if len(r.Routes) < len(m.Sites)*(len(m.Sites)-1)*2 {
		t.Errorf("%d routes", len(r.Routes))
	}
	checkAgainstSimulator(t, m, a, r)
}
