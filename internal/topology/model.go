package topology

import (
	"net/netip"
	"net/url"
)

// Cloud is where a site lives.
type Cloud string

const (
	AWS   Cloud = "aws"
	GCP   Cloud = "gcp"
	Azure Cloud = "azure"
	Host  Cloud = "host"
)

// Clouds lists every supported cloud, in a stable order.
var Clouds = []Cloud{AWS, GCP, Azure, Host}

// Kind of topology the mesh compiles.
type Kind string

const (
	Full     Kind = "full"
	HubSpoke Kind = "hub_spoke"
	Links    Kind = "links"
)

// Transport carried by a link.
type Transport string

const (
	IPsec     Transport = "ipsec"
	WireGuard Transport = "wireguard"
)

// AWS gateway flavours for an AWS site.
const (
	GatewayVGW = "vgw"
	GatewayTGW = "tgw"
)

// Site is one network in one place.
type Site struct {
	Name      string
	Cloud     Cloud
	Region    string
	NetworkID string
	// CIDRs as written, so problems can quote them; Prefixes holds the parsed
	// form once Validate has accepted them.
	CIDRs    []string
	Prefixes []netip.Prefix
	// ASN is 0 when crosslink should allocate one.
	ASN uint32
	// Agent is the https endpoint of the crosslink agent (host sites only).
	Agent string
	// Endpoint is a host's data-plane address (an IP literal) when the
	// agent's URL does not give one; "" means the agent URL's host.
	Endpoint string
	// Gateway is "vgw" or "tgw" for AWS sites ("" means vgw).
	Gateway string
}

// Link is an adjacency between two sites. A and B are site names; for
// explicit links Transport may be empty (chosen from the clouds).
type Link struct {
	A, B      string
	Transport Transport
}

// Mesh is the whole desired topology.
type Mesh struct {
	Name       string
	Topology   Kind
	Hubs       []string
	Links      []Link // only for Topology == Links
	Redundancy int
	PSKEpoch   int64
	KeyEpoch   int64
	// HoldTime is the BGP hold time of host-link sessions in seconds; 0
	// means DefaultHostHoldTime.
	HoldTime int
	Sites    []Site
}

// DataPlaneAddress is the address a host's tunnels use: Endpoint, else
// the host of its agent URL (an IP literal or a DNS name; brackets of an
// IPv6 literal removed). "" for a cloud site or an unparsable URL.
func (s *Site) DataPlaneAddress() string {
	if s.Cloud != Host {
		return ""
	}
	if s.Endpoint != "" {
		return s.Endpoint
	}
	u, err := url.Parse(s.Agent)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Site returns the site with the given name.
func (m *Mesh) Site(name string) (Site, bool) {
	for _, s := range m.Sites {
		if s.Name == name {
			return s, true
		}
	}
	return Site{}, false
}

// BGP hold times of host links, in seconds. 3 is BGP's smallest non-zero
// hold time: a dead link is noticed in seconds even without the agents'
// faster link probes.
const (
	DefaultHostHoldTime = 3
	MinHoldTime         = 3
	MaxHoldTime         = 240
)
