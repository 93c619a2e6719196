package gce

import (
	"net/netip"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// index holds the resources a fabric evaluation joins, by relative path,
// read once per evaluation.
type index map[string]store.Resource

func newIndex(v store.View) index {
	idx := index{}
	for _, k := range []string{kindVPNGateway, kindExtGateway, kindRouter, kindSubnetwork} {
		t := typeByKind[k]
		for _, r := range v.Find(store.ByKind(k)) {
			if r.State != stateDeleting {
				idx[selfPath(r, t.coll)] = r
			}
		}
	}
	return idx
}

// source lists every live tunnel as a fabric half (registered in New).
func (f *Frontend) source(v store.View) []fabric.End {
	tunnels := v.Find(store.ByKind(kindTunnel))
	if len(tunnels) == 0 {
		return nil
	}
	idx := newIndex(v)
	subnets := map[string][]netip.Prefix{} // network → subnetwork ranges
	for _, r := range idx {
		if r.Kind == kindSubnetwork {
			if c, err := netip.ParsePrefix(str(r.Attrs["ipCidrRange"])); err == nil {
				n := str(r.Attrs["network"])
				subnets[n] = append(subnets[n], c)
			}
		}
	}
	// Routers are decoded once: one router serves many tunnels.
	routers := map[string]*computepb.Router{}
	for p, r := range idx {
		if r.Kind == kindRouter {
			rt := &computepb.Router{}
			if fromDoc(r.Attrs, rt) == nil {
				routers[p] = rt
			}
		}
	}
	ends := make([]fabric.End, 0, len(tunnels))
	for _, t := range tunnels {
		ends = append(ends, tunnelEnd(idx, routers, subnets, t))
	}
	return ends
}

func str(v any) string { s, _ := v.(string); return s }

// tunnelEnd describes one tunnel half: outside addresses from its
// gateways, inside addresses and ASNs from the router interface linked to
// it and that interface's BGP peer.
func tunnelEnd(idx index, routers map[string]*computepb.Router, subnets map[string][]netip.Prefix, res store.Resource) fabric.End {
	var t computepb.VpnTunnel
	_ = fromDoc(res.Attrs, &t)
	// A Cloud Router never re-advertises what it learns (Cloud Router docs,
	// learned routes): Transit stays false.
	e := fabric.End{ID: selfPath(res, "vpnTunnels"), Up: res.State == stateReady, PSK: t.GetSharedSecret(), Router: "gcp/" + t.GetRouter()}
	if gw, ok := idx[t.GetVpnGateway()]; ok {
		e.LocalIP, _ = haInterfaceIP(gw, int64(t.GetVpnGatewayInterface()))
	}
	if t.PeerExternalGateway != nil {
		if eg, ok := idx[t.GetPeerExternalGateway()]; ok {
			e.RemoteIP, _ = extInterfaceIP(eg, int64(t.GetPeerExternalGatewayInterface()))
		}
	} else if pg, ok := idx[t.GetPeerGcpGateway()]; ok {
		// GCP-to-GCP HA VPN pairs interface n with the peer's interface n.
		e.RemoteIP, _ = haInterfaceIP(pg, int64(t.GetVpnGatewayInterface()))
	}
	rt, ok := routers[t.GetRouter()]
	if !ok {
		return e
	}
	for _, in := range rt.GetInterfaces() {
		if in.GetLinkedVpnTunnel() != e.ID || boundTo(idx[t.GetRouter()], in.GetName()) != res.ID {
			continue
		}
		rng, err := netip.ParsePrefix(in.GetIpRange())
		if err != nil {
			break
		}
		for _, p := range rt.GetBgpPeers() {
			if p.GetInterfaceName() != in.GetName() || p.GetEnable() == "FALSE" {
				continue
			}
			e.Inside, e.LocalInside = rng.Masked(), rng.Addr()
			e.RemoteInside, _ = netip.ParseAddr(p.GetPeerIpAddress())
			e.LocalASN, e.RemoteASN = rt.GetBgp().GetAsn(), p.GetPeerAsn()
			e.Routes = advertised(rt.GetBgp(), p, subnets[rt.GetNetwork()])
		}
		break
	}
	return e
}

// advertised is what a BGP peer announces: the network's subnetworks in
// DEFAULT mode, else the CUSTOM groups and ranges of the peer (when it
// overrides) or of the router.
func advertised(bgp *computepb.RouterBgp, p *computepb.RouterBgpPeer, subnets []netip.Prefix) []netip.Prefix {
	mode, groups, ranges := bgp.GetAdvertiseMode(), bgp.GetAdvertisedGroups(), bgp.GetAdvertisedIpRanges()
	if p.GetAdvertiseMode() == "CUSTOM" {
		mode, groups, ranges = "CUSTOM", p.GetAdvertisedGroups(), p.GetAdvertisedIpRanges()
	}
	if mode != "CUSTOM" {
		return append([]netip.Prefix(nil), subnets...)
	}
	var out []netip.Prefix
	for _, g := range groups {
		if g == "ALL_SUBNETS" {
			out = append(out, subnets...)
		}
	}
	for _, r := range ranges {
		if c, err := netip.ParsePrefix(r.GetRange()); err == nil {
			out = append(out, c)
		}
	}
	return out
}
