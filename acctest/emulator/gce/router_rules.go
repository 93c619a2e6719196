package gce

import (
	"fmt"
	"net/netip"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

var linkLocal = netip.MustParsePrefix("169.254.0.0/16")

// routerRule validates a router document on create and on every patch or
// update, and refuses to delete a router tunnels still use.
func routerRule(v store.View, op store.Op, old, nw *store.Resource) error {
	if op == store.OpDelete {
		return routerInUse(v, old)
	}
	var rt, prev computepb.Router
	if err := fromDoc(nw.Attrs, &rt); err != nil {
		return err
	}
	if old != nil {
		if err := fromDoc(old.Attrs, &prev); err != nil {
			return err
		}
	}
	if err := checkRouter(v, selfPath(*nw, "routers"), nw.Scope, &rt, &prev, op == store.OpCreate); err != nil {
		return ruleError(err)
	}
	bindInterfaces(v, nw, &rt)
	return nil
}

// keyBound holds, in a router's stored document (never rendered), which
// tunnel each interface is bound to: the store ID of the tunnel its
// linkedVpnTunnel named when the router was last written. GCE documents
// re-pointing an interface at a tunnel (routers update-interface
// --vpn-tunnel) but not that a link follows a deleted tunnel's re-created
// namesake, so the emulator assumes it does not: a BGP session over an
// interface whose tunnel was re-created stays down until the router is
// written again (docs/design.md).
const keyBound = "x-crosslink-emulator-bound"

// bindInterfaces records each interface's binding at this write.
func bindInterfaces(v store.View, nw *store.Resource, rt *computepb.Router) {
	bound := map[string]any{}
	for _, in := range rt.GetInterfaces() {
		if l := in.GetLinkedVpnTunnel(); l != "" {
			if t, ok := exists(v, kindTunnel, l); ok {
				bound[in.GetName()] = t.ID
			}
		}
	}
	nw.Attrs[keyBound] = bound
}

// boundTo is the store ID of the tunnel interface iface of a stored
// router is bound to.
func boundTo(router store.Resource, iface string) string {
	b, _ := router.Attrs[keyBound].(map[string]any)
	id, _ := b[iface].(string)
	return id
}

// routerInUse: a router is in use while a tunnel names it as its router
// or one of its interfaces links a tunnel that still exists.
func routerInUse(v store.View, old *store.Resource) error {
	path := selfPath(*old, "routers")
	if err := inUse(v, "router", path, "router"); err != nil {
		return err
	}
	var rt computepb.Router
	if err := fromDoc(old.Attrs, &rt); err != nil {
		return err
	}
	for _, in := range rt.GetInterfaces() {
		if l := in.GetLinkedVpnTunnel(); l != "" {
			if _, ok := exists(v, kindTunnel, l); ok {
				return ruleError(errorf(400, reasonInUse, "The router resource '%s' is already being used by '%s'", path, l))
			}
		}
	}
	return nil
}

// checkRouter applies Cloud Router's rules. prev is the stored document
// on update (empty on create): a link to a tunnel is only checked when it
// is new, since GCE leaves a link dangling when its tunnel is deleted.
func checkRouter(v store.View, path, scope string, rt, prev *computepb.Router, create bool) *apiError {
	if create {
		if _, ok := exists(v, kindNetwork, rt.GetNetwork()); !ok {
			return notFoundPath(rt.GetNetwork())
		}
		if n := routersIn(v, scope, rt.GetNetwork()); n >= maxRoutersPerNetworkRegion {
			return errorf(403, "quotaExceeded", "Quota 'ROUTERS_PER_NETWORK_PER_REGION' exceeded. Limit: %d.0 in region %s.", maxRoutersPerNetworkRegion, regionOf(scope))
		}
	} else if rt.GetNetwork() != prev.GetNetwork() {
		return invalidField("resource.network", rt.GetNetwork(), "The network of a router cannot be changed.")
	}
	if rt.Bgp != nil && !privateASN(rt.GetBgp().GetAsn()) {
		return invalidField("resource.bgp.asn", rt.GetBgp().GetAsn(),
			"The ASN must be a private ASN: 64512-65534 or 4200000000-4294967294.")
	}
	if len(rt.GetBgpPeers()) > maxBGPPeersPerRouter {
		return invalidField("resource.bgpPeers", len(rt.GetBgpPeers()), fmt.Sprintf("A Cloud Router has at most %d BGP peers.", maxBGPPeersPerRouter))
	}
	if len(rt.GetBgpPeers()) > 0 && rt.Bgp == nil {
		return invalidField("resource.bgp", "", "BGP must be configured on a router with BGP peers.")
	}
	if b := rt.GetBgp(); b != nil {
		if err := checkAdvertisement("resource.bgp", b.GetAdvertiseMode(), b.GetAdvertisedGroups(), b.GetAdvertisedIpRanges()); err != nil {
			return err
		}
	}
	for i, p := range rt.GetBgpPeers() {
		if err := checkAdvertisement(fmt.Sprintf("resource.bgpPeers[%d]", i), p.GetAdvertiseMode(), p.GetAdvertisedGroups(), p.GetAdvertisedIpRanges()); err != nil {
			return err
		}
	}
	ranges, err := checkInterfaces(v, path, scope, rt, prev)
	if err != nil {
		return err
	}
	return checkPeers(rt, ranges)
}

// checkInterfaces returns each interface's ipRange by name.
func checkInterfaces(v store.View, path, scope string, rt, prev *computepb.Router) (map[string]netip.Prefix, *apiError) {
	was := map[string]string{}
	for _, in := range prev.GetInterfaces() {
		was[in.GetName()] = in.GetLinkedVpnTunnel()
	}
	ranges := map[string]netip.Prefix{}
	seen, links := map[string]bool{}, map[string]string{}
	for i, in := range rt.GetInterfaces() {
		field := fmt.Sprintf("resource.interfaces[%d]", i)
		if err := checkName(field+".name", in.GetName()); err != nil {
			return nil, err
		}
		if seen[in.GetName()] {
			return nil, invalidField(field+".name", in.GetName(), "Interface names must be unique within a router.")
		}
		seen[in.GetName()] = true
		if in.IpRange != nil {
			p, err := netip.ParsePrefix(in.GetIpRange())
			if err != nil || !p.Addr().Is4() || p.Bits() != 30 || !linkLocal.Contains(p.Addr()) || !usableHost(p, p.Addr()) {
				return nil, invalidField(field+".ipRange", in.GetIpRange(),
					"The range must be a /30 in 169.254.0.0/16 given by one of its two usable addresses.")
			}
			for other, q := range ranges {
				if q.Overlaps(p) {
					return nil, invalidField(field+".ipRange", in.GetIpRange(),
						fmt.Sprintf("The range overlaps the range of interface '%s'.", other))
				}
			}
			ranges[in.GetName()] = p
		}
		l := in.GetLinkedVpnTunnel()
		if l == "" {
			continue
		}
		if other, ok := links[l]; ok {
			return nil, invalidField(field+".linkedVpnTunnel", l,
				fmt.Sprintf("The VPN tunnel is already linked to interface '%s'.", other))
		}
		links[l] = in.GetName()
		if was[in.GetName()] == l {
			continue
		}
		t, ok := exists(v, kindTunnel, l)
		switch {
		case !ok:
			return nil, invalidField(field+".linkedVpnTunnel", l, "The VPN tunnel does not exist.")
		case t.Scope != scope:
			return nil, invalidField(field+".linkedVpnTunnel", l, "The VPN tunnel must be in the router's project and region.")
		case t.Attrs["router"] != path:
			return nil, invalidField(field+".linkedVpnTunnel", l, "The VPN tunnel does not use this router.")
		}
	}
	return ranges, nil
}

func checkPeers(rt *computepb.Router, ranges map[string]netip.Prefix) *apiError {
	seen, onIface := map[string]bool{}, map[string]string{}
	for i, p := range rt.GetBgpPeers() {
		field := fmt.Sprintf("resource.bgpPeers[%d]", i)
		if err := checkName(field+".name", p.GetName()); err != nil {
			return err
		}
		if seen[p.GetName()] {
			return invalidField(field+".name", p.GetName(), "BGP peer names must be unique within a router.")
		}
		seen[p.GetName()] = true
		rng, ok := ranges[p.GetInterfaceName()]
		if !ok {
			return invalidField(field+".interfaceName", p.GetInterfaceName(),
				"No interface of this router with an ipRange has this name.")
		}
		if other, dup := onIface[p.GetInterfaceName()]; dup {
			return invalidField(field+".interfaceName", p.GetInterfaceName(),
				fmt.Sprintf("The interface already has BGP peer '%s'.", other))
		}
		onIface[p.GetInterfaceName()] = p.GetName()
		if a, err := netip.ParseAddr(p.GetIpAddress()); err != nil || a != rng.Addr() {
			return invalidField(field+".ipAddress", p.GetIpAddress(),
				fmt.Sprintf("Must be the address of interface '%s' (%s).", p.GetInterfaceName(), rng.Addr()))
		}
		if a, err := netip.ParseAddr(p.GetPeerIpAddress()); err != nil || a == rng.Addr() || !rng.Contains(a) || !usableHost(rng, a) {
			return invalidField(field+".peerIpAddress", p.GetPeerIpAddress(),
				fmt.Sprintf("Must be the other usable address of %s.", rng.Masked()))
		}
		if p.GetPeerAsn() == 0 {
			return invalidField(field+".peerAsn", p.GetPeerAsn(), "The peer ASN is required.")
		}
		if p.GetAdvertisedRoutePriority() > 65535 {
			return invalidField(field+".advertisedRoutePriority", p.GetAdvertisedRoutePriority(), "Must be between 0 and 65535.")
		}
		if e := p.GetEnable(); e != "" && e != "TRUE" && e != "FALSE" {
			return invalidField(field+".enable", e, "Must be TRUE or FALSE.")
		}
	}
	return nil
}

// checkAdvertisement applies Cloud Router's advertisement rules (router
// level or per peer): advertiseMode is DEFAULT or CUSTOM; groups and
// ranges are for CUSTOM mode only; the one group is ALL_SUBNETS; each
// range is a CIDR, listed once.
func checkAdvertisement(field, mode string, groups []string, ranges []*computepb.RouterAdvertisedIpRange) *apiError {
	switch mode {
	case "", "DEFAULT", "CUSTOM":
	default:
		return invalidField(field+".advertiseMode", mode, "Must be DEFAULT or CUSTOM.")
	}
	if mode != "CUSTOM" && (len(groups) > 0 || len(ranges) > 0) {
		return invalidField(field+".advertiseMode", mode, "Custom advertised groups and IP ranges require advertiseMode CUSTOM.")
	}
	for _, g := range groups {
		if g != "ALL_SUBNETS" {
			return invalidField(field+".advertisedGroups", g, "Must be ALL_SUBNETS.")
		}
	}
	seen := map[netip.Prefix]bool{}
	for i, r := range ranges {
		p, err := netip.ParsePrefix(r.GetRange())
		if err != nil || p != p.Masked() {
			return invalidField(fmt.Sprintf("%s.advertisedIpRanges[%d].range", field, i), r.GetRange(), "Must be a CIDR range.")
		}
		if seen[p] {
			return invalidField(fmt.Sprintf("%s.advertisedIpRanges[%d].range", field, i), r.GetRange(), "Duplicate advertised IP range.")
		}
		seen[p] = true
	}
	return nil
}

// Cloud Router's limits (Cloud Router quotas page): 128 BGP peers per
// router, 5 routers per network and region (a project quota GCE refuses
// with quotaExceeded).
const (
	maxBGPPeersPerRouter       = 128
	maxRoutersPerNetworkRegion = 5
)

// routersIn counts the routers of network in a region scope.
func routersIn(v store.View, scope, network string) int {
	n := 0
	for _, r := range v.Find(store.And(store.ByKind(kindRouter), store.ByScope(scope))) {
		if r.State != stateDeleting && str(r.Attrs["network"]) == network {
			n++
		}
	}
	return n
}

// usableHost reports whether a is one of the two host addresses of the
// /30 p (not its network or broadcast address).
func usableHost(p netip.Prefix, a netip.Addr) bool {
	n := p.Masked().Addr()
	return a == n.Next() || a == n.Next().Next()
}
