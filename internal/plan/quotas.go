package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/routing"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Quota is one cloud limit a mesh can exceed, with its default and where
// the cloud documents it. Adjustable quotas can be raised on request; the
// provider's quotas block then states the account's real limit.
type Quota struct {
	Cloud      topology.Cloud
	Name       string // as written in the provider's quotas block
	What       string
	Default    int
	Adjustable bool
	Source     string
	// uses counts the mesh's use of the quota per scope.
	uses func(d *Desired) []quotaUse
}

// quotaUse is one scope's use: which site the diagnostic points at, what
// the scope is, and the count.
type quotaUse struct {
	site  int
	scope string
	count int
}

// Key is the quota's name with its cloud ("aws.vpn_connections_per_vgw").
func (q *Quota) Key() string { return string(q.Cloud) + "." + q.Name }

const (
	awsVPNQuotas = "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html"
	awsTGWQuotas = "https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html"
	gcpRouterQ   = "https://cloud.google.com/network-connectivity/docs/router/quotas"
	awsVPCQuotas = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
	azureLimits  = "https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus"
)

// Quotas lists every limit checked at plan, by cloud then name.
var Quotas = []Quota{
	{Cloud: topology.AWS, Name: "customer_gateways_per_region", What: "customer gateways per region", Default: 50, Adjustable: true, Source: awsVPNQuotas,
		uses: perRegion(func(o *Object) (string, bool) {
			return o.Attrs["ip_address"] + "/" + o.Attrs["bgp_asn"], o.Kind == "aws_customer_gateway"
		})},
	{Cloud: topology.AWS, Name: "routes_per_route_table", What: "routes per VPC route table (the local route and those crosslink adds toward a transit gateway; others already there count too)", Default: 50, Adjustable: true, Source: awsVPCQuotas,
		uses: func(d *Desired) []quotaUse {
			n := map[string]int{}
			for i := range d.Objects {
				if d.Objects[i].Kind == "aws_vpc_route" {
					n[d.Objects[i].Site]++
				}
			}
			return group(d, func(i int, s *topology.Site) (string, int, bool) {
				return "each route table of VPC " + s.NetworkID, n[s.Name] + 1, routing.KindOf(s) == routing.KindAWSTGW
			})
		}},
	{Cloud: topology.AWS, Name: "routes_to_transit_gateway", What: "dynamic routes a customer gateway advertises to a transit gateway VPN", Default: 1000, Source: awsVPNQuotas,
		uses: routesFromPeers(routing.KindAWSTGW)},
	{Cloud: topology.AWS, Name: "routes_to_vgw", What: "dynamic routes a customer gateway advertises to a virtual private gateway VPN (more takes the BGP session down)", Default: 100, Source: awsVPNQuotas,
		uses: routesFromPeers(routing.KindAWSVGW)},
	{Cloud: topology.AWS, Name: "transit_gateways_per_region", What: "transit gateways per region", Default: 5, Adjustable: true, Source: awsTGWQuotas,
		uses: sitesPerRegion(routing.KindAWSTGW)},
	{Cloud: topology.AWS, Name: "vgws_per_region", What: "virtual private gateways per region", Default: 5, Adjustable: true, Source: awsVPNQuotas,
		uses: sitesPerRegion(routing.KindAWSVGW)},
	{Cloud: topology.AWS, Name: "vpn_connections_per_region", What: "Site-to-Site VPN connections per region", Default: 50, Adjustable: true, Source: awsVPNQuotas,
		uses: perRegion(func(o *Object) (string, bool) { return o.Key, o.Kind == "aws_vpn_connection" })},
	{Cloud: topology.AWS, Name: "vpn_connections_per_vgw", What: "Site-to-Site VPN connections per virtual private gateway", Default: 10, Adjustable: true, Source: awsVPNQuotas,
		uses: perSite(routing.KindAWSVGW, "aws_vpn_connection")},
	{Cloud: topology.Azure, Name: "routes_per_session", What: "prefixes an Azure VPN gateway accepts from one BGP peer (more drops the session)", Default: 4000, Source: azureLimits,
		uses: routesFromPeers(routing.KindAzure)},
	{Cloud: topology.Azure, Name: "tunnels_per_gateway", What: "site-to-site tunnels per VPN gateway (VpnGw2 and larger)", Default: 100, Source: azureLimits,
		uses: perSite(routing.KindAzure, "azure_vpn_connection")},
	{Cloud: topology.GCP, Name: "bgp_peers_per_router", What: "BGP peers per Cloud Router", Default: 128, Source: gcpRouterQ,
		uses: perSite(routing.KindGCP, "gcp_router_bgp_peer")},
	{Cloud: topology.GCP, Name: "routers_per_network_region", What: "Cloud Routers per network and region", Default: 5, Adjustable: true, Source: gcpRouterQ,
		uses: func(d *Desired) []quotaUse {
			return group(d, func(i int, s *topology.Site) (string, int, bool) {
				return fmt.Sprintf("network %s in %s", s.NetworkID, s.Region), 1, routing.KindOf(s) == routing.KindGCP
			})
		}},
	{Cloud: topology.GCP, Name: "prefixes_per_peer", What: "prefixes a Cloud Router accepts from one BGP peer", Default: 5000, Source: gcpRouterQ,
		uses: routesFromPeers(routing.KindGCP)},
}

// QuotaByKey finds a quota by its Key.
func QuotaByKey(key string) (*Quota, bool) {
	for i := range Quotas {
		if Quotas[i].Key() == key {
			return &Quotas[i], true
		}
	}
	return nil, false
}

