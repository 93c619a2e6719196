package ec2

import (
	crand "crypto/rand"
	"math/rand/v2"
	"net/netip"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// tunnelAttrs is one of a VPN connection's two tunnels.
type tunnelAttrs struct {
	OutsideIP  string
	InsideCIDR string
	PSK        string
}

var (
	linkLocal = netip.MustParsePrefix("169.254.0.0/16")
	// reserved are the inside /30s EC2 refuses (its own use).
	reserved = []netip.Prefix{
		netip.MustParsePrefix("169.254.0.0/30"), netip.MustParsePrefix("169.254.1.0/30"),
		netip.MustParsePrefix("169.254.2.0/30"), netip.MustParsePrefix("169.254.3.0/30"),
		netip.MustParsePrefix("169.254.4.0/30"), netip.MustParsePrefix("169.254.5.0/30"),
		netip.MustParsePrefix("169.254.169.252/30"),
	}
)

// checkInside validates a TunnelInsideCidr.
func checkInside(cidr string) error {
	p, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil || p.Bits() != 30 || p != p.Masked() || !linkLocal.Contains(p.Addr()):
		return errParam("The tunnel inside CIDR %s is invalid: it must be a /30 network within 169.254.0.0/16", cidr)
	}
	for _, r := range reserved {
		if p == r {
			return errParam("The tunnel inside CIDR %s is reserved and cannot be used", cidr)
		}
	}
	return nil
}

// checkPSK validates a PreSharedKey. The message never contains the key.
func checkPSK(psk string, tunnel int) error {
	ok := len(psk) >= 8 && len(psk) <= 64 && psk[0] != '0'
	for i := 0; ok && i < len(psk); i++ {
		ok = isPSKChar(psk[i])
	}
	if !ok {
		return errParam("The pre-shared key for tunnel %d is invalid: it must be 8-64 characters of letters, digits, '.' and '_', and must not start with '0'", tunnel)
	}
	return nil
}

func isPSKChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_'
}

const pskAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"

// newPSK generates a key like EC2's: 32 characters, starting with a letter.
func newPSK() string {
	b := make([]byte, 32)
	_, _ = crand.Read(b) // never fails (crypto/rand)
	for i := range b {
		n := len(pskAlphabet)
		if i == 0 {
			n = 52 // letters only
		}
		b[i] = pskAlphabet[int(b[i])%n]
	}
	return string(b)
}

// tunnelSpecs reads Options.TunnelOptions.N (N = 1, 2) of a create.
func (c *call) tunnelSpecs() ([2]tunnelAttrs, error) {
	var t [2]tunnelAttrs
	const key = "Options.TunnelOptions"
	for _, n := range c.indexes(key) {
		if n > 2 {
			return t, errParam("A VPN connection has two tunnels; %d tunnel options were given", n)
		}
		t[n-1].InsideCIDR = c.str(sub(key, n, "TunnelInsideCidr"))
		t[n-1].PSK = c.str(sub(key, n, "PreSharedKey"))
	}
	for i, tt := range t {
		if tt.InsideCIDR != "" {
			if err := checkInside(tt.InsideCIDR); err != nil {
				return t, err
			}
		}
		if tt.PSK != "" || c.has(sub(key, i+1, "PreSharedKey")) {
			if err := checkPSK(tt.PSK, i+1); err != nil {
				return t, err
			}
		}
	}
	if t[0].InsideCIDR != "" && t[0].InsideCIDR == t[1].InsideCIDR {
		return t, errParam("The two tunnels of a VPN connection must use different inside CIDRs (%s)", t[0].InsideCIDR)
	}
	return t, nil
}

// usedInside lists the inside /30s the live connections of a gateway use.
func usedInside(v store.View, gateway, except string) map[string]string {
	used := map[string]string{}
	for _, r := range v.Find(store.ByKind(kVPN.name)) {
		a := vpnOf(&r)
		if r.ID == except || r.State == stateDeleted || a.gateway() != gateway {
			continue
		}
		for _, t := range a.Tunnels {
			used[t.InsideCIDR] = r.ID
		}
	}
	return used
}

