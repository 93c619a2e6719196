package topology

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxRedundancy is the most disjoint paths a mesh can ask for: cloud VPN
// gateways have two interfaces, so three paths already need transit sites.
const MaxRedundancy = 3

// linkLocal is where tunnel inside addresses live; a site cannot use it.
var linkLocal = netip.MustParsePrefix("169.254.0.0/16")

// Validate checks a mesh and returns every problem at once, each on the
// attribute path it came from. On success it fills each site's Prefixes.
// Cloud-specific number rules (ASN ranges) live in package alloc.
func Validate(m *Mesh) Problems {
	var ps Problems
	checkName(&ps, Path{"name"}, "mesh", m.Name, maxMeshName)
	switch m.Topology {
	case Full, HubSpoke, Links:
	default:
		ps.Add(Path{"topology"}, "Unknown topology", "%q is not a topology; use \"full\", \"hub_spoke\" or \"links\".", m.Topology)
	}
	if m.Redundancy < 1 || m.Redundancy > MaxRedundancy {
		ps.Add(Path{"redundancy"}, "Redundancy out of range", "redundancy is %d; it must be between 1 and %d (disjoint paths each pair of sites keeps).", m.Redundancy, MaxRedundancy)
	}
	if m.PSKEpoch < 0 {
		ps.Add(Path{"psk_epoch"}, "Negative psk_epoch", "psk_epoch is %d; it must be 0 or more. Bump it to rotate every pre-shared key.", m.PSKEpoch)
	}
	if m.KeyEpoch < 0 {
		ps.Add(Path{"key_epoch"}, "Negative key_epoch", "key_epoch is %d; it must be 0 or more. Bump it to rotate WireGuard keys.", m.KeyEpoch)
	}
	if m.HoldTime != 0 && (m.HoldTime < MinHoldTime || m.HoldTime > MaxHoldTime) {
		ps.Add(Path{"host_bgp_hold_time"}, "Hold time out of range", "host_bgp_hold_time is %d; it must be between %d and %d seconds.", m.HoldTime, MinHoldTime, MaxHoldTime)
	}
	if len(m.Sites) < 2 {
		ps.Add(Path{"site"}, "Too few sites", "A mesh needs at least two site blocks; it has %d.", len(m.Sites))
	}
	index, parsed := validateSites(&ps, m)
	validateOverlaps(&ps, m, parsed)
	validateASNs(&ps, m)
	validateShape(&ps, m, index)
	if len(ps) == 0 {
		validateCloudPeers(&ps, m)
	}
	return ps
}

// validateSites checks each site on its own and returns name → index of the
// first site with that name, and each site's CIDRs parsed (aligned with
// Site.CIDRs; invalid ones are the zero Prefix).
func validateSites(ps *Problems, m *Mesh) (map[string]int, [][]netip.Prefix) {
	index := map[string]int{}
	parsed := make([][]netip.Prefix, len(m.Sites))
	for i := range m.Sites {
		s := &m.Sites[i]
		p := Path{"site", i}
		checkName(ps, p.At("name"), "site", s.Name, maxSiteName)
		if j, dup := index[s.Name]; dup && s.Name != "" {
			ps.Add(p.At("name"), "Duplicate site name", "site[%d] and site[%d] are both named %q; site names must be unique within a mesh.", j, i, s.Name)
		} else {
			index[s.Name] = i
		}
		validateCloud(ps, p, s)
		parsed[i] = validateCIDRs(ps, p, s)
		s.Prefixes = s.Prefixes[:0]
		for _, pfx := range parsed[i] {
			if pfx.IsValid() {
				s.Prefixes = append(s.Prefixes, pfx)
			}
		}
	}
	return index, parsed
}