// CheckQuotas checks the whole mesh against every quota: limits holds the
// raised values the provider configuration states (by Key), the rest use
// their defaults. A problem names the scope, the count and the quota, on
// the site it points at.
func CheckQuotas(d *Desired, limits map[string]int) topology.Problems {
	var ps topology.Problems
	for i := range Quotas {
		q := &Quotas[i]
		limit, raised := limits[q.Key()]
		if !raised {
			limit = q.Default
		}
		for _, u := range q.uses(d) {
			if u.count <= limit {
				continue
			}
			s := d.Mesh.Sites[u.site]
			fix := fmt.Sprintf("If your account's limit is higher, state it in the provider's quotas block (%s = { %s = N }); otherwise split the mesh or give the site fewer peers.", q.Cloud, q.Name)
			if !q.Adjustable {
				fix = "This limit cannot be raised: give the site fewer peers, or have its peers announce fewer prefixes."
			}
			source := "default " + fmt.Sprint(q.Default)
			if raised {
				source = "stated in the provider's quotas block"
			}
			ps.Add(topology.Path{"site", u.site, "name"}, "Over a cloud quota",
				"Site %q: %s needs %d %s, over the quota of %d (%s; %s). %s",
				s.Name, u.scope, u.count, q.What, limit, source, q.Source, fix)
		}
	}
	return ps
}

// group counts per scope over the mesh's sites; a scope points at its
// first site.
func group(d *Desired, of func(i int, s *topology.Site) (scope string, n int, ok bool)) []quotaUse {
	idx := map[string]int{}
	var out []quotaUse
	for i := range d.Mesh.Sites {
		scope, n, ok := of(i, &d.Mesh.Sites[i])
		if !ok {
			continue
		}
		k, seen := idx[scope]
		if !seen {
			k = len(out)
			idx[scope] = k
			out = append(out, quotaUse{site: i, scope: scope})
		}
		out[k].count += n
	}
	return out
}

func sitesPerRegion(kind routing.Kind) func(d *Desired) []quotaUse {
	return func(d *Desired) []quotaUse {
		return group(d, func(i int, s *topology.Site) (string, int, bool) {
			return "region " + s.Region, 1, routing.KindOf(s) == kind
		})
	}
}

// perSite counts each site's objects of one kind, site by site.
func perSite(kind routing.Kind, objKind string) func(d *Desired) []quotaUse {
	return func(d *Desired) []quotaUse {
		n := map[string]int{}
		for i := range d.Objects {
			if d.Objects[i].Kind == objKind {
				n[d.Objects[i].Site]++
			}
		}
		var out []quotaUse
		for i := range d.Mesh.Sites {
			if s := &d.Mesh.Sites[i]; routing.KindOf(s) == kind {
				out = append(out, quotaUse{site: i, scope: "its gateway", count: n[s.Name]})
			}
		}
		return out
	}
}

// perRegion counts distinct objects (by the id returned) per AWS region.
func perRegion(id func(o *Object) (string, bool)) func(d *Desired) []quotaUse {
	return func(d *Desired) []quotaUse {
		region := map[string]string{}
		for _, s := range d.Mesh.Sites {
			region[s.Name] = s.Region
		}
		distinct := map[string]map[string]bool{}
		for i := range d.Objects {
			if k, ok := id(&d.Objects[i]); ok {
				r := region[d.Objects[i].Site]
				if distinct[r] == nil {
					distinct[r] = map[string]bool{}
				}
				distinct[r][k] = true
			}
		}
		return group(d, func(i int, s *topology.Site) (string, int, bool) {
			if s.Cloud != topology.AWS || distinct[s.Region] == nil {
				return "", 0, false
			}
			n := len(distinct[s.Region])
			distinct[s.Region] = nil // counted once, at the region's first site
			return "region " + s.Region, n, true
		})
	}
}

// routesFromPeers counts, per site of the kind and per peer, the prefixes
// the peer announces over its sessions: its own, and if it transits every
// other site's (all it can reach; an upper bound, as a BGP speaker sends
// its best route to every destination), except the site's own.
func routesFromPeers(kind routing.Kind) func(d *Desired) []quotaUse {
	return func(d *Desired) []quotaUse {
		total := 0
		own := map[string]int{}
		transit := map[string]bool{}
		for i := range d.Mesh.Sites {
			s := &d.Mesh.Sites[i]
			own[s.Name] = len(s.Prefixes)
			total += len(s.Prefixes)
			transit[s.Name] = routing.Behaviours[routing.KindOf(s)].Transit
		}
		peers := map[string]map[string]bool{}
		for _, t := range d.Alloc.Tunnels {
			for _, e := range [][2]string{{t.A.Site, t.B.Site}, {t.B.Site, t.A.Site}} {
				if peers[e[0]] == nil {
					peers[e[0]] = map[string]bool{}
				}
				peers[e[0]][e[1]] = true
			}
		}
		var out []quotaUse
		for i := range d.Mesh.Sites {
			s := &d.Mesh.Sites[i]
			if routing.KindOf(s) != kind {
				continue
			}
			names := make([]string, 0, len(peers[s.Name]))
			for p := range peers[s.Name] {
				names = append(names, p)
			}
			sort.Strings(names)
			for _, p := range names {
				n := own[p]
				if transit[p] {
					n = total - own[s.Name]
				}
				out = append(out, quotaUse{site: i, scope: "the BGP sessions from " + p, count: n})
			}
		}
		return out
	}
}

// QuotaNames lists the quota names of one cloud, sorted, for diagnostics.
func QuotaNames(c topology.Cloud) string {
	var out []string
	for i := range Quotas {
		if Quotas[i].Cloud == c {
			out = append(out, Quotas[i].Name)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