// pickInside fills the tunnels without an inside CIDR with random free
// /30s of 169.254.0.0/16, as EC2 does.
func (c *call) pickInside(t *[2]tunnelAttrs, gateway string) error {
	var used map[string]string
	c.f.st.Read(func(v store.View) { used = usedInside(v, gateway, "") })
	for i := range t {
		if t[i].InsideCIDR != "" {
			continue
		}
		for try := 0; ; try++ {
			if try == 1000 {
				return apiErr("InsufficientFreeAddressesInSubnet", "No free tunnel inside CIDR is left for %s", gateway)
			}
			a := linkLocal.Addr().As4()
			n := rand.IntN(1 << 14) // /30s in a /16
			a[2], a[3] = byte(n>>6), byte(n<<2)
			cidr := netip.PrefixFrom(netip.AddrFrom4(a), 30).String()
			if used[cidr] == "" && cidr != t[1-i].InsideCIDR && checkInside(cidr) == nil {
				t[i].InsideCIDR = cidr
				break
			}
		}
	}
	return nil
}

// allocIPs takes n fresh outside addresses from the pool.
func (f *Frontend) allocIPs(n int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for range n {
		if !f.o.PublicIPs.Contains(f.nextIP) {
			return nil, apiErr("AddressLimitExceeded", "The emulator's public address pool %s is exhausted", f.o.PublicIPs)
		}
		out = append(out, f.nextIP.String())
		f.nextIP = f.nextIP.Next()
	}
	return out, nil
}

// insideHosts returns AWS's (.1) and the customer's (.2) inside addresses.
func insideHosts(cidr string) (aws, customer netip.Addr) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return netip.Addr{}, netip.Addr{}
	}
	aws = p.Addr().Next()
	return aws, aws.Next()
}

// cgwConfig renders customerGatewayConfiguration: the document EC2 hands
// out for configuring the customer's device, in its layout. It carries the
// PSKs (EC2's does too); it is only ever sent to the API caller.
func cgwConfig(id string, a vpnAttrs) string {
	gw := tx("vpn_gateway_id", a.VpnGatewayID)
	if a.TransitGatewayID != "" {
		gw = tx("transit_gateway_id", a.TransitGatewayID)
	}
	kids := []node{tx("customer_gateway_id", a.CustomerGatewayID), gw, tx("vpn_connection_type", a.Type)}
	if a.StaticRoutesOnly {
		kids = append(kids, tx("vpn_connection_attributes", "NoBGPVPNConnection"))
	}
	for _, t := range a.Tunnels {
		awsIn, cgwIn := insideHosts(t.InsideCIDR)
		side := func(name, outside string, inside netip.Addr, asn int64) node {
			n := el(name,
				el("tunnel_outside_address", tx("ip_address", outside)),
				el("tunnel_inside_address", tx("ip_address", inside.String()),
					tx("network_mask", "255.255.255.252"), tx("network_cidr", "30")))
			if !a.StaticRoutesOnly {
				n.kids = append(n.kids, el("bgp", num("asn", asn), tx("hold_time", "30")))
			}
			return n
		}
		kids = append(kids, el("ipsec_tunnel",
			side("customer_gateway", a.CgwIP, cgwIn, a.CgwASN),
			side("vpn_gateway", t.OutsideIP, awsIn, a.GatewayASN),
			el("ike", tx("authentication_protocol", "sha1"), tx("encryption_protocol", "aes-128-cbc"),
				tx("lifetime", "28800"), tx("perfect_forward_secrecy", "group2"), tx("mode", "main"),
				tx("pre_shared_key", t.PSK)),
			el("ipsec", tx("protocol", "esp"), tx("authentication_protocol", "hmac-sha1-96"),
				tx("encryption_protocol", "aes-128-cbc"), tx("lifetime", "3600"),
				tx("perfect_forward_secrecy", "group2"), tx("mode", "tunnel"), tx("clear_df_bit", "true"),
				tx("fragmentation_before_encryption", "true"), tx("tcp_mss_adjustment", "1379"),
				el("dead_peer_detection", tx("delay", "10"), tx("retry", "3"))),
		))
	}
	body := el("x", kids...).render()
	body = body[len("<x>") : len(body)-len("</x>")]
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<vpn_connection id="` + id + `">` + body + "</vpn_connection>"
}
