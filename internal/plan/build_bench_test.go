package plan

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// benchMesh is a full mesh of n sites at redundancy 2: site 0 in AWS, the
// rest alternating GCP and hosts. Azure sites are left out of full meshes
// this large: its APIPA range (128 /30s per site) caps an Azure site at 64
// peers (Azure gateways themselves stop at 100 tunnels).
func benchMesh(n int) *topology.Mesh {
	m := &topology.Mesh{Name: "bench", Topology: topology.Full, Redundancy: 2, PSKEpoch: 1}
	for i := 0; i < n; i++ {
		s := topology.Site{Name: fmt.Sprintf("s%03d", i), CIDRs: []string{fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)}}
		switch {
		case i == 0:
			s.Cloud, s.Region, s.NetworkID = topology.AWS, "us-east-1", "vpc-0a1b2c3d"
		case i%2 == 1:
			s.Cloud, s.Region, s.NetworkID = topology.GCP, "europe-west1", "prod"
		default:
			s.Cloud, s.Agent = topology.Host, fmt.Sprintf("https://198.51.100.%d:7443", i%250+1)
		}
		m.Sites = append(m.Sites, s)
	}
	return m
}

// BenchmarkBuild measures the whole core plan: validate, allocate, route,
// analyse failures, compile.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10, 50, 100, 200} {
		b.Run(fmt.Sprintf("sites=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var objs, tunnels int
			for b.Loop() {
				d, ps := Build(benchMesh(n), nil)
				if len(ps) > 0 {
					b.Fatal(ps)
				}
				objs, tunnels = len(d.Objects), len(d.Alloc.Tunnels)
			}
			b.ReportMetric(float64(tunnels), "tunnels")
			b.ReportMetric(float64(objs), "objects")
			b.ReportMetric(liveMiB(func() any { d, _ := Build(benchMesh(n), nil); return d }), "live-MiB")
		})
	}
}

// liveMiB is the heap the result of f keeps alive (after a GC), which
// bounds what a plan holds; B/op counts every allocation, freed or not.
func liveMiB(f func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}

func TestBuildBenchMeshIsValid(t *testing.T) {
	d, ps := Build(benchMesh(12), nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(d.Routing.WeakPoints) != 0 || len(d.Objects) == 0 {
		t.Fatalf("weak points %v, %d objects", d.Routing.WeakPoints, len(d.Objects))
	}
}