var (
	awsVPCRE     = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	azureVNetRE  = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+$`)
	gcpNetworkRE = regexp.MustCompile(`^([a-z]([-a-z0-9]{0,61}[a-z0-9])?|projects/[^/]+/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$`)
	regionRE     = regexp.MustCompile(`^[a-z]+[a-z0-9-]*[0-9a-z]$`)
)

func validateCloud(ps *Problems, p Path, s *Site) {
	switch s.Cloud {
	case AWS, GCP, Azure:
		if s.Region == "" {
			ps.Add(p.At("region"), "Missing region", "Site %q is in %s and needs a region (e.g. %s).", s.Name, s.Cloud, exampleRegion[s.Cloud])
		} else if !regionRE.MatchString(s.Region) {
			ps.Add(p.At("region"), "Invalid region", "%q is not a region name (e.g. %s).", s.Region, exampleRegion[s.Cloud])
		}
		validateNetworkID(ps, p.At("network_id"), s)
		if s.Agent != "" {
			ps.Add(p.At("agent"), "Agent on a cloud site", "Site %q is in %s; only host sites run the crosslink agent. Remove agent.", s.Name, s.Cloud)
		}
		if s.Endpoint != "" {
			ps.Add(p.At("endpoint"), "Endpoint on a cloud site", "Site %q is in %s, whose gateway addresses the cloud assigns; endpoint is for host sites. Remove it.", s.Name, s.Cloud)
		}
	case Host:
		validateAgent(ps, p.At("agent"), s)
		validateEndpoint(ps, p.At("endpoint"), s)
	default:
		ps.Add(p.At("cloud"), "Unknown cloud", "%q is not a cloud; use \"aws\", \"gcp\", \"azure\" or \"host\".", s.Cloud)
	}
	if s.Gateway != "" {
		if s.Cloud != AWS {
			ps.Add(p.At("gateway"), "Gateway type on a non-AWS site", "gateway chooses between an AWS virtual private gateway and a transit gateway; site %q is in %s. Remove it.", s.Name, s.Cloud)
		} else if s.Gateway != GatewayVGW && s.Gateway != GatewayTGW {
			ps.Add(p.At("gateway"), "Unknown AWS gateway type", "%q is not a gateway type; use \"vgw\" (virtual private gateway) or \"tgw\" (transit gateway).", s.Gateway)
		}
	}
}

var exampleRegion = map[Cloud]string{AWS: "us-east-1", GCP: "europe-west1", Azure: "westeurope"}

func validateNetworkID(ps *Problems, p Path, s *Site) {
	id := s.NetworkID
	var ok bool
	var want string
	switch s.Cloud {
	case AWS:
		ok, want = awsVPCRE.MatchString(id), "a VPC id such as vpc-0a1b2c3d4e5f67890"
	case GCP:
		ok, want = gcpNetworkRE.MatchString(id), "a VPC network name such as prod, or projects/<project>/global/networks/<name>"
	case Azure:
		ok, want = azureVNetRE.MatchString(id), "a virtual network resource id such as /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>"
	}
	if id == "" {
		ps.Add(p, "Missing network_id", "Site %q is in %s and needs network_id: %s.", s.Name, s.Cloud, want)
	} else if !ok {
		ps.Add(p, "Invalid network_id", "%q is not %s.", id, want)
	}
}

func validateAgent(ps *Problems, p Path, s *Site) {
	if s.Agent == "" {
		ps.Add(p, "Missing agent endpoint", "Site %q is a host and needs agent: the https URL of its crosslink agent, e.g. https://198.51.100.7:7443.", s.Name)
		return
	}
	u, err := url.Parse(s.Agent)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		ps.Add(p, "Invalid agent endpoint", "%q is not an agent endpoint; give an https URL with a host and optional port and nothing else, e.g. https://198.51.100.7:7443.", s.Agent)
		return
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			ps.Add(p, "Invalid agent port", "%q has port %q; it must be between 1 and 65535.", s.Agent, port)
		}
	}
}

func validateEndpoint(ps *Problems, p Path, s *Site) {
	if s.Endpoint == "" {
		return
	}
	a, err := netip.ParseAddr(s.Endpoint)
	if err != nil || a.Zone() != "" || a.IsUnspecified() || a.IsMulticast() {
		ps.Add(p, "Invalid endpoint", "%q is not an address tunnels can use; give the host's public IP address, e.g. 203.0.113.7.", s.Endpoint)
	}
}

// validateCloudPeers: a cloud's gateway names the host it peers with by a
// public IPv4 address (an AWS customer gateway, a GCP external VPN gateway
// interface, an Azure local network gateway), so a host linked to a cloud
// site must have one, from endpoint or its agent URL.
func validateCloudPeers(ps *Problems, m *Mesh) {
	index := map[string]int{}
	for i := range m.Sites {
		index[m.Sites[i].Name] = i
	}
	peers := map[string][]string{}
	for _, l := range Adjacencies(m) {
		a, b := &m.Sites[index[l.A]], &m.Sites[index[l.B]]
		if a.Cloud == Host && b.Cloud != Host {
			peers[a.Name] = append(peers[a.Name], b.Name)
		}
		if b.Cloud == Host && a.Cloud != Host {
			peers[b.Name] = append(peers[b.Name], a.Name)
		}
	}
	for i := range m.Sites {
		s := &m.Sites[i]
		clouds := peers[s.Name]
		if len(clouds) == 0 {
			continue
		}
		addr := s.DataPlaneAddress()
		if a, err := netip.ParseAddr(addr); err == nil && a.Is4() {
			continue
		}
		p, what := Path{"site", i, "agent"}, fmt.Sprintf("its agent URL %q names %q", s.Agent, addr)
		if s.Endpoint != "" {
			p, what = Path{"site", i, "endpoint"}, fmt.Sprintf("endpoint is %q", s.Endpoint)
		}
		kind := "a DNS name"
		if a, err := netip.ParseAddr(addr); err == nil && a.Is6() {
			kind = "an IPv6 address"
		}
		ps.Add(p, "Host needs a public IPv4 address", "Site %q is linked to cloud site(s) %s, whose VPN gateways name their peer by a public IPv4 address, but %s, %s. Set endpoint to the host's public IPv4 address, e.g. endpoint = \"203.0.113.7\".",
			s.Name, strings.Join(clouds, ", "), what, kind)
	}
}

func validateCIDRs(ps *Problems, p Path, s *Site) []netip.Prefix {
	if len(s.CIDRs) == 0 {
		ps.Add(p.At("cidrs"), "Missing CIDRs", "Site %q needs at least one CIDR: the networks it announces to the mesh.", s.Name)
	}
	out := make([]netip.Prefix, len(s.CIDRs))
	for j, c := range s.CIDRs {
		cp := p.At("cidrs", j)
		pfx, err := netip.ParsePrefix(c)
		switch {
		case err != nil:
			ps.Add(cp, "Invalid CIDR", "%q is not a CIDR block such as 10.10.0.0/16.", c)
			continue
		case pfx.Masked() != pfx:
			ps.Add(cp, "CIDR is not a network address", "%q has host bits set; did you mean %s?", c, pfx.Masked())
			continue
		case pfx.Addr().Is4() && linkLocal.Overlaps(pfx):
			ps.Add(cp, "CIDR in link-local space", "%q overlaps 169.254.0.0/16, which crosslink uses for tunnel inside addresses.", c)
			continue
		case pfx.Bits() == 0:
			ps.Add(cp, "Default route as a site CIDR", "%q would announce everything; give the site's own networks.", c)
			continue
		}
		out[j] = pfx
	}
	return out
}

// validateOverlaps reports CIDRs that overlap, within a site or across two,
// naming both. Sorting by address keeps it O(n log n) for large meshes.
func validateOverlaps(ps *Problems, m *Mesh, parsed [][]netip.Prefix) {
	type entry struct {
		pfx        netip.Prefix
		site, cidr int
	}
	var all []entry
	for i := range parsed {
		for k, pfx := range parsed[i] {
			if pfx.IsValid() {
				all = append(all, entry{pfx, i, k})
			}
		}
	}
	sort.Slice(all, func(a, b int) bool {
		if c := all[a].pfx.Addr().Compare(all[b].pfx.Addr()); c != 0 {
			return c < 0
		}
		return all[a].pfx.Bits() < all[b].pfx.Bits()
	})
	// Sorted by start: once a later prefix starts past all[a], all after it do.
	for a := 0; a < len(all); a++ {
		for b := a + 1; b < len(all) && all[a].pfx.Overlaps(all[b].pfx); b++ {
			x, y := all[a], all[b]
			if x.site > y.site || x.site == y.site && x.cidr > y.cidr {
				x, y = y, x
			}
			sx, sy := m.Sites[x.site], m.Sites[y.site]
			var where string
			if x.site == y.site {
				where = fmt.Sprintf("within site %q", sx.Name)
			} else {
				where = fmt.Sprintf("between sites %q and %q", sx.Name, sy.Name)
			}
			ps.Add(Path{"site", y.site, "cidrs", y.cidr}, "Overlapping CIDRs",
				"%s (site[%d].cidrs[%d]) overlaps %s (site[%d].cidrs[%d]) %s; routes between them would be ambiguous. Give every site distinct address space.",
				sy.CIDRs[y.cidr], y.site, y.cidr, sx.CIDRs[x.cidr], x.site, x.cidr, where)
		}
	}
}

func validateASNs(ps *Problems, m *Mesh) {
	seen := map[uint32]int{}
	for i, s := range m.Sites {
		if s.ASN == 0 {
			continue
		}
		if j, dup := seen[s.ASN]; dup {
			ps.Add(Path{"site", i, "asn"}, "Shared ASN", "Sites %q and %q both use ASN %d; each site needs its own ASN for eBGP between them. Leave asn unset to have one allocated.", m.Sites[j].Name, s.Name, s.ASN)
			continue
		}
		seen[s.ASN] = i
	}
}

// validateShape checks hubs, links, transports and which clouds may be
// linked directly.
func validateShape(ps *Problems, m *Mesh, index map[string]int) {
	if m.Topology != HubSpoke && len(m.Hubs) > 0 {
		ps.Add(Path{"hubs"}, "Hubs without hub_spoke", "hubs only applies to topology \"hub_spoke\"; this mesh is %q. Remove hubs or change the topology.", m.Topology)
	}
	if m.Topology != Links && len(m.Links) > 0 {
		ps.Add(Path{"link"}, "Links without topology \"links\"", "link blocks only apply to topology \"links\"; this mesh is %q. Remove them or change the topology.", m.Topology)
	}
	switch m.Topology {
	case HubSpoke:
		if len(m.Hubs) == 0 {
			ps.Add(Path{"hubs"}, "Missing hubs", "Topology \"hub_spoke\" needs hubs: the names of one or more sites every other site links to.")
		}
		seen := map[string]bool{}
		for i, h := range m.Hubs {
			if _, ok := index[h]; !ok {
				ps.Add(Path{"hubs", i}, "Unknown hub", "Hub %q is not the name of a site in this mesh%s.", h, suggest(h, index))
			} else if seen[h] {
				ps.Add(Path{"hubs", i}, "Duplicate hub", "Hub %q is listed twice.", h)
			}
			seen[h] = true
		}
	case Links:
		if len(m.Links) == 0 {
			ps.Add(Path{"link"}, "Missing links", "Topology \"links\" needs link blocks naming the pairs of sites to connect.")
		}
		seen := map[[2]string]int{}
		for i, l := range m.Links {
			p := Path{"link", i}
			okA := checkLinkEnd(ps, p.At("a"), l.A, index)
			okB := checkLinkEnd(ps, p.At("b"), l.B, index)
			if !okA || !okB {
				continue
			}
			if l.A == l.B {
				ps.Add(p.At("b"), "Link to itself", "Link %d joins site %q to itself; a link needs two different sites.", i, l.A)
				continue
			}
			k := [2]string{l.A, l.B}
			if k[0] > k[1] {
				k[0], k[1] = k[1], k[0]
			}
			if j, dup := seen[k]; dup {
				ps.Add(p, "Duplicate link", "link[%d] and link[%d] both join %q and %q; redundancy between two sites comes from the tunnels crosslink creates per link.", j, i, k[0], k[1])
				continue
			}
			seen[k] = i
			checkPair(ps, p, m.Sites[index[l.A]], m.Sites[index[l.B]], l.Transport)
		}
	case Full:
		var aws []int
		for i, s := range m.Sites {
			if s.Cloud == AWS {
				aws = append(aws, i)
			}
		}
		for _, i := range aws[min(1, len(aws)):] {
			ps.Add(Path{"site", i, "cloud"}, "Two AWS sites in a full mesh",
				"Sites %q and %q are both in AWS, and AWS VPN gateways cannot terminate tunnels to each other. Use topology \"hub_spoke\" with a non-AWS hub, or \"links\" without an AWS–AWS link.",
				m.Sites[aws[0]].Name, m.Sites[i].Name)
		}
	}
	if m.Topology == HubSpoke {
		for _, h := range m.Hubs {
			hi, ok := index[h]
			if !ok || m.Sites[hi].Cloud != AWS {
				continue
			}
			for i, s := range m.Sites {
				if i != hi && s.Cloud == AWS {
					ps.Add(Path{"hubs"}, "AWS hub with AWS spokes",
						"Hub %q and site %q are both in AWS, and AWS VPN gateways cannot terminate tunnels to each other. Choose a non-AWS hub for AWS sites.", h, s.Name)
					break
				}
			}
		}
	}
}

func checkLinkEnd(ps *Problems, p Path, name string, index map[string]int) bool {
	if _, ok := index[name]; !ok {
		ps.Add(p, "Unknown site in link", "%q is not the name of a site in this mesh%s.", name, suggest(name, index))
		return false
	}
	return true
}

// checkPair rejects transports that do not fit the two clouds.
func checkPair(ps *Problems, p Path, a, b Site, t Transport) {
	switch t {
	case "", IPsec, WireGuard:
	default:
		ps.Add(p.At("transport"), "Unknown transport", "%q is not a transport; use \"ipsec\" or \"wireguard\", or leave it unset to choose from the clouds.", t)
		return
	}
	if a.Cloud == AWS && b.Cloud == AWS {
		ps.Add(p, "AWS–AWS link", "Sites %q and %q are both in AWS, and AWS VPN gateways cannot terminate tunnels to each other; link each to a non-AWS site instead.", a.Name, b.Name)
		return
	}
	if t == WireGuard && (a.Cloud != Host || b.Cloud != Host) {
		cloud := a
		if cloud.Cloud == Host {
			cloud = b
		}
		ps.Add(p.At("transport"), "WireGuard to a cloud site", "Site %q is in %s, whose VPN gateway speaks IPsec (IKEv2) only; WireGuard needs a host at both ends. Use transport \"ipsec\" or leave it unset.", cloud.Name, cloud.Cloud)
	}
	if t == IPsec && a.Cloud == Host && b.Cloud == Host {
		ps.Add(p.At("transport"), "IPsec between hosts", "Sites %q and %q are both hosts; crosslink links hosts with WireGuard. Use transport \"wireguard\" or leave it unset.", a.Name, b.Name)
	}
}

// suggest names the closest site for a likely typo.
func suggest(name string, index map[string]int) string {
	best, bestD := "", 3
	for n := range index {
		if d := distance(name, n); d < bestD || d == bestD && best != "" && n < best {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// distance is the Levenshtein distance, for typo suggestions on short names.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// String renders a problem list, one per line, for logs and tests.
func (ps Problems) String() string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintln(&b, p.Error())
	}
	return b.String()
}
