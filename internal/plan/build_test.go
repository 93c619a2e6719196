package plan

import (
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// issueMesh is the mesh of the routing issue: an AWS VGW spoke and an AWS
// transit-gateway spoke behind two GCP hubs, plus a GCP spoke.
func issueMesh(hubCloud topology.Cloud) *topology.Mesh {
	m := &topology.Mesh{Name: "prod", Topology: topology.HubSpoke, Hubs: []string{"gcp-hub-a", "gcp-hub-b"}, Redundancy: 2, PSKEpoch: 1}
	site := func(name string, c topology.Cloud, cidr string) topology.Site {
		s := topology.Site{Name: name, Cloud: c, CIDRs: []string{cidr}}
		switch c {
		case topology.AWS:
			s.Region, s.NetworkID = "us-east-1", "vpc-0a1b2c3d"
		case topology.GCP:
			s.Region, s.NetworkID = "europe-west1", "prod"
		case topology.Azure:
			s.Region, s.NetworkID = "westeurope", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/prod"
		case topology.Host:
			s.Agent = "https://198.51.100.7:7443"
		}
		return s
	}
	east := site("aws-east", topology.AWS, "10.1.0.0/16")
	west := site("aws-west", topology.AWS, "10.2.0.0/16")
	west.Gateway = topology.GatewayTGW
	m.Sites = []topology.Site{east, west, site("gcp-hub-a", hubCloud, "10.3.0.0/16"), site("gcp-hub-b", hubCloud, "10.4.0.0/16"), site("gcp-spoke", topology.GCP, "10.5.0.0/16")}
	if hubCloud == topology.Host {
		m.Sites[3].Agent = "https://198.51.100.8:7443"
	}
	return m
}

// GCP hubs do not transit: the plan fails on redundancy, naming the pairs,
// the hubs and why, on the attribute that asks for it.
func TestBuildRefusesTransitThroughGCP(t *testing.T) {
	d, ps := Build(issueMesh(topology.GCP), nil)
	if d != nil || len(ps) != 1 {
		t.Fatalf("want one problem, got %v", ps)
	}
	p := ps[0]
	if p.Path.String() != "redundancy" || p.Summary != "Path through a site that does not transit" {
		t.Errorf("problem %q at %s", p.Summary, p.Path)
	}
	for _, want := range []string{"aws-east–aws-west (0)", "aws-east–gcp-spoke (0)", "aws-west–gcp-spoke (0)", "gcp-hub-a, gcp-hub-b", "GCP Cloud Router", "doesn't re-advertise learned routes", "host, AWS or Azure"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("detail lacks %q: %s", want, p.Detail)
		}
	}
}

// Host hubs transit: the same mesh plans, and every spoke pair's traffic
// crosses a hub.
func TestBuildTransitThroughHosts(t *testing.T) {
	d, ps := Build(issueMesh(topology.Host), nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	for _, p := range d.Routing.Pairs {
		if p.A != "aws-east" || p.B != "aws-west" {
			continue
		}
		for _, path := range append(p.AB.Paths, p.BA.Paths...) {
			if len(path.Sites) != 3 || !strings.HasPrefix(path.Sites[1], "gcp-hub-") {
				t.Errorf("aws-east–aws-west path %v", path.Sites)
			}
		}
		if len(p.AB.Paths) == 0 || len(p.BA.Paths) == 0 || len(p.AB.Backups) == 0 {
			t.Errorf("aws-east–aws-west: %+v", p)
		}
		return
	}
	t.Fatal("no aws-east–aws-west pair")
}
