package topology

import (
	"strings"
	"testing"
)

// goodMesh is a valid four-cloud mesh that each case breaks in one way.
func goodMesh() Mesh {
	return Mesh{
		Name: "prod", Topology: Full, Redundancy: 2, PSKEpoch: 1,
		Sites: []Site{
			{Name: "aws-use1", Cloud: AWS, Region: "us-east-1", NetworkID: "vpc-0a1b2c3d4e5f67890", CIDRs: []string{"10.10.0.0/16"}},
			{Name: "gcp-euw1", Cloud: GCP, Region: "europe-west1", NetworkID: "prod", CIDRs: []string{"10.20.0.0/16"}},
			{Name: "az-weu", Cloud: Azure, Region: "westeurope", NetworkID: "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/prod", CIDRs: []string{"10.30.0.0/16"}},
			{Name: "dc1", Cloud: Host, Agent: "https://198.51.100.7:7443", CIDRs: []string{"10.40.0.0/16", "10.41.0.0/16"}},
		},
	}
}

func TestValidateGood(t *testing.T) {
	m := goodMesh()
	if ps := Validate(&m); len(ps) != 0 {
		t.Fatalf("unexpected problems:\n%s", ps)
	}
	if got := len(m.Sites[3].Prefixes); got != 2 {
		t.Fatalf("dc1 prefixes = %d, want 2", got)
	}
}

