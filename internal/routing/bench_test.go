package routing

import (
	"fmt"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func benchAnalyze(b *testing.B, m *topology.Mesh) {
	a := newAlloc(m)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(m, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(a.Tunnels)), "tunnels")
}

func BenchmarkAnalyze10(b *testing.B)  { benchAnalyze(b, fullMesh(2, benchSites(10)...)) }
func BenchmarkAnalyze50(b *testing.B)  { benchAnalyze(b, fullMesh(2, benchSites(50)...)) }
func BenchmarkAnalyze100(b *testing.B) { benchAnalyze(b, fullMesh(2, benchSites(100)...)) }
func BenchmarkAnalyze200(b *testing.B) { benchAnalyze(b, fullMesh(2, benchSites(200)...)) }

// Hub and spoke, 100 sites: two hubs (the first gcp and azure sites).
func BenchmarkAnalyzeHubSpoke100(b *testing.B) {
	s := benchSites(100)
	benchAnalyze(b, hubSpoke(2, []string{s[1].Name, s[2].Name}, s...))
}

func BenchmarkWhatIf100(b *testing.B) {
	s := benchSites(100)
	m := fullMesh(2, s...)
	a := newAlloc(m)
	rm := []Element{Element("site:" + s[1].Name), Element(fmt.Sprintf("tunnel:%s", a.Tunnels[0].Key))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WhatIf(m, a, rm); err != nil {
			b.Fatal(err)
		}
	}
}
