package ec2

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Options configures a Frontend.
type Options struct {
	// Delay is how long things stay pending/attaching/deleting/modifying on
	// the store's clock (VGW, TGW, attachments, VPN connections). Zero:
	// transitions are immediate.
	Delay time.Duration
	// Credentials maps access key id → secret key. When non-empty every
	// request's SigV4 signature is verified: unknown key → 401 AuthFailure,
	// bad signature → 403 SignatureDoesNotMatch. Empty: any credentials.
	Credentials map[string]string
	// PublicIPs is the pool VPN tunnel outside addresses come from
	// (default 198.18.0.0/16); each VPN connection takes two fresh ones.
	PublicIPs netip.Prefix
	// Quotas are the account's limits (zero: AWS's defaults).
	Quotas Quotas
}

// Frontend serves the EC2 Query API over a shared store.
type Frontend struct {
	st  *store.Store
	fab *fabric.Fabric
	o   Options

	mu     sync.Mutex // guards nextIP and seen
	nextIP netip.Addr
	seen   map[string]seen // tunnel ID → status last reported

	reqs atomic.Uint64 // request id sequence
}

// New registers the EC2 kinds in st and the tunnel halves of EC2 VPN
// connections in fab, and returns the front-end.
func New(st *store.Store, fab *fabric.Fabric, o Options) *Frontend {
	if !o.PublicIPs.IsValid() {
		o.PublicIPs = netip.MustParsePrefix("198.18.0.0/16")
	}
	o.PublicIPs = o.PublicIPs.Masked()
	f := &Frontend{st: st, fab: fab, o: o, nextIP: o.PublicIPs.Addr().Next(), seen: map[string]seen{}}
	f.registerKinds()
	if fab != nil {
		fab.Register(f.tunnelEnds)
	}
	return f
}