func TestValidateBad(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(m *Mesh)
		path    string
		summary string
		detail  string // substring
	}{
		{"duplicate site", func(m *Mesh) { m.Sites[2].Name = "gcp-euw1" }, "site[2].name", "Duplicate site name", `site[1] and site[2]`},
		{"bad site name", func(m *Mesh) { m.Sites[0].Name = "AWS_1" }, "site[0].name", "Invalid site name", "RFC 1035"},
		{"long mesh name", func(m *Mesh) { m.Name = strings.Repeat("a", 21) }, "name", "The mesh name is too long", "at most 20"},
		{"malformed cidr", func(m *Mesh) { m.Sites[1].CIDRs = []string{"10.20.0.0/33"} }, "site[1].cidrs[0]", "Invalid CIDR", "10.20.0.0/33"},
		{"host bits", func(m *Mesh) { m.Sites[1].CIDRs = []string{"10.20.1.0/16"} }, "site[1].cidrs[0]", "CIDR is not a network address", "did you mean 10.20.0.0/16"},
		{"link-local cidr", func(m *Mesh) { m.Sites[1].CIDRs = []string{"169.254.10.0/24"} }, "site[1].cidrs[0]", "CIDR in link-local space", ""},
		{"overlap across sites", func(m *Mesh) { m.Sites[3].CIDRs = []string{"10.20.128.0/17"} }, "site[3].cidrs[0]", "Overlapping CIDRs", `between sites "gcp-euw1" and "dc1"`},
		{"overlap within site", func(m *Mesh) { m.Sites[3].CIDRs = []string{"10.40.0.0/16", "10.40.5.0/24"} }, "site[3].cidrs[1]", "Overlapping CIDRs", `within site "dc1"`},
		{"no cidrs", func(m *Mesh) { m.Sites[0].CIDRs = nil }, "site[0].cidrs", "Missing CIDRs", ""},
		{"shared asn", func(m *Mesh) { m.Sites[1].ASN = 65010; m.Sites[3].ASN = 65010 }, "site[3].asn", "Shared ASN", `"gcp-euw1" and "dc1"`},
		{"unknown cloud", func(m *Mesh) { m.Sites[1].Cloud = "oracle" }, "site[1].cloud", "Unknown cloud", ""},
		{"missing region", func(m *Mesh) { m.Sites[0].Region = "" }, "site[0].region", "Missing region", "us-east-1"},
		{"bad vpc", func(m *Mesh) { m.Sites[0].NetworkID = "vpc-xyz" }, "site[0].network_id", "Invalid network_id", "VPC id"},
		{"bad vnet", func(m *Mesh) { m.Sites[2].NetworkID = "prod" }, "site[2].network_id", "Invalid network_id", "virtual network resource id"},
		{"agent not url", func(m *Mesh) { m.Sites[3].Agent = "198.51.100.7:7443" }, "site[3].agent", "Invalid agent endpoint", "https URL"},
		{"agent http", func(m *Mesh) { m.Sites[3].Agent = "http://198.51.100.7:7443" }, "site[3].agent", "Invalid agent endpoint", ""},
		{"agent missing", func(m *Mesh) { m.Sites[3].Agent = "" }, "site[3].agent", "Missing agent endpoint", ""},
		{"agent on cloud", func(m *Mesh) { m.Sites[1].Agent = "https://x:1" }, "site[1].agent", "Agent on a cloud site", ""},
		{"endpoint on cloud", func(m *Mesh) { m.Sites[1].Endpoint = "203.0.113.7" }, "site[1].endpoint", "Endpoint on a cloud site", ""},
		{"endpoint not an address", func(m *Mesh) { m.Sites[3].Endpoint = "dc1.example.com" }, "site[3].endpoint", "Invalid endpoint", "public IP address"},
		{"endpoint unspecified", func(m *Mesh) { m.Sites[3].Endpoint = "0.0.0.0" }, "site[3].endpoint", "Invalid endpoint", ""},
		// A cloud gateway names its peer by IPv4 address: a DNS name or an
		// IPv6 address is refused at plan, not passed on to fail at apply.
		{"dns agent facing clouds", func(m *Mesh) { m.Sites[3].Agent = "https://dc1.example.com:7443" }, "site[3].agent", "Host needs a public IPv4 address",
			`linked to cloud site(s) aws-use1, az-weu, gcp-euw1, whose VPN gateways name their peer by a public IPv4 address, but its agent URL "https://dc1.example.com:7443" names "dc1.example.com", a DNS name`},
		{"ipv6 agent facing clouds", func(m *Mesh) { m.Sites[3].Agent = "https://[2001:db8::7]:7443" }, "site[3].agent", "Host needs a public IPv4 address", `names "2001:db8::7", an IPv6 address`},
		{"ipv6 endpoint facing clouds", func(m *Mesh) { m.Sites[3].Endpoint = "2001:db8::7" }, "site[3].endpoint", "Host needs a public IPv4 address", `endpoint is "2001:db8::7", an IPv6 address`},
		{"gateway on gcp", func(m *Mesh) { m.Sites[1].Gateway = "tgw" }, "site[1].gateway", "Gateway type on a non-AWS site", ""},
		{"bad gateway", func(m *Mesh) { m.Sites[0].Gateway = "nat" }, "site[0].gateway", "Unknown AWS gateway type", ""},
		{"redundancy", func(m *Mesh) { m.Redundancy = 4 }, "redundancy", "Redundancy out of range", "between 1 and 3"},
		{"topology", func(m *Mesh) { m.Topology = "ring" }, "topology", "Unknown topology", ""},
		{"one site", func(m *Mesh) { m.Sites = m.Sites[:1] }, "site", "Too few sites", ""},
		{"two aws full", func(m *Mesh) {
			m.Sites[2] = Site{Name: "aws-usw2", Cloud: AWS, Region: "us-west-2", NetworkID: "vpc-0a1b2c3d", CIDRs: []string{"10.30.0.0/16"}}
		}, "site[2].cloud", "Two AWS sites in a full mesh", ""},
		{"hubs missing", func(m *Mesh) { m.Topology = HubSpoke }, "hubs", "Missing hubs", ""},
		{"unknown hub", func(m *Mesh) { m.Topology = HubSpoke; m.Hubs = []string{"dc2"} }, "hubs[0]", "Unknown hub", `did you mean "dc1"`},
		{"hubs on full", func(m *Mesh) { m.Hubs = []string{"dc1"} }, "hubs", "Hubs without hub_spoke", ""},
		{"unknown link site", func(m *Mesh) {
			m.Topology = Links
			m.Links = []Link{{A: "dc1", B: "gcp-euw2"}}
		}, "link[0].b", "Unknown site in link", `did you mean "gcp-euw1"`},
		{"wireguard to cloud", func(m *Mesh) {
			m.Topology = Links
			m.Links = []Link{{A: "dc1", B: "gcp-euw1", Transport: WireGuard}}
		}, "link[0].transport", "WireGuard to a cloud site", `"gcp-euw1" is in gcp`},
		{"duplicate link", func(m *Mesh) {
			m.Topology = Links
			m.Links = []Link{{A: "dc1", B: "gcp-euw1"}, {A: "gcp-euw1", B: "dc1"}}
		}, "link[1]", "Duplicate link", ""},
		{"self link", func(m *Mesh) { m.Topology = Links; m.Links = []Link{{A: "dc1", B: "dc1"}} }, "link[0].b", "Link to itself", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := goodMesh()
			c.mutate(&m)
			ps := Validate(&m)
			for _, p := range ps {
				if p.Path.String() == c.path && p.Summary == c.summary && strings.Contains(p.Detail, c.detail) {
					return
				}
			}
			t.Fatalf("want %s: %s (%q); got:\n%s", c.path, c.summary, c.detail, ps)
		})
	}
}

