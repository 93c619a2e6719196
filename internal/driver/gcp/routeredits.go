package gcp

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

// editOp is one change to a router document. The order of the constants is
// the order a batch applies them in: deletes before puts, so that a batch
// which removes a tunnel's peer and adds another on the freed range is
// valid whatever order its callers arrived in.
type editOp int

const (
	// setBGP sets the router's ASN and advertised ranges.
	setBGP editOp = iota
	// deletePeer removes a BGP peer and then its interface.
	deletePeer
	// putPeer puts an interface and then the BGP peer on it: one edit, so
	// that a tunnel's BGP session takes one router write, not two in a row.
	putPeer
	// relinkIface writes the interfaces linking a tunnel again, unchanged:
	// what `routers update-interface --vpn-tunnel` does, the documented way
	// to point an interface at a (re-created) tunnel.
	relinkIface
)

// edit is one caller's change, waiting for the commit that carries it.
// putPeer and deletePeer name both entries (for deletePeer, by their Name
// fields alone).
type edit struct {
	op     editOp
	iface  *computepb.RouterInterface
	peer   *computepb.RouterBgpPeer
	asn    uint32
	ranges []string // setBGP: advertised ranges (CUSTOM mode), sorted
	link   string   // relinkIface: the tunnel's ID
}

// applyEdits applies batch to doc in op order. An edit that would make the
// document invalid is refused alone (its error is in errs, at its index in
// batch) and leaves doc as it was; changed says whether any edit changed
// doc. Creating an entry that exists with the same content changes
// nothing (adoption); with other content it is replaced.
func applyEdits(doc *computepb.Router, batch []*edit) (errs []error, changed bool) {
	errs = make([]error, len(batch))
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(batch[a].op) - int(batch[b].op) })
	for _, i := range order {
		before := proto.CloneOf(doc)
		c, err := applyEdit(doc, batch[i])
		if err != nil {
			// An edit of two entries may have made the first.
			proto.Reset(doc)
			proto.Merge(doc, before)
			c = false
		}
		errs[i] = err
		changed = changed || c
	}
	return errs, changed
}

