package alloc

import (
	"fmt"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// benchFull is a full mesh of n sites: site 0 AWS (one only: aws↔aws cannot
// be joined), the rest alternating GCP and host. No Azure site: in a full
// mesh an Azure site needs 2 APIPA /30s per peer (4 for AWS) and APIPA holds
// 128, so a full mesh with an Azure site cannot exceed ~64 sites (Azure's
// own gateways stop at 100 tunnels anyway). benchHubSpoke covers Azure.
func benchFull(n int) *topology.Mesh {
	m := &topology.Mesh{Name: "bench", Topology: topology.Full, Redundancy: 2, PSKEpoch: 1}
	for i := range n {
		c := []topology.Cloud{topology.GCP, topology.Host}[i%2]
		if i == 0 {
			c = topology.AWS
		}
		m.Sites = append(m.Sites, topology.Site{Name: fmt.Sprintf("site-%03d", i), Cloud: c})
	}
	return m
}

// benchHubSpoke is n sites cycling aws, gcp, azure, host with four hubs
// (two GCP, two host: an AWS hub would face AWS spokes, an Azure hub would
// overflow APIPA).
func benchHubSpoke(n int) *topology.Mesh {
	m := &topology.Mesh{Name: "bench", Topology: topology.HubSpoke, Redundancy: 2, PSKEpoch: 1}
	for i := range n {
		m.Sites = append(m.Sites, topology.Site{Name: fmt.Sprintf("site-%03d", i), Cloud: topology.Clouds[i%4]})
	}
	m.Sites[0].Cloud, m.Sites[2].Cloud = topology.GCP, topology.Host
	m.Hubs = []string{m.Sites[0].Name, m.Sites[1].Name, m.Sites[2].Name, m.Sites[3].Name}
	return m
}

func benchAllocate(b *testing.B, m *topology.Mesh, sticky bool) {
	var prev *Allocation
	if sticky {
		// The usual plan: state holds an allocation of all but one site.
		smaller := cloneMesh(m)
		smaller.Sites = smaller.Sites[:len(smaller.Sites)-1]
		var err error
		if prev, err = Allocate(smaller, nil); err != nil {
			b.Fatal(err)
		}
	}
	a, err := Allocate(m, prev)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Allocate(m, prev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(a.Tunnels)), "tunnels")
}

func BenchmarkAllocate10(b *testing.B)  { benchAllocate(b, benchFull(10), false) }
func BenchmarkAllocate50(b *testing.B)  { benchAllocate(b, benchFull(50), false) }
func BenchmarkAllocate100(b *testing.B) { benchAllocate(b, benchFull(100), false) }
func BenchmarkAllocate200(b *testing.B) { benchAllocate(b, benchFull(200), false) }

func BenchmarkAllocateSticky100(b *testing.B)   { benchAllocate(b, benchFull(100), true) }
func BenchmarkAllocateSticky200(b *testing.B)   { benchAllocate(b, benchFull(200), true) }
func BenchmarkAllocateHubSpoke200(b *testing.B) { benchAllocate(b, benchHubSpoke(200), true) }

// BenchmarkAdjacencies200 is the share of Allocate spent in
// topology.Adjacencies (outside this package).
func BenchmarkAdjacencies200(b *testing.B) {
	m := benchFull(200)
	b.ReportAllocs()
	for b.Loop() {
		topology.Adjacencies(m)
	}
}
