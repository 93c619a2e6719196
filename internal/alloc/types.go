package alloc

import (
	"net/netip"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// End is one side of a tunnel.
type End struct {
	Site  string
	Cloud topology.Cloud
	// Interface is the gateway interface the tunnel uses on this side:
	// GCP HA VPN interface 0/1, Azure active-active instance 0/1, AWS tunnel
	// slot 0/1 within its VPN connection, 0 for hosts.
	Interface int
	// Connection is the AWS VPN connection (per peer) this tunnel belongs to;
	// 0 elsewhere.
	Connection int
	// Address is this end's inside address (within the tunnel's /30).
	Address netip.Addr
	ASN     uint32
	// WGDevice and WGPort are set for the host ends of WireGuard tunnels.
	WGDevice string
	WGPort   int
}

// Tunnel is one IPsec or WireGuard tunnel between two sites.
type Tunnel struct {
	// Key is stable: "<a>~<b>#<n>" with a < b (site names) and n the
	// tunnel's index within the adjacency.
	Key       string
	A, B      End
	Transport topology.Transport
	Inside    netip.Prefix
}

// Allocation is everything allocated for a mesh. Tunnels are sorted by Key.
type Allocation struct {
	ASNs    map[string]uint32
	Tunnels []Tunnel
}
