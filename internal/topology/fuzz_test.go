package topology

import (
	"strings"
	"testing"
)

// FuzzValidate feeds arbitrary site fields and link names through Validate:
// it must never panic, and every problem must carry a path and a message.
func FuzzValidate(f *testing.F) {
	f.Add("prod", "full", 2, "aws-use1|aws|us-east-1|vpc-0a1b2c3d|10.0.0.0/16|0|", "dc1|host||||10.1.0.0/16|65001|https://x:1", "aws-use1>dc1")
	f.Add("x", "links", 1, "a|gcp|r|n|10.0.0.0/8,10.1.0.0/16|4294967295|", "b|azure|||::/0|0|", "a>b,b>a,a>a")
	f.Add("", "hub_spoke", 9, "||||||", "h|host||||1.2.3.4/32||https://[::1]:99999", "")
	f.Fuzz(func(t *testing.T, name, topo string, red int, s1, s2, links string) {
		m := Mesh{Name: name, Topology: Kind(topo), Redundancy: red}
		for _, raw := range []string{s1, s2, s1} {
			p := strings.Split(raw, "|")
			for len(p) < 8 {
				p = append(p, "")
			}
			var asn uint32
			for _, c := range p[6] {
				asn = asn*10 + uint32(c-'0')
			}
			m.Sites = append(m.Sites, Site{Name: p[0], Cloud: Cloud(p[1]), Region: p[2], NetworkID: p[3],
				CIDRs: strings.Split(p[4], ","), ASN: asn, Agent: p[7], Gateway: p[5]})
			m.Hubs = append(m.Hubs, p[0])
		}
		for _, l := range strings.Split(links, ",") {
			a, b, _ := strings.Cut(l, ">")
			m.Links = append(m.Links, Link{A: a, B: b})
		}
		for _, p := range Validate(&m) {
			if len(p.Path) == 0 || p.Summary == "" || p.Detail == "" {
				t.Fatalf("problem without path or text: %+v", p)
			}
		}
		_ = Adjacencies(&m)
	})
}
