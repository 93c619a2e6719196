package rules

import (
	"fmt"
	"net/netip"
)

// LinkLocal is where every tunnel's inside /30 lives: all three clouds take
// BGP inside addresses from 169.254.0.0/16 only.
var LinkLocal = netip.MustParsePrefix("169.254.0.0/16")

// AWSReservedInside are the /30s AWS refuses as TunnelInsideCidr. crosslink
// never uses them for any tunnel, so a tunnel never has to move when one of
// its ends becomes AWS.
var AWSReservedInside = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/30"),
	netip.MustParsePrefix("169.254.1.0/30"),
	netip.MustParsePrefix("169.254.2.0/30"),
	netip.MustParsePrefix("169.254.3.0/30"),
	netip.MustParsePrefix("169.254.4.0/30"),
	netip.MustParsePrefix("169.254.5.0/30"),
	netip.MustParsePrefix("169.254.169.252/30"),
}

// AddrRange is an inclusive range of addresses (APIPA is not one prefix).
type AddrRange struct {
	First, Last netip.Addr
}

// Contains reports whether a lies in the range.
func (r AddrRange) Contains(a netip.Addr) bool {
	return a.BitLen() == r.First.BitLen() && r.First.Compare(a) <= 0 && a.Compare(r.Last) <= 0
}

// ContainsPrefix reports whether every address of p lies in the range.
func (r AddrRange) ContainsPrefix(p netip.Prefix) bool {
	p = p.Masked()
	return p.IsValid() && r.Contains(p.Addr()) && r.Contains(lastAddr(p))
}

// Overlaps reports whether any address of p lies in the range.
func (r AddrRange) Overlaps(p netip.Prefix) bool {
	p = p.Masked()
	if !p.IsValid() || p.Addr().BitLen() != r.First.BitLen() {
		return false
	}
	return p.Addr().Compare(r.Last) <= 0 && r.First.Compare(lastAddr(p)) <= 0
}

func (r AddrRange) String() string { return r.First.String() + "–" + r.Last.String() }

// lastAddr is the highest address of a masked prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// AzureAPIPA is the only range Azure VPN gateways accept for custom BGP
// (APIPA) addresses, so every tunnel with an Azure end takes its /30 here
// and no other tunnel does (the range holds only 128 /30s).
var AzureAPIPA = AddrRange{
	First: netip.MustParseAddr("169.254.21.0"),
	Last:  netip.MustParseAddr("169.254.22.255"),
}

// AWSInsideProblem returns "" when p is acceptable to AWS as a
// TunnelInsideCidr, else why not: a /30, as its network address, in
// 169.254.0.0/16, none of AWS's reserved /30s.
func AWSInsideProblem(p netip.Prefix) string {
	switch {
	case !p.IsValid() || !p.Addr().Is4():
		return fmt.Sprintf("inside CIDR %v is not an IPv4 prefix", p)
	case p.Bits() != 30:
		return fmt.Sprintf("inside CIDR %v is not a /30", p)
	case p.Masked() != p:
		return fmt.Sprintf("inside CIDR %v is not a network address (want %v)", p, p.Masked())
	case !LinkLocal.Contains(p.Addr()):
		return fmt.Sprintf("inside CIDR %v is not within %v", p, LinkLocal)
	}
	for _, r := range AWSReservedInside {
		if r == p {
			return fmt.Sprintf("inside CIDR %v is reserved by AWS", p)
		}
	}
	return ""
}
