package plan

import (
	"maps"
	"slices"
	"strings"
)

// KindSpec says, as data, what the diff needs to know about one object kind:
// which cloud holds it and which attributes the cloud can change without
// replacing the object. Anything not listed as in place forces a replacement,
// so a missing entry costs a slower apply, never a failed update.
type KindSpec struct {
	Name, Cloud string
	// InPlace holds the attributes that can be updated in place.
	InPlace map[string]bool
	// InPlaceSuffixes: an attribute whose name ends in one of these is in
	// place too, so per-tunnel keys like "tunnel.1.psk_epoch" need no listing.
	InPlaceSuffixes []string
	// ReplaceOnly, when non-nil, inverts the rule for kinds the cloud updates
	// as a whole document: every attribute is in place except these.
	ReplaceOnly map[string]bool
	// Derived maps a computed attribute (one the cloud or agent reports, not
	// one the plan sets) to the desired attribute it follows, so that a
	// reference to it is unknown until an update of that attribute is done.
	Derived map[string]string
	// StableID says a replacement comes back with the same ID (the driver
	// names objects of this kind deterministically) and the cloud lets it be
	// deleted while others refer to it: referrers then need no replacement.
	StableID bool
	// TunnelHalf says an object of this kind is one half of one tunnel,
	// whose key is the object's name (an AWS VPN connection instead lists
	// its tunnels in tunnel.N.key): rotations are staged by tunnel.
	TunnelHalf bool
}

// UpdatableInPlace reports whether a change to attr can be made without
// replacing the object.
func (s KindSpec) UpdatableInPlace(attr string) bool {
	if s.ReplaceOnly != nil {
		return !s.ReplaceOnly[attr]
	}
	if s.InPlace[attr] {
		return true
	}
	for _, suf := range s.InPlaceSuffixes {
		if strings.HasSuffix(attr, suf) {
			return true
		}
	}
	return false
}

// pskRotationSuffixes marks kinds whose cloud changes a pre-shared key in place;
// the PSK itself is derived from its epoch, so the epoch is the attribute.
var pskRotationSuffixes = []string{"psk_epoch"}

func attrSet(attrs ...string) map[string]bool {
	m := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		m[a] = true
	}
	return m
}

// kindRegistry is the registry. The names are the contract with the compiler.
var kindRegistry = func() map[string]KindSpec {
	m := map[string]KindSpec{}
	add := func(cloud, name string, s KindSpec) {
		s.Name, s.Cloud = name, cloud
		m[name] = s
	}

	// AWS. VGWs, attachments, customer gateways and route propagations have
	// no modify call for what crosslink sets.
	add("aws", "aws_vpn_gateway", KindSpec{})
	add("aws", "aws_vpn_gateway_attachment", KindSpec{})
	// ModifyTransitGateway changes the description and these options.
	add("aws", "aws_transit_gateway", KindSpec{InPlace: attrSet("description", "vpn_ecmp_support", "dns_support")})
	// ModifyTransitGatewayVpcAttachment adds and removes subnets and options.
	add("aws", "aws_transit_gateway_vpc_attachment", KindSpec{InPlace: attrSet("subnet_ids", "dns_support", "ipv6_support", "appliance_mode_support")})
	add("aws", "aws_customer_gateway", KindSpec{})
	// ModifyVpnTunnelOptions rotates a tunnel's PSK in place;
	// ModifyVpnConnection moves a connection to another customer or target
	// gateway (a VGW to TGW migration) and keeps its tunnels.
	add("aws", "aws_vpn_connection", KindSpec{InPlace: attrSet("customer_gateway", "gateway"), InPlaceSuffixes: pskRotationSuffixes})
	add("aws", "aws_vpn_gateway_route_propagation", KindSpec{})
	// A route in the VPC's route tables toward a transit gateway; one
	// object per destination, in every route table: a table that lacks
	// it (one added later) is repaired in place.
	add("aws", "aws_vpc_route", KindSpec{InPlace: attrSet("route_tables")})

	// GCP. Gateways and tunnels are immutable apart from labels, which carry
	// ownership and are not attributes. A tunnel's sharedSecret cannot be
	// changed, so a PSK rotation replaces the tunnel.
	add("gcp", "gcp_ha_vpn_gateway", KindSpec{})
	add("gcp", "gcp_external_vpn_gateway", KindSpec{})
	// A router is PATCHed as a document; its name, network and region are its
	// identity.
	add("gcp", "gcp_router", KindSpec{ReplaceOnly: attrSet("name", "network", "region")})
	// A BGP peer and the interface it sits on are entries of the router
	// document, written whole by a read-modify-write PATCH: everything but
	// the router they belong to changes in place.
	add("gcp", "gcp_router_bgp_peer", KindSpec{ReplaceOnly: attrSet("router")})
	// Tunnel names derive from mesh and key, and GCP lets a tunnel go while
	// a router interface still links it: a replaced tunnel (a new PSK)
	// keeps its BGP peer and interface.
	add("gcp", "gcp_vpn_tunnel", KindSpec{StableID: true, TunnelHalf: true})

	// Azure: PUT is idempotent by name and updates these properties.
	add("azure", "azure_vnet_gateway", KindSpec{InPlace: attrSet("sku", "asn", "apipa.0", "apipa.1")})
	add("azure", "azure_public_ip", KindSpec{})
	add("azure", "azure_local_network_gateway", KindSpec{InPlace: attrSet("gateway_ip", "bgp_peering_address", "asn", "address_prefixes")})
	// The connection's sharedKey, routing weight and custom BGP addresses are
	// updatable by PUT.
	add("azure", "azure_vpn_connection", KindSpec{InPlace: attrSet("routing_weight", "custom_bgp_address"), InPlaceSuffixes: pskRotationSuffixes, TunnelHalf: true})

	// Hosts: the agent reconfigures WireGuard live (wgctrl), and strongSwan
	// through vici (load-conn, load-shared); only what names the device or
	// the host's own address forces a new one.
	add("host", "host_wireguard_link", KindSpec{InPlace: attrSet("key_epoch", "endpoint", "keepalive", "allowed_ips", "med", "prepend")})
	// A new key epoch makes the agent generate a new key pair, so the public
	// key others refer to is unknown until that update is done.
	add("host", "host_wireguard_device", KindSpec{ReplaceOnly: attrSet("device"), Derived: map[string]string{"public_key": "key_epoch"}})
	add("host", "host_wireguard_peer", KindSpec{ReplaceOnly: attrSet("device")})
	add("host", "host_ipsec_tunnel", KindSpec{ReplaceOnly: attrSet("local_ip"), TunnelHalf: true})
	// The agent reconfigures a session live, except its ASNs: they are in the
	// OPEN message, so a change is a new session, torn down and brought up.
	add("host", "host_bgp_session", KindSpec{ReplaceOnly: attrSet("peer_asn", "local_asn")})
	return m
}()

// Spec returns the registry entry for kind. The maps are copies.
func Spec(kind string) (KindSpec, bool) {
	s, ok := kindRegistry[kind]
	if !ok {
		return KindSpec{}, false
	}
	s.InPlace = maps.Clone(s.InPlace)
	s.ReplaceOnly = maps.Clone(s.ReplaceOnly)
	s.InPlaceSuffixes = slices.Clone(s.InPlaceSuffixes)
	s.Derived = maps.Clone(s.Derived)
	return s, true
}

// Kinds lists every registered kind, sorted.
func Kinds() []string {
	return slices.Sorted(maps.Keys(kindRegistry))
}
