package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccMeshBadInput: each invalid configuration fails at plan with a
// diagnostic whose summary is right and whose source snippet is the
// offending attribute (Terraform prints the line the attribute path
// resolves to), so the path is checked, not just the message.
func TestAccMeshBadInput(t *testing.T) {
	host := func(name, cidr string) string { return siteHCL(name, "host", cidr) }
	cases := []struct {
		name   string
		config string
		want   string // regexp; whitespace in it matches any run of whitespace
	}{
		{"duplicate site", meshHCL("", host("dc1", "10.1.0.0/16"), host("dc1", "10.2.0.0/16")),
			`Duplicate site name .* name = "dc1" .* site\[0\] and site\[1\] are both named`},
		{"malformed cidr", meshHCL("", host("dc1", "10.1.0.0/33"), host("dc2", "10.2.0.0/16")),
			`Invalid CIDR .* cidrs = \["10.1.0.0/33"\]`},
		{"host bits", meshHCL("", host("dc1", "10.1.0.0/16"), host("dc2", "10.2.1.0/16")),
			`CIDR is not a network address .* cidrs = \["10.2.1.0/16"\] .* did you mean 10.2.0.0/16`},
		{"overlap", meshHCL("", host("dc1", "10.1.0.0/16"), host("dc2", "10.1.128.0/17")),
			`Overlapping CIDRs .* cidrs = \["10.1.128.0/17"\] .* between sites "dc1" and "dc2"`},
		{"shared asn", meshHCL("", strings.Replace(host("dc1", "10.1.0.0/16"), "cidrs", "asn = 65010\n  cidrs", 1),
			strings.Replace(host("dc2", "10.2.0.0/16"), "cidrs", "asn = 65010\n  cidrs", 1)),
			`Shared ASN .* asn = 65010 .* "dc1" and "dc2" both use ASN 65010`},
		{"asn out of range", meshHCL("", strings.Replace(host("dc1", "10.1.0.0/16"), "cidrs", "asn = 4294967295\n  cidrs", 1), host("dc2", "10.2.0.0/16")),
			`asn = 4294967295`},
		{"public asn on gcp", meshHCL("", strings.Replace(siteHCL("gcp1", "gcp", "10.1.0.0/16"), "cidrs", "asn = 15169\n  cidrs", 1), host("dc2", "10.2.0.0/16")),
			`ASN not allowed here .* asn = 15169`},
		{"unknown hub", meshHCL(`  topology = "hub_spoke"
  hubs = ["dc3"]`, host("dc1", "10.1.0.0/16"), host("dc2", "10.2.0.0/16")),
			`Unknown hub .* hubs = \["dc3"\] .* did you mean`},
		{"unknown link site", meshHCL("  topology = \"links\"\n  link {\n    a = \"dc1\"\n    b = \"dcx\"\n  }", host("dc1", "10.1.0.0/16"), host("dc2", "10.2.0.0/16")),
			`Unknown site in link .* b = "dcx"`},
		{"wireguard to cloud", meshHCL("  topology = \"links\"\n  link {\n    a = \"dc1\"\n    b = \"gcp1\"\n    transport = \"wireguard\"\n  }",
			host("dc1", "10.1.0.0/16"), siteHCL("gcp1", "gcp", "10.2.0.0/16")),
			`WireGuard to a cloud site .* transport = "wireguard" .* IPsec`},
		{"two aws in full", meshHCL("", siteHCL("aws1", "aws", "10.1.0.0/16"), siteHCL("aws2", "aws", "10.2.0.0/16")),
			`Two AWS sites in a full mesh .* cloud = "aws"`},
		{"agent not url", meshHCL("", strings.Replace(host("dc1", "10.1.0.0/16"), "https://", "", 1), host("dc2", "10.2.0.0/16")),
			`Invalid agent endpoint .* agent = "198.51.100.13:7443"`},
		{"dns agent facing a cloud", meshHCL("", strings.Replace(host("dc1", "10.1.0.0/16"), "198.51.100.13", "dc1.example.com", 1), siteHCL("aws1", "aws", "10.2.0.0/16")),
			`Host needs a public IPv4 address .* agent = "https://dc1.example.com:7443" .* Set endpoint`},
		{"bad endpoint", meshHCL("", strings.Replace(host("dc1", "10.1.0.0/16"), "cidrs", "endpoint = \"dc1.example.com\"\n  cidrs", 1), host("dc2", "10.2.0.0/16")),
			`Invalid endpoint .* endpoint = "dc1.example.com"`},
		{"transit through gcp", meshHCL(`  topology = "hub_spoke"
  hubs = ["gcp1", "gcp2"]
  redundancy = 2`, siteHCL("gcp1", "gcp", "10.1.0.0/16"), strings.Replace(siteHCL("gcp2", "gcp", "10.2.0.0/16"), "europe-west1", "us-central1", 1),
			siteHCL("aws1", "aws", "10.3.0.0/16"), host("dc1", "10.4.0.0/16")),
			`Path through a site that does not transit .* redundancy = 2 .* aws1–dc1 \(0\)\. .* gcp1, gcp2, .* Cloud Router`},
		{"redundancy unreachable", meshHCL("  redundancy = 2", host("dc1", "10.1.0.0/16"), host("dc2", "10.2.0.0/16")),
			`Redundancy cannot be reached .* redundancy = 2 .* dc1–dc2 \(1\)`},
		{"single point of failure", meshHCL(`  topology = "hub_spoke"
  hubs = ["hub"]
  redundancy = 2`, host("hub", "10.1.0.0/16"), host("dc1", "10.2.0.0/16"), host("dc2", "10.3.0.0/16")),
			`Single point of failure .* redundancy = 2 .* Losing`},
		{"redundancy range", meshHCL("  redundancy = 4", host("dc1", "10.1.0.0/16"), host("dc2", "10.2.0.0/16")),
			`redundancy = 4`},
		{"one site", meshHCL("", host("dc1", "10.1.0.0/16")), `site`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		want := strings.ReplaceAll(c.want, " ", `\s+`)
		steps = append(steps, resource.TestStep{
			Config:      c.config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)` + want),
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps:                    steps,
	})
}

// TestAccMeshQuotas: a mesh over a cloud quota fails at plan naming the
// site, the count and the quota; with the raised quota stated in the
// provider it plans; unknown or fixed quotas are refused on their key.
func TestAccMeshQuotas(t *testing.T) {
	sites := []string{siteHCL("aws1", "aws", "10.0.0.0/16")}
	for i := range 6 {
		sites = append(sites, siteHCL(fmt.Sprintf("gcp%d", i), "gcp", fmt.Sprintf("10.%d.0.0/16", 10+i)))
	}
	mesh := meshHCL("", sites...)
	quotas := func(body string) string { return "provider \"crosslink\" {\n  quotas {\n" + body + "  }\n}\n" }
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:      mesh,
				PlanOnly:    true,
				ExpectError: wrapped(`Over a cloud quota`, `Site "aws1": its gateway needs 12 Site-to-Site VPN connections per virtual private gateway, over the quota of 10`, `vpn_connections_per_vgw = N`),
			},
			{
				Config:      quotas("    aws = { vpn_connections_per_vgw = 12 }\n") + mesh,
				PlanOnly:    true,
				ExpectError: wrapped(`Over a cloud quota`, `network prod in europe-west1 needs 6 Cloud Routers per network and region`),
			},
			{
				Config:             quotas("    aws = { vpn_connections_per_vgw = 12 }\n    gcp = { routers_per_network_region = 6 }\n") + mesh,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      quotas("    aws = { vpn_conections_per_vgw = 12 }\n") + mesh,
				PlanOnly:    true,
				ExpectError: wrapped(`Unknown quota`, `"vpn_conections_per_vgw" is not one of the aws quotas`, `vpn_connections_per_vgw`),
			},
			{
				Config:      quotas("    aws = { routes_to_vgw = 200 }\n") + mesh,
				PlanOnly:    true,
				ExpectError: wrapped(`Quota cannot be raised`, `fixed at 100`),
			},
		},
	})
}
