package gcp

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// A BGP peer object is a tunnel's BGP session on its site's Cloud Router:
// two entries of the router document, the interface on the tunnel (the
// inside range) and the peer on that interface. GCP's own API and
// Terraform's google provider have them apart; here they are one object,
// written in one router commit, since a session needs both and a router
// takes one write at a time (two objects made every tunnel wait for two
// commits in a row).

// routerOf is the router a peer belongs to: the one its "router" attribute
// names.
func routerOf(o plan.Object) (ref, error) {
	id, err := need(o, "router")
	if err != nil {
		return ref{}, err
	}
	return parseID(id, colRouters)
}

// putPeerObject creates a BGP peer with its interface, or changes either in
// place: both are the same edit of the router document.
func (d *Driver) putPeerObject(ctx context.Context, c *clients, o plan.Object) (plan.Object, error) {
	ifName, name, err := entryNames(o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	r, err := routerOf(o)
	if err != nil {
		return plan.Object{}, err
	}
	iface := &computepb.RouterInterface{Name: &ifName}
	p := &computepb.RouterBgpPeer{Name: &name, InterfaceName: &ifName}
	for attr, dst := range map[string]**string{"ip_range": &iface.IpRange, "vpn_tunnel": &iface.LinkedVpnTunnel,
		"ip_address": &p.IpAddress, "peer_ip_address": &p.PeerIpAddress} {
		v, err := need(o, attr)
		if err != nil {
			return plan.Object{}, err
		}
		*dst = &v
	}
	iface.LinkedVpnTunnel = ptr(relPath(*iface.LinkedVpnTunnel))
	asn, err := needUint(o, "peer_asn", 32)
	if err != nil {
		return plan.Object{}, err
	}
	p.PeerAsn = ptr(uint32(asn))
	if o.Attrs["advertised_route_priority"] != "" {
		prio, err := needUint(o, "advertised_route_priority", 32)
		if err != nil {
			return plan.Object{}, err
		}
		p.AdvertisedRoutePriority = ptr(uint32(prio))
	}
	if err := c.batcher.submit(ctx, r, &edit{op: putPeer, iface: iface, peer: p}); err != nil {
		return plan.Object{}, err
	}
	return peerObject(o.Key, o.Site, r.id(colRouters), iface, p), nil
}

// updatePeer changes a BGP peer in place: anything but its router, as the
// router document is written whole.
func (d *Driver) updatePeer(ctx context.Context, c *clients, desired, observed plan.Object) (plan.Object, error) {
	if desired.Attrs["router"] != observed.Attrs["router"] {
		return plan.Object{}, fmt.Errorf("GCP cannot move a BGP peer to another router")
	}
	return d.putPeerObject(ctx, c, desired)
}

// peerObject is what the plan sees of a BGP peer: its interface's
// attributes and the peer's. Either entry may be missing (nil), made or
// removed by hand or by an older release; the attributes it would give are
// then absent, so the plan puts it back with an update.
func peerObject(key, site, routerID string, i *computepb.RouterInterface, p *computepb.RouterBgpPeer) plan.Object {
	_, name, _ := entryNames(key)
	attrs := map[string]string{"router": routerID}
	if i != nil {
		attrs["ip_range"], attrs["vpn_tunnel"] = i.GetIpRange(), relPath(i.GetLinkedVpnTunnel())
	}
	if p != nil {
		attrs["interface"], attrs["ip_address"], attrs["peer_ip_address"] = p.GetInterfaceName(), p.GetIpAddress(), p.GetPeerIpAddress()
		attrs["peer_asn"], attrs["advertised_route_priority"] = itoa(p.GetPeerAsn()), itoa(p.GetAdvertisedRoutePriority())
	}
	return object(kindPeer, key, site, routerID+"/bgpPeers/"+name, attrs)
}

// peersOf reports the BGP peer objects of a router document: one per key
// that any entry crosslink named belongs to. Keys come from entry names,
// so an entry whose tunnel is gone is still reported (and deleted by the
// plan).
func peersOf(site, routerID string, r *computepb.Router) []plan.Object {
	ifaces := map[string]*computepb.RouterInterface{}
	peers := map[string]*computepb.RouterBgpPeer{}
	var keys []string
	note := func(entry string) (string, bool) {
		key, ok := entryKey(site, entry)
		if ok && ifaces[key] == nil && peers[key] == nil {
			keys = append(keys, key)
		}
		return key, ok
	}
	for _, i := range r.GetInterfaces() {
		if key, ok := note(i.GetName()); ok {
			ifaces[key] = i
		}
	}
	for _, p := range r.GetBgpPeers() {
		if key, ok := note(p.GetName()); ok {
			peers[key] = p
		}
	}
	out := make([]plan.Object, 0, len(keys))
	for _, k := range keys {
		out = append(out, peerObject(k, site, routerID, ifaces[k], peers[k]))
	}
	return out
}

// deletePeerObject removes a BGP peer and its interface from their router.
// The ID names the router ("<router ID>/bgpPeers/<name>"); without one, the
// router attribute or the site's router does.
func (d *Driver) deletePeerObject(ctx context.Context, c *clients, o plan.Object) error {
	ifName, name, err := entryNames(o.Key)
	if err != nil {
		return err
	}
	e := &edit{op: deletePeer, iface: &computepb.RouterInterface{Name: &ifName}, peer: &computepb.RouterBgpPeer{Name: &name}}
	if routerID, _, found := strings.Cut(o.ID, "/bgpPeers/"); found {
		r, err := parseID(routerID, colRouters)
		if err != nil {
			return err
		}
		return c.batcher.submit(ctx, r, e)
	}
	r, err := routerOf(o)
	if err != nil {
		// The site's router has a deterministic name too.
		if r, err = d.resourceRef(plan.Object{Key: plan.Key("gcp", o.Site, "router", "main"), Kind: kindRouter, Site: o.Site}); err != nil {
			return err
		}
	}
	return c.batcher.submit(ctx, r, e)
}
