package cloudbench

import (
	"fmt"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Site is one site of a benchmark mesh with what the emulator must hold
// for it: Network is the VPC ID (AWS) or the network name (GCP).
type Site struct {
	Name, Cloud, Region, Network, CIDR string
}

// Mesh is the one description both benchmarks render: a topology.Mesh for
// the engine path and HCL for the CLI path, so they apply the same sites.
// A full mesh.
type Mesh struct {
	Name  string
	Sites []Site
}

// TwoCloud is the benchmark mesh: a full mesh of 10 sites at redundancy
// 2, one AWS site and 9 GCP sites each with its own network over three
// regions. It has one AWS site because nothing else is possible with these
// two clouds alone: two AWS gateways cannot be linked to each other, and a
// GCP Cloud Router does not pass traffic between its tunnels (docs/design.md,
// routing model), so two AWS sites would need a host or Azure site between
// them.
func TwoCloud(name string) Mesh { return Full(name, 9) }

// Full builds a full mesh at redundancy 2: one AWS site in us-east-1 and
// gcpSites GCP sites over three regions; every site has its own VPC or
// network and a /16 of 10.0.0.0/8.
func Full(name string, gcpSites int) Mesh {
	m := Mesh{Name: name}
	add := func(s Site) { m.Sites = append(m.Sites, s) }
	n := 0
	cidr := func() string { n++; return fmt.Sprintf("10.%d.0.0/16", n) }
	add(Site{Name: "aws-use1", Cloud: "aws", Region: "us-east-1", Network: "vpc-0be4c400000000000", CIDR: cidr()})
	gcpRegions := []struct{ short, region string }{{"euw1", "europe-west1"}, {"usc1", "us-central1"}, {"ase1", "asia-east1"}}
	for i := range gcpSites {
		r := gcpRegions[i%3]
		name := fmt.Sprintf("%s-%d", r.short, i/3)
		add(Site{Name: "gcp-" + name, Cloud: "gcp", Region: r.region, Network: "net-" + name, CIDR: cidr()})
	}
	return m
}

// Topology is the mesh as the provider's model holds it.
func (m Mesh) Topology() *topology.Mesh {
	t := &topology.Mesh{Name: m.Name, Topology: topology.Full, Redundancy: 2, PSKEpoch: 1, KeyEpoch: 1}
	for _, s := range m.Sites {
		t.Sites = append(t.Sites, topology.Site{Name: s.Name, Cloud: topology.Cloud(s.Cloud), Region: s.Region,
			NetworkID: s.Network, CIDRs: []string{s.CIDR}})
	}
	return t
}

// HCL is the crosslink_mesh resource for the same sites.
func (m Mesh) HCL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"crosslink_mesh\" \"bench\" {\n  name       = %q\n  topology   = \"full\"\n  redundancy = 2\n", m.Name)
	for _, s := range m.Sites {
		fmt.Fprintf(&b, "\n  site {\n    name       = %q\n    cloud      = %q\n    region     = %q\n    network_id = %q\n    cidrs      = [%q]\n  }\n",
			s.Name, s.Cloud, s.Region, s.Network, s.CIDR)
	}
	b.WriteString("}\n")
	return b.String()
}

// Seed creates every site's VPC (two subnets, so a main route table) or
// network in the emulator.
func (m Mesh) Seed(s *emulator.Server) error {
	for _, site := range m.Sites {
		var err error
		switch site.Cloud {
		case "aws":
			// 10.N.0.0/16 → subnets 10.N.0.0/24 and 10.N.1.0/24.
			base := strings.TrimSuffix(site.CIDR, ".0.0/16")
			err = s.EC2.SeedVPC(site.Region, ec2.VPC{ID: site.Network, CIDR: site.CIDR, Subnets: []ec2.Subnet{
				{AZ: site.Region + "a", CIDR: base + ".0.0/24"}, {AZ: site.Region + "b", CIDR: base + ".1.0/24"}}})
		case "gcp":
			err = s.GCE.SeedNetwork(Project, gce.Network{Name: site.Network,
				Subnets: []gce.Subnet{{Name: site.Network + "-main", Region: site.Region, CIDR: site.CIDR}}})
		default:
			err = fmt.Errorf("site %s: cloud %q is not in the benchmark", site.Name, site.Cloud)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Regions lists the distinct regions of a cloud's sites, in site order.
func (m Mesh) Regions(cloud string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range m.Sites {
		if s.Cloud == cloud && !seen[s.Region] {
			seen[s.Region] = true
			out = append(out, s.Region)
		}
	}
	return out
}