// A host's data-plane address: endpoint, else the agent URL's host, with
// IPv6 brackets and ports handled by net/url; a DNS name is fine between
// hosts (WireGuard resolves it).
func TestDataPlaneAddress(t *testing.T) {
	for _, c := range []struct{ agent, endpoint, want string }{
		{"https://198.51.100.7:7443", "", "198.51.100.7"},
		{"https://198.51.100.7", "", "198.51.100.7"},
		{"https://[2001:db8::7]:7443", "", "2001:db8::7"},
		{"https://dc1.example.com:7443/", "", "dc1.example.com"},
		{"https://dc1.example.com:7443", "203.0.113.7", "203.0.113.7"},
	} {
		s := Site{Cloud: Host, Agent: c.agent, Endpoint: c.endpoint}
		if got := s.DataPlaneAddress(); got != c.want {
			t.Errorf("%q, %q: %q, want %q", c.agent, c.endpoint, got, c.want)
		}
	}
	m := Mesh{Name: "hosts", Topology: Full, Redundancy: 1, Sites: []Site{
		{Name: "a", Cloud: Host, Agent: "https://a.example.com:7443", CIDRs: []string{"10.1.0.0/16"}},
		{Name: "b", Cloud: Host, Agent: "https://[2001:db8::2]:7443", CIDRs: []string{"10.2.0.0/16"}},
	}}
	if ps := Validate(&m); len(ps) != 0 {
		t.Errorf("hosts only: %v", ps)
	}
	// With endpoint the DNS agent may face a cloud.
	m = goodMesh()
	m.Sites[3].Agent, m.Sites[3].Endpoint = "https://dc1.example.com:7443", "203.0.113.7"
	if ps := Validate(&m); len(ps) != 0 {
		t.Errorf("endpoint given: %v", ps)
	}
}

func TestValidateReportsEverything(t *testing.T) {
	m := goodMesh()
	m.Redundancy = 0
	m.Sites[0].CIDRs = []string{"bad"}
	m.Sites[1].Name = ""
	ps := Validate(&m)
	if len(ps) < 3 {
		t.Fatalf("want all three problems at once, got:\n%s", ps)
	}
}

func TestAdjacencies(t *testing.T) {
	m := goodMesh()
	if got := len(Adjacencies(&m)); got != 6 {
		t.Fatalf("full mesh of 4: %d adjacencies, want 6", got)
	}
	m.Topology, m.Hubs = HubSpoke, []string{"dc1"}
	adj := Adjacencies(&m)
	if len(adj) != 3 {
		t.Fatalf("hub_spoke with one hub: %d adjacencies, want 3", len(adj))
	}
	for _, l := range adj {
		if l.A != "dc1" && l.B != "dc1" || l.A > l.B || l.Transport != IPsec {
			t.Fatalf("bad adjacency %+v", l)
		}
	}
	m.Sites = append(m.Sites, Site{Name: "dc2", Cloud: Host})
	m.Topology, m.Hubs, m.Links = Links, nil, []Link{{A: "dc2", B: "dc1"}}
	adj = Adjacencies(&m)
	if len(adj) != 1 || adj[0] != (Link{A: "dc1", B: "dc2", Transport: WireGuard}) {
		t.Fatalf("links: %+v", adj)
	}
}