func applyEdit(doc *computepb.Router, e *edit) (bool, error) {
	switch e.op {
	case setBGP:
		if doc.GetBgp().GetAsn() == e.asn && advertisedRanges(doc.GetBgp()) == strings.Join(e.ranges, ",") {
			return false, nil
		}
		if doc.Bgp == nil {
			doc.Bgp = &computepb.RouterBgp{}
		}
		doc.Bgp.Asn = &e.asn
		setAdvertisement(doc.Bgp, e.ranges)
		return true, nil
	case putPeer:
		ci, err := putIface(doc, e.iface)
		if err != nil {
			return false, err
		}
		cp, err := putBGPPeer(doc, e.peer)
		return ci || cp, err
	case deletePeer:
		n, m := len(doc.BgpPeers), len(doc.Interfaces)
		doc.BgpPeers = slices.DeleteFunc(doc.BgpPeers, func(p *computepb.RouterBgpPeer) bool { return p.GetName() == e.peer.GetName() })
		for _, p := range doc.BgpPeers {
			if p.GetInterfaceName() == e.iface.GetName() {
				return false, fmt.Errorf("interface %q is still used by BGP peer %q", e.iface.GetName(), p.GetName())
			}
		}
		doc.Interfaces = slices.DeleteFunc(doc.Interfaces, func(i *computepb.RouterInterface) bool { return i.GetName() == e.iface.GetName() })
		return len(doc.BgpPeers) != n || len(doc.Interfaces) != m, nil
	case relinkIface:
		for _, in := range doc.Interfaces {
			if relPath(in.GetLinkedVpnTunnel()) == e.link {
				return true, nil // the write itself is the re-link
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("unknown router edit %d", e.op)
}

func putIface(doc *computepb.Router, want *computepb.RouterInterface) (bool, error) {
	r, err := netip.ParsePrefix(want.GetIpRange())
	if err != nil {
		return false, fmt.Errorf("ip_range %q is not a prefix", want.GetIpRange())
	}
	if want.GetLinkedVpnTunnel() == "" {
		return false, fmt.Errorf("interface %q names no VPN tunnel", want.GetName())
	}
	at := -1
	for i, x := range doc.Interfaces {
		if x.GetName() == want.GetName() {
			at = i
			continue
		}
		if o, err := netip.ParsePrefix(x.GetIpRange()); err == nil && o.Overlaps(r) {
			return false, fmt.Errorf("ip_range %s overlaps %s of interface %q", r, o, x.GetName())
		}
	}
	if at < 0 {
		doc.Interfaces = append(doc.Interfaces, proto.CloneOf(want))
		return true, nil
	}
	cur := doc.Interfaces[at]
	if cur.GetIpRange() == want.GetIpRange() && relPath(cur.GetLinkedVpnTunnel()) == relPath(want.GetLinkedVpnTunnel()) {
		return false, nil
	}
	// Replaced in place: settings crosslink does not manage are kept.
	cur = proto.CloneOf(cur)
	cur.IpRange, cur.LinkedVpnTunnel = want.IpRange, want.LinkedVpnTunnel
	doc.Interfaces[at] = cur
	return true, nil
}

func putBGPPeer(doc *computepb.Router, want *computepb.RouterBgpPeer) (bool, error) {
	var iface *computepb.RouterInterface
	for _, x := range doc.Interfaces {
		if x.GetName() == want.GetInterfaceName() {
			iface = x
		}
	}
	if iface == nil {
		return false, fmt.Errorf("interface %q does not exist on the router", want.GetInterfaceName())
	}
	if r, err := netip.ParsePrefix(iface.GetIpRange()); err == nil {
		for _, a := range []string{want.GetIpAddress(), want.GetPeerIpAddress()} {
			ip, err := netip.ParseAddr(a)
			if err != nil || !r.Contains(ip) {
				return false, fmt.Errorf("address %q is not within %s, the range of interface %q", a, r, iface.GetName())
			}
		}
	}
	if want.GetPeerAsn() == 0 {
		return false, fmt.Errorf("BGP peer %q has no peer ASN", want.GetName())
	}
	at := -1
	for i, x := range doc.BgpPeers {
		switch {
		case x.GetName() == want.GetName():
			at = i
		case x.GetInterfaceName() == want.GetInterfaceName():
			return false, fmt.Errorf("interface %q already has BGP peer %q", want.GetInterfaceName(), x.GetName())
		}
	}
	if at < 0 {
		doc.BgpPeers = append(doc.BgpPeers, proto.CloneOf(want))
		return true, nil
	}
	cur := doc.BgpPeers[at]
	if samePeer(cur, want) {
		return false, nil
	}
	cur = proto.CloneOf(cur)
	cur.InterfaceName, cur.IpAddress, cur.PeerIpAddress = want.InterfaceName, want.IpAddress, want.PeerIpAddress
	cur.PeerAsn, cur.AdvertisedRoutePriority = want.PeerAsn, want.AdvertisedRoutePriority
	doc.BgpPeers[at] = cur
	return true, nil
}

func samePeer(a, b *computepb.RouterBgpPeer) bool {
	return a.GetInterfaceName() == b.GetInterfaceName() && a.GetIpAddress() == b.GetIpAddress() &&
		a.GetPeerIpAddress() == b.GetPeerIpAddress() && a.GetPeerAsn() == b.GetPeerAsn() &&
		a.GetAdvertisedRoutePriority() == b.GetAdvertisedRoutePriority()
}

// routerWrite is how a changed document goes to GCP. PATCH replaces the
// lists it carries and leaves the rest; but protojson omits empty lists, so
// emptying a list takes an Update (PUT) of the whole document.
func routerWrite(orig, work *computepb.Router) (patch *computepb.Router, put bool) {
	if (len(orig.Interfaces) > 0 && len(work.Interfaces) == 0) || (len(orig.BgpPeers) > 0 && len(work.BgpPeers) == 0) {
		return work, true
	}
	patch = &computepb.Router{Interfaces: work.Interfaces, BgpPeers: work.BgpPeers}
	if orig.GetBgp().GetAsn() != work.GetBgp().GetAsn() || advertisedRanges(orig.GetBgp()) != advertisedRanges(work.GetBgp()) {
		patch.Bgp = work.Bgp
	}
	return patch, false
}

// setAdvertisement makes the router announce exactly ranges: CUSTOM mode
// without groups (so no subnets), or DEFAULT when there are none.
func setAdvertisement(b *computepb.RouterBgp, ranges []string) {
	b.AdvertisedGroups = nil
	b.AdvertisedIpRanges = nil
	if len(ranges) == 0 {
		b.AdvertiseMode = ptr("DEFAULT")
		return
	}
	b.AdvertiseMode = ptr("CUSTOM")
	for _, r := range ranges {
		b.AdvertisedIpRanges = append(b.AdvertisedIpRanges, &computepb.RouterAdvertisedIpRange{Range: ptr(r)})
	}
}

// advertisedRanges is what a router announces as crosslink writes it: its
// CUSTOM ranges, sorted and joined; with ALL_SUBNETS, or in DEFAULT mode,
// the network's subnets as the marker "subnets" (which no plan asks for, so
// it shows as drift).
func advertisedRanges(b *computepb.RouterBgp) string {
	if b.GetAdvertiseMode() != "CUSTOM" {
		return "subnets"
	}
	var rs []string
	for _, r := range b.GetAdvertisedIpRanges() {
		rs = append(rs, r.GetRange())
	}
	if slices.Contains(b.GetAdvertisedGroups(), "ALL_SUBNETS") {
		rs = append(rs, "subnets")
	}
	slices.Sort(rs)
	return strings.Join(rs, ",")
}
