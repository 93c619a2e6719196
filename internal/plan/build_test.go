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

// A host linked to a cloud plans, with a warning naming the pair that
// apply will refuse (the agent does not speak IPsec yet).
func TestBuildWarnsOfHostCloudLinks(t *testing.T) {
	m := issueMesh(topology.Host)
	d, ps := Build(m, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(d.Warnings) != 1 || d.Warnings[0].Summary != "Host ↔ cloud links cannot be applied yet" {
		t.Fatalf("warnings %v", d.Warnings)
	}
	for _, want := range []string{"6 pair(s)", "gcp-hub-a–aws-east", "gcp-hub-b–gcp-spoke"} {
		if !strings.Contains(d.Warnings[0].Detail, want) {
			t.Errorf("warning lacks %q: %s", want, d.Warnings[0].Detail)
		}
	}
	if why := HostCloudRefusal(d.Alloc); !strings.Contains(why, "Apply stopped before changing anything") {
		t.Errorf("refusal %q", why)
	}
	// Hosts among themselves: nothing to warn of.
	hosts := &topology.Mesh{Name: "h", Topology: topology.Full, Redundancy: 1, Sites: []topology.Site{
		{Name: "a", Cloud: topology.Host, Agent: "https://198.51.100.1:7443", CIDRs: []string{"10.1.0.0/16"}},
		{Name: "b", Cloud: topology.Host, Agent: "https://a.example.com:7443", CIDRs: []string{"10.2.0.0/16"}},
	}}
	if d, ps := Build(hosts, nil); len(ps) > 0 || len(d.Warnings) != 0 || HostCloudRefusal(d.Alloc) != "" {
		t.Errorf("hosts only: %v %v", ps, d.Warnings)
	}
}

// A host's tunnels use its endpoint when its agent URL is a name, and an
// IPv6 agent address is bracketed in WireGuard endpoints.
func TestBuildHostEndpoints(t *testing.T) {
	m := &topology.Mesh{Name: "e", Topology: topology.Full, Redundancy: 1, PSKEpoch: 1, Sites: []topology.Site{
		{Name: "aws", Cloud: topology.AWS, Region: "us-east-1", NetworkID: "vpc-0a1b2c3d", CIDRs: []string{"10.1.0.0/16"}},
		{Name: "h1", Cloud: topology.Host, Agent: "https://h1.example.com:7443", Endpoint: "203.0.113.7", CIDRs: []string{"10.2.0.0/16"}},
		{Name: "h2", Cloud: topology.Host, Agent: "https://[2001:db8::2]:7443", CIDRs: []string{"10.3.0.0/16"}},
	}}
	// h2 faces AWS with an IPv6 address: refused at plan.
	if _, ps := Build(m, nil); len(ps) != 1 || ps[0].Path.String() != "site[2].agent" {
		t.Fatalf("want the IPv6 host refused: %v", ps)
	}
	m.Topology, m.Links = topology.Links, []topology.Link{{A: "aws", B: "h1"}, {A: "h1", B: "h2"}}
	d, ps := Build(m, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	var cgw, wg string
	for _, o := range d.Objects {
		switch o.Kind {
		case "aws_customer_gateway":
			cgw = o.Attrs["ip_address"]
		case "host_wireguard_peer":
			if o.Site == "h1" {
				wg = o.Attrs["endpoint"]
			}
		}
	}
	if cgw != "203.0.113.7" || !strings.HasPrefix(wg, "[2001:db8::2]:") {
		t.Errorf("customer gateway %q, h1's WireGuard peer endpoint %q", cgw, wg)
	}
}
