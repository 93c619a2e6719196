package plan

import (
	"net"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// aws: one VGW (or TGW) per site; per peer and connection a customer gateway
// and a VPN connection carrying two tunnels.
func (c *compiler) aws(s topology.Site, es []end) {
	var gw string
	asn := u32(c.a.ASNs[s.Name])
	if s.Gateway == topology.GatewayTGW {
		gw = c.add(topology.AWS, s.Name, "transit_gateway", "main", nil, "amazon_side_asn", asn, "region", s.Region)
		att := c.add(topology.AWS, s.Name, "transit_gateway_vpc_attachment", "main", []string{gw}, "vpc_id", s.NetworkID, "transit_gateway", Ref(gw, "id"))
		// A transit gateway propagates nothing into the VPC's route
		// tables: each needs a route to it for every remote prefix.
		for _, p := range c.remotePrefixes(s) {
			c.add(topology.AWS, s.Name, "vpc_route", p, []string{att},
				"vpc_id", s.NetworkID, "destination", p, "transit_gateway", Ref(gw, "id"), "route_tables", "all")
		}
	} else {
		gw = c.add(topology.AWS, s.Name, "vpn_gateway", "main", nil, "amazon_side_asn", asn, "region", s.Region)
		att := c.add(topology.AWS, s.Name, "vpn_gateway_attachment", "main", []string{gw}, "vpc_id", s.NetworkID, "vpn_gateway", Ref(gw, "id"))
		c.add(topology.AWS, s.Name, "vpn_gateway_route_propagation", "main", []string{att}, "vpc_id", s.NetworkID, "vpn_gateway", Ref(gw, "id"))
	}
	type conn struct {
		peer  end
		slots [2]*end
	}
	conns := map[string]*conn{}
	var order []string
	for i := range es {
		e := &es[i]
		name := connName(e.peerSite.Name, e.local.Connection)
		if conns[name] == nil {
			conns[name] = &conn{peer: *e}
			order = append(order, name)
		}
		conns[name].slots[e.local.Interface%2] = e
	}
	for _, name := range order {
		cn := conns[name]
		p := cn.peer
		cgwIP := c.outsideIP(p)
		cgw := c.add(topology.AWS, s.Name, "customer_gateway", name, depsOf(cgwIP),
			"bgp_asn", u32(p.peer.ASN), "ip_address", cgwIP, "type", "ipsec.1")
		kv := []string{"customer_gateway", Ref(cgw, "id"), "gateway", Ref(gw, "id"), "static_routes_only", "false", "psk_epoch", c.epoch()}
		for slot, e := range cn.slots {
			if e == nil {
				continue
			}
			// AWS announces without MED or prepend; its peers' preferences
			// steer traffic, so none are set on this side.
			pre := "tunnel." + strconv.Itoa(slot) + "."
			kv = append(kv, pre+"key", e.t.Key, pre+"inside_cidr", e.t.Inside.String())
		}
		c.add(topology.AWS, s.Name, "vpn_connection", name, []string{cgw, gw}, kv...)
	}
}

// gcp: an HA VPN gateway and a Cloud Router per site; per non-GCP peer an
// external VPN gateway; per tunnel the tunnel and a BGP peer (with the
// router interface it sits on).
func (c *compiler) gcp(s topology.Site, es []end) {
	gw := c.add(topology.GCP, s.Name, "ha_vpn_gateway", "main", nil, "network", s.NetworkID, "region", s.Region)
	// The router announces exactly the site's cidrs (custom advertisement),
	// not the network's subnets, which is what the plan routes.
	router := c.add(topology.GCP, s.Name, "router", "main", nil, "network", s.NetworkID, "region", s.Region, "asn", u32(c.a.ASNs[s.Name]),
		"advertised_ip_ranges", sortedPrefixes(s))
	ext := map[string]string{}
	for _, e := range es {
		if e.peer.Cloud == topology.GCP || ext[e.peerSite.Name] != "" {
			continue
		}
		ips, deps := c.peerInterfaces(s, e.peerSite, es)
		kv := []string{"redundancy_type", redundancyType(len(ips))}
		for i, ip := range ips {
			kv = append(kv, "interface."+strconv.Itoa(i)+".ip", ip)
		}
		ext[e.peerSite.Name] = c.add(topology.GCP, s.Name, "external_vpn_gateway", e.peerSite.Name, deps, kv...)
	}
	for _, e := range es {
		kv := []string{"vpn_gateway", Ref(gw, "id"), "interface", strconv.Itoa(e.local.Interface), "router", Ref(router, "id"),
			"psk_epoch", c.epoch(), "ike_version", "2", "region", s.Region}
		deps := []string{gw, router}
		if x := ext[e.peerSite.Name]; x != "" {
			kv = append(kv, "peer_external_gateway", Ref(x, "id"), "peer_interface", strconv.Itoa(peerInterfaceIndex(e, es)))
			deps = append(deps, x)
		} else {
			pgw := Key("gcp", e.peerSite.Name, "ha_vpn_gateway", "main")
			kv = append(kv, "peer_gcp_gateway", Ref(pgw, "id"))
			deps = append(deps, pgw)
		}
		tun := c.add(topology.GCP, s.Name, "vpn_tunnel", e.t.Key, deps, kv...)
		med, _ := c.pref(e.t.Key, s.Name)
		c.add(topology.GCP, s.Name, "router_bgp_peer", e.t.Key, []string{router, tun},
			"router", Ref(router, "id"), "ip_range", e.local.Address.String()+"/30", "vpn_tunnel", Ref(tun, "id"), "ip_address", e.local.Address.String(),
			"peer_ip_address", e.peer.Address.String(), "peer_asn", u32(e.peer.ASN), "advertised_route_priority", med)
	}
}

// peerInterfaces lists the peer's outside addresses this site's tunnels use,
// in the order GCP's external gateway numbers them.
func (c *compiler) peerInterfaces(s topology.Site, peer topology.Site, es []end) ([]string, []string) {
	var ips, deps []string
	seen := map[string]bool{}
	for _, e := range es {
		if e.peerSite.Name != peer.Name {
			continue
		}
		ip := c.outsideIP(e)
		if !seen[ip] {
			seen[ip] = true
			ips = append(ips, ip)
			deps = append(deps, depsOf(ip)...)
		}
	}
	return ips, dedupe(deps)
}

// peerInterfaceIndex is the external gateway interface a tunnel points at:
// its position among the peer's distinct outside addresses.
func peerInterfaceIndex(e end, es []end) int {
	n := 0
	seen := map[[2]int]bool{}
	for _, o := range es {
		if o.peerSite.Name != e.peerSite.Name {
			continue
		}
		k := [2]int{o.peer.Connection, o.peer.Interface}
		if seen[k] {
			continue
		}
		if k == [2]int{e.peer.Connection, e.peer.Interface} {
			return n
		}
		seen[k] = true
		n++
	}
	return n
}

func redundancyType(n int) string {
	switch n {
	case 1:
		return "SINGLE_IP_INTERNALLY_REDUNDANT"
	case 2:
		return "TWO_IPS_REDUNDANCY"
	default:
		return "FOUR_IPS_REDUNDANCY"
	}
}

// azure: an active-active virtual network gateway with two public IPs; per
// tunnel a local network gateway for the peer end and a connection.
func (c *compiler) azure(s topology.Site, es []end) {
	ip0 := c.add(topology.Azure, s.Name, "public_ip", "0", nil, "region", s.Region)
	ip1 := c.add(topology.Azure, s.Name, "public_ip", "1", nil, "region", s.Region)
	var apipa [2][]string
	for _, e := range es {
		apipa[e.local.Interface%2] = append(apipa[e.local.Interface%2], e.local.Address.String())
	}
	gw := c.add(topology.Azure, s.Name, "vnet_gateway", "main", []string{ip0, ip1},
		"vnet", s.NetworkID, "region", s.Region, "asn", u32(c.a.ASNs[s.Name]), "active_active", "true",
		"apipa.0", strings.Join(apipa[0], ","), "apipa.1", strings.Join(apipa[1], ","),
		"public_ip.0", Ref(ip0, "id"), "public_ip.1", Ref(ip1, "id"))
	for _, e := range es {
		ip := c.outsideIP(e)
		lng := c.add(topology.Azure, s.Name, "local_network_gateway", e.t.Key, depsOf(ip),
			"gateway_ip", ip, "bgp_peering_address", e.peer.Address.String(), "asn", u32(e.peer.ASN), "region", s.Region)
		c.add(topology.Azure, s.Name, "vpn_connection", e.t.Key, []string{gw, lng},
			"vnet_gateway", Ref(gw, "id"), "local_network_gateway", Ref(lng, "id"), "psk_epoch", c.epoch(),
			"instance", strconv.Itoa(e.local.Interface), "custom_bgp_address", e.local.Address.String(), "region", s.Region)
	}
}

// host: per WireGuard tunnel end a device (its key is generated on the host)
// and a peer entry that needs the other end's public key; per IPsec tunnel
// end a strongSwan connection; per tunnel end a BGP session.
func (c *compiler) host(s topology.Site, es []end) {
	announce := prefixes(s)
	hold := c.m.HoldTime
	if hold == 0 {
		hold = topology.DefaultHostHoldTime
	}
	for _, e := range es {
		var link string
		if e.t.Transport == topology.WireGuard {
			dev := c.add(topology.Host, s.Name, "wireguard_device", e.t.Key, nil,
				"device", e.local.WGDevice, "listen_port", strconv.Itoa(e.local.WGPort), "address", e.local.Address.String()+"/30",
				"key_epoch", strconv.FormatInt(c.m.KeyEpoch, 10))
			peerDev := Key("host", e.peerSite.Name, "wireguard_device", e.t.Key)
			link = c.add(topology.Host, s.Name, "wireguard_peer", e.t.Key, []string{dev, peerDev},
				"device", e.local.WGDevice, "peer_public_key", Ref(peerDev, "public_key"),
				"endpoint", net.JoinHostPort(hostEndpoint(e.peerSite), strconv.Itoa(e.peer.WGPort)), "keepalive", "5",
				"allowed_ips", "0.0.0.0/0")
		} else {
			ip := c.outsideIP(e)
			link = c.add(topology.Host, s.Name, "ipsec_tunnel", e.t.Key, depsOf(ip),
				"remote_ip", ip, "local_ip", hostEndpoint(s), "address", e.local.Address.String()+"/30", "psk_epoch", c.epoch())
		}
		med, prepend := c.pref(e.t.Key, s.Name)
		c.add(topology.Host, s.Name, "bgp_session", e.t.Key, []string{link},
			"local_address", e.local.Address.String(), "peer_address", e.peer.Address.String(),
			"local_asn", u32(e.local.ASN), "peer_asn", u32(e.peer.ASN), "announce", announce,
			"med", med, "prepend", prepend, "hold_time", strconv.Itoa(hold), "keepalive", strconv.Itoa(hold/3))
	}
}

// depsOf returns the keys a value refers to (parsed as Resolve does), so
// references are also ordering.
func depsOf(v string) []string {
	var keys []string
	resolveValue(v, func(key string) (Object, bool) {
		keys = append(keys, key)
		return Object{}, false
	})
	return keys
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
