package gce

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

func TestNamesAndLabels(t *testing.T) {
	e := newEnv(t, envOpt{})
	long := strings.Repeat("a", 64)
	many := map[string]string{}
	for i := range 65 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	net := proto.String("projects/proj/global/networks/net")
	cases := []struct {
		name, gw string
		labels   map[string]string
		field    string
	}{
		{"uppercase", "Gw", nil, "resource.name"},
		{"leading digit", "1gw", nil, "resource.name"},
		{"trailing dash", "gw-", nil, "resource.name"},
		{"64 chars", long, nil, "resource.name"},
		{"underscore", "g_w", nil, "resource.name"},
		{"label key uppercase", "gw", map[string]string{"Key": "v"}, "resource.labels"},
		{"label key digit", "gw", map[string]string{"1k": "v"}, "resource.labels"},
		{"label value dot", "gw", map[string]string{"k": "a.b"}, "resource.labels"},
		{"label value long", "gw", map[string]string{"k": long}, "resource.labels"},
		{"65 labels", "gw", many, "resource.labels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
				VpnGatewayResource: &computepb.VpnGateway{Name: proto.String(c.gw), Network: net, Labels: c.labels}})
			contains(t, apiErr(t, err, 400, "invalid").Message, "'"+c.field+"'")
		})
	}
	// The boundaries are accepted: 63 characters, 64 labels, dashes and
	// underscores in labels.
	delete(many, "k0")
	e.haGateway(r1, long[:63], many)
	e.haGateway(r1, "g-1", map[string]string{"crosslink-mesh": "m_1-x", "empty": ""})
	for _, n := range []string{"Bad", "-bad"} {
		e.router(r1, "rt", "net", 64512)
		_, err := e.patchRouter(r1, "rt", &computepb.Router{Interfaces: []*computepb.RouterInterface{{Name: proto.String(n)}}})
		contains(t, apiErr(t, err, 400, "invalid").Message, "'resource.interfaces[0].name'")
		_, err = e.patchRouter(r1, "rt", &computepb.Router{
			Interfaces: []*computepb.RouterInterface{{Name: proto.String("if-0"), IpRange: proto.String("169.254.0.1/30")}},
			BgpPeers: []*computepb.RouterBgpPeer{{Name: proto.String(n), InterfaceName: proto.String("if-0"),
				PeerIpAddress: proto.String("169.254.0.2"), PeerAsn: proto.Uint32(65000)}}})
		contains(t, apiErr(t, err, 400, "invalid").Message, "'resource.bgpPeers[0].name'")
		e.done(e.rts.Delete(e.ctx, &computepb.DeleteRouterRequest{Project: proj, Region: r1, Router: "rt"}))
	}
}

func TestHAGatewayAddresses(t *testing.T) {
	e := newEnv(t, envOpt{o: Options{PublicIPs: netip.MustParsePrefix("192.0.2.0/29")}})
	a, b := e.haGateway(r1, "a", nil), e.haGateway(r2, "b", nil)
	seen := map[string]bool{}
	for _, g := range []*computepb.VpnGateway{a, b} {
		if len(g.GetVpnInterfaces()) != 2 || g.GetStackType() != "IPV4_ONLY" {
			t.Fatalf("gateway %s: %v", g.GetName(), g)
		}
		for i, in := range g.GetVpnInterfaces() {
			ip := netip.MustParseAddr(in.GetIpAddress())
			if in.GetId() != uint32(i) || !netip.MustParsePrefix("192.0.2.0/29").Contains(ip) || seen[ip.String()] {
				t.Fatalf("interface %d of %s: %v", i, g.GetName(), in)
			}
			seen[ip.String()] = true
		}
	}
	e.haGateway(r1, "c", nil) // .5 and .6
	_, err := e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("d"), Network: proto.String("global/networks/net")}})
	apiErr(t, err, 403, "quotaExceeded")
	_, err = e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("d"), Network: proto.String("projects/proj/global/networks/nope")}})
	contains(t, apiErr(t, err, 404, "notFound").Message, "projects/proj/global/networks/nope")
	_, err = e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("d")}})
	contains(t, apiErr(t, err, 400, "invalid").Message, "'resource.network'")
}

func TestExternalGatewayRules(t *testing.T) {
	e := newEnv(t, envOpt{})
	iface := func(id uint32, ip string) *computepb.ExternalVpnGatewayInterface {
		return &computepb.ExternalVpnGatewayInterface{Id: proto.Uint32(id), IpAddress: proto.String(ip)}
	}
	ok4 := []*computepb.ExternalVpnGatewayInterface{iface(0, "203.0.113.1"), iface(1, "203.0.113.2"), iface(2, "203.0.113.3"), iface(3, "203.0.113.4")}
	cases := []struct {
		name, redundancy string
		ifaces           []*computepb.ExternalVpnGatewayInterface
		field            string // "" → accepted
	}{
		{"four", "FOUR_IPS_REDUNDANCY", ok4, ""},
		{"two", "TWO_IPS_REDUNDANCY", ok4[:2], ""},
		{"single", "SINGLE_IP_INTERNALLY_REDUNDANT", ok4[:1], ""},
		{"four with two", "FOUR_IPS_REDUNDANCY", ok4[:2], "resource.interfaces"},
		{"two with four", "TWO_IPS_REDUNDANCY", ok4, "resource.interfaces"},
		{"unknown type", "THREE", ok4[:3], "resource.redundancyType"},
		{"missing type", "", ok4[:1], "resource.redundancyType"},
		{"id out of range", "TWO_IPS_REDUNDANCY", []*computepb.ExternalVpnGatewayInterface{iface(0, "203.0.113.1"), iface(2, "203.0.113.2")}, "resource.interfaces[1].id"},
		{"duplicate id", "TWO_IPS_REDUNDANCY", []*computepb.ExternalVpnGatewayInterface{iface(0, "203.0.113.1"), iface(0, "203.0.113.2")}, "resource.interfaces[1].id"},
		{"bad address", "SINGLE_IP_INTERNALLY_REDUNDANT", []*computepb.ExternalVpnGatewayInterface{iface(0, "203.0.113.300")}, "resource.interfaces[0].ipAddress"},
		{"ipv6 address", "SINGLE_IP_INTERNALLY_REDUNDANT", []*computepb.ExternalVpnGatewayInterface{iface(0, "2001:db8::1")}, "resource.interfaces[0].ipAddress"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op, err := e.exts.Insert(e.ctx, &computepb.InsertExternalVpnGatewayRequest{Project: proj,
				ExternalVpnGatewayResource: &computepb.ExternalVpnGateway{Name: proto.String(fmt.Sprintf("ext-%d", i)),
					RedundancyType: proto.String(c.redundancy), Interfaces: c.ifaces}})
			if c.field == "" {
				e.done(op, err)
				return
			}
			contains(t, apiErr(t, err, 400, "invalid").Message, "'"+c.field+"'")
		})
	}
}

func TestTunnelRules(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.haGateway(r1, "gw", nil)
	e.haGateway(r2, "gw2", nil)
	e.extGateway("ext", "TWO_IPS_REDUNDANCY", "203.0.113.1", "203.0.113.2")
	e.router(r1, "rt", "net", 64512)
	e.router(r1, "rt-other", "other", 64513)
	e.router(r2, "rt2", "net", 64514)
	cases := []struct {
		name   string
		edit   func(*computepb.VpnTunnel)
		code   int
		reason string
		msg    string // "" → accepted
	}{
		{"valid", func(*computepb.VpnTunnel) {}, 0, "", ""},
		{"gcp peer", func(v *computepb.VpnTunnel) {
			v.PeerExternalGateway, v.PeerExternalGatewayInterface = nil, nil
			v.PeerGcpGateway = proto.String(rel(r2, "vpnGateways", "gw2"))
		}, 0, "", ""},
		{"interface 1 of ext", func(v *computepb.VpnTunnel) { v.PeerExternalGatewayInterface = proto.Int32(1) }, 0, "", ""},
		{"missing gateway", func(v *computepb.VpnTunnel) { v.VpnGateway = proto.String(rel(r1, "vpnGateways", "nope")) },
			404, "notFound", "projects/proj/regions/us-east1/vpnGateways/nope"},
		{"no gateway", func(v *computepb.VpnTunnel) { v.VpnGateway = nil }, 400, "invalid", "'resource.vpnGateway'"},
		{"gateway elsewhere", func(v *computepb.VpnTunnel) { v.VpnGateway = proto.String(rel(r2, "vpnGateways", "gw2")) },
			400, "invalid", "'resource.vpnGateway'"},
		{"gateway interface 2", func(v *computepb.VpnTunnel) { v.VpnGatewayInterface = proto.Int32(2) }, 400, "invalid", "'resource.vpnGatewayInterface'"},
		{"no gateway interface", func(v *computepb.VpnTunnel) { v.VpnGatewayInterface = nil }, 400, "invalid", "'resource.vpnGatewayInterface'"},
		{"missing router", func(v *computepb.VpnTunnel) { v.Router = proto.String(rel(r1, "routers", "nope")) }, 404, "notFound", "routers/nope"},
		{"no router", func(v *computepb.VpnTunnel) { v.Router = nil }, 400, "invalid", "'resource.router'"},
		{"router elsewhere", func(v *computepb.VpnTunnel) { v.Router = proto.String(rel(r2, "routers", "rt2")) }, 400, "invalid", "'resource.router'"},
		{"router other network", func(v *computepb.VpnTunnel) { v.Router = proto.String(rel(r1, "routers", "rt-other")) },
			400, "invalid", "same network"},
		{"router not a router", func(v *computepb.VpnTunnel) { v.Router = proto.String(rel(r1, "vpnGateways", "gw")) },
			400, "invalid", "'resource.router'"},
		{"no secret", func(v *computepb.VpnTunnel) { v.SharedSecret = nil }, 400, "invalid", "'resource.sharedSecret'"},
		{"ike 3", func(v *computepb.VpnTunnel) { v.IkeVersion = proto.Int32(3) }, 400, "invalid", "'resource.ikeVersion'"},
		{"both peers", func(v *computepb.VpnTunnel) { v.PeerGcpGateway = proto.String(rel(r2, "vpnGateways", "gw2")) },
			400, "invalid", "'resource.peerExternalGateway'"},
		{"no peer", func(v *computepb.VpnTunnel) { v.PeerExternalGateway, v.PeerExternalGatewayInterface = nil, nil },
			400, "invalid", "'resource.peerExternalGateway'"},
		{"peer interface 2 of two", func(v *computepb.VpnTunnel) { v.PeerExternalGatewayInterface = proto.Int32(2) },
			400, "invalid", "Invalid value for field 'resource.peerExternalGatewayInterface'"},
		{"no peer interface", func(v *computepb.VpnTunnel) { v.PeerExternalGatewayInterface = nil },
			400, "invalid", "'resource.peerExternalGatewayInterface'"},
		{"missing ext", func(v *computepb.VpnTunnel) {
			v.PeerExternalGateway = proto.String(rel("", "externalVpnGateways", "nope"))
		},
			404, "notFound", "externalVpnGateways/nope"},
		{"missing gcp peer", func(v *computepb.VpnTunnel) {
			v.PeerExternalGateway, v.PeerExternalGatewayInterface = nil, nil
			v.PeerGcpGateway = proto.String(rel(r2, "vpnGateways", "nope"))
		}, 404, "notFound", "vpnGateways/nope"},
		{"classic", func(v *computepb.VpnTunnel) { v.TargetVpnGateway = proto.String("x") }, 400, "invalid", "'resource.targetVpnGateway'"},
		{"peer ip", func(v *computepb.VpnTunnel) { v.PeerIp = proto.String("203.0.113.9") }, 400, "invalid", "'resource.peerIp'"},
		{"malformed ref", func(v *computepb.VpnTunnel) { v.VpnGateway = proto.String("gw") }, 400, "invalid", "malformed"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := extTunnel(fmt.Sprintf("t-%d", i), "gw", "ext", "rt")
			c.edit(v)
			op, err := e.tuns.Insert(e.ctx, &computepb.InsertVpnTunnelRequest{Project: proj, Region: r1, VpnTunnelResource: v})
			if c.msg == "" {
				e.done(op, err)
				return
			}
			ge := apiErr(t, err, c.code, c.reason)
			contains(t, ge.Message, c.msg)
			if strings.Contains(ge.Body, "s3cret-psk") || strings.Contains(ge.Message, "s3cret-psk") {
				t.Fatal("the shared secret leaked into an error")
			}
		})
	}
	got, err := e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "t-0"})
	must(t, err)
	if got.SharedSecret != nil || got.GetSharedSecretHash() == "" || got.GetIkeVersion() != 2 {
		t.Fatalf("secret %v hash %q ike %d", got.SharedSecret, got.GetSharedSecretHash(), got.GetIkeVersion())
	}
	if want := e.srv.URL + "/compute/v1/" + rel(r1, "routers", "rt"); got.GetRouter() != want {
		t.Fatalf("router %q, want the full URL %q", got.GetRouter(), want)
	}
	if want := e.srv.URL + "/compute/v1/" + rel(r1, "vpnTunnels", "t-0"); got.GetSelfLink() != want {
		t.Fatalf("selfLink %q, want %q", got.GetSelfLink(), want)
	}
	if got.GetKind() != "compute#vpnTunnel" || got.GetId() == 0 || got.GetCreationTimestamp() == "" ||
		got.GetRegion() != e.srv.URL+"/compute/v1/projects/proj/regions/us-east1" {
		t.Fatalf("server fields: %v", got)
	}
}

func TestRouterRules(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.base() // tunnel "tun" on router "rt"
	e.router(r1, "rt-b", "net", 64600)
	e.tunnel(r1, extTunnel("tun-b", "gw", "ext", "rt-b"))
	iface := func(name, rng, link string) *computepb.RouterInterface {
		in := &computepb.RouterInterface{Name: proto.String(name), IpRange: proto.String(rng)}
		if link != "" {
			in.LinkedVpnTunnel = proto.String(rel(r1, "vpnTunnels", link))
		}
		return in
	}
	peer := func(name, ifc, ip, peerIP string, asn uint32) *computepb.RouterBgpPeer {
		p := &computepb.RouterBgpPeer{Name: proto.String(name), InterfaceName: proto.String(ifc), PeerIpAddress: proto.String(peerIP)}
		if ip != "" {
			p.IpAddress = proto.String(ip)
		}
		if asn != 0 {
			p.PeerAsn = proto.Uint32(asn)
		}
		return p
	}
	good := iface("if-0", "169.254.0.1/30", "tun")
	cases := []struct {
		name   string
		patch  *computepb.Router
		field  string // "" → accepted
		reason string
	}{
		{"valid", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "169.254.0.1", "169.254.0.2", 65000)}}, "", ""},
		{"ip address filled in", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.2", 4200000000)}}, "", ""},
		{"public asn", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(15169)}}, "resource.bgp.asn", ""},
		{"asn 65535", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(65535)}}, "resource.bgp.asn", ""},
		{"asn 4294967295", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(4294967295)}}, "resource.bgp.asn", ""},
		{"duplicate interface", &computepb.Router{Interfaces: []*computepb.RouterInterface{good, iface("if-0", "169.254.1.1/30", "")}},
			"resource.interfaces[1].name", ""},
		{"range /29", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "169.254.0.1/29", "")}}, "resource.interfaces[0].ipRange", ""},
		{"range not link-local", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "10.0.0.1/30", "")}}, "resource.interfaces[0].ipRange", ""},
		{"network address", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "169.254.0.0/30", "")}}, "resource.interfaces[0].ipRange", ""},
		{"broadcast address", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "169.254.0.3/30", "")}}, "resource.interfaces[0].ipRange", ""},
		{"overlapping ranges", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "169.254.0.1/30", ""), iface("if-1", "169.254.0.2/30", "")}},
			"resource.interfaces[1].ipRange", ""},
		{"missing tunnel", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "169.254.0.1/30", "nope")}},
			"resource.interfaces[0].linkedVpnTunnel", ""},
		{"tunnel of another router", &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-0", "169.254.0.1/30", "tun-b")}},
			"resource.interfaces[0].linkedVpnTunnel", ""},
		{"tunnel linked twice", &computepb.Router{Interfaces: []*computepb.RouterInterface{good, iface("if-1", "169.254.1.1/30", "tun")}},
			"resource.interfaces[1].linkedVpnTunnel", ""},
		{"peer without interface", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-9", "169.254.0.1", "169.254.0.2", 65000)}}, "resource.bgpPeers[0].interfaceName", ""},
		{"duplicate peer", &computepb.Router{Interfaces: []*computepb.RouterInterface{good, iface("if-1", "169.254.1.1/30", "")},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.2", 65000), peer("bgp-0", "if-1", "", "169.254.1.2", 65000)}},
			"resource.bgpPeers[1].name", ""},
		{"two peers on one interface", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.2", 65000), peer("bgp-1", "if-0", "", "169.254.0.2", 65000)}},
			"resource.bgpPeers[1].interfaceName", ""},
		{"ip not the interface's", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "169.254.0.2", "169.254.0.1", 65000)}}, "resource.bgpPeers[0].ipAddress", ""},
		{"peer ip outside", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.6", 65000)}}, "resource.bgpPeers[0].peerIpAddress", ""},
		{"peer ip is own", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.1", 65000)}}, "resource.bgpPeers[0].peerIpAddress", ""},
		{"peer ip broadcast", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.3", 65000)}}, "resource.bgpPeers[0].peerIpAddress", ""},
		{"no peer asn", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{peer("bgp-0", "if-0", "", "169.254.0.2", 0)}}, "resource.bgpPeers[0].peerAsn", ""},
		{"priority", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{func() *computepb.RouterBgpPeer {
				p := peer("bgp-0", "if-0", "", "169.254.0.2", 65000)
				p.AdvertisedRoutePriority = proto.Uint32(65536)
				return p
			}()}}, "resource.bgpPeers[0].advertisedRoutePriority", ""},
		{"enable", &computepb.Router{Interfaces: []*computepb.RouterInterface{good},
			BgpPeers: []*computepb.RouterBgpPeer{func() *computepb.RouterBgpPeer {
				p := peer("bgp-0", "if-0", "", "169.254.0.2", 65000)
				p.Enable = proto.String("YES")
				return p
			}()}}, "resource.bgpPeers[0].enable", ""},
		{"custom advertisement", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600), AdvertiseMode: proto.String("CUSTOM"),
			AdvertisedIpRanges: []*computepb.RouterAdvertisedIpRange{{Range: proto.String("10.1.0.0/16")}, {Range: proto.String("10.2.0.0/16")}}}}, "", ""},
		{"ranges in default mode", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600), AdvertiseMode: proto.String("DEFAULT"),
			AdvertisedIpRanges: []*computepb.RouterAdvertisedIpRange{{Range: proto.String("10.1.0.0/16")}}}}, "resource.bgp.advertiseMode", ""},
		{"bad mode", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600), AdvertiseMode: proto.String("ALL")}}, "resource.bgp.advertiseMode", ""},
		{"bad group", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600), AdvertiseMode: proto.String("CUSTOM"),
			AdvertisedGroups: []string{"ALL_VPC_SUBNETS"}}}, "resource.bgp.advertisedGroups", ""},
		{"range not a cidr", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600), AdvertiseMode: proto.String("CUSTOM"),
			AdvertisedIpRanges: []*computepb.RouterAdvertisedIpRange{{Range: proto.String("10.1.0.1/16")}}}}, "resource.bgp.advertisedIpRanges[0].range", ""},
		{"duplicate range", &computepb.Router{Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600), AdvertiseMode: proto.String("CUSTOM"),
			AdvertisedIpRanges: []*computepb.RouterAdvertisedIpRange{{Range: proto.String("10.1.0.0/16")}, {Range: proto.String("10.1.0.0/16")}}}}, "resource.bgp.advertisedIpRanges[1].range", ""},
		{"network change", &computepb.Router{Network: proto.String("global/networks/other")}, "resource.network", ""},
		{"rename", &computepb.Router{Name: proto.String("rt-x")}, "resource.name", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.getRouter(r1, "rt")
			op, err := e.patchRouter(r1, "rt", c.patch)
			if c.field == "" {
				e.done(op, err)
				got := e.getRouter(r1, "rt")
				for _, p := range got.GetBgpPeers() {
					if p.GetIpAddress() != "169.254.0.1" {
						t.Fatalf("peer ipAddress %q, want the interface's", p.GetIpAddress())
					}
				}
				// Restore for the next case.
				e.done(e.rts.Update(e.ctx, &computepb.UpdateRouterRequest{Project: proj, Region: r1, Router: "rt", RouterResource: before}))
				return
			}
			contains(t, apiErr(t, err, 400, "invalid").Message, "Invalid value for field '"+c.field+"'")
			if after := e.getRouter(r1, "rt"); !proto.Equal(before, after) {
				t.Fatalf("a refused patch changed the router:\n%v\n%v", before, after)
			}
		})
	}
	// On insert: public ASN and a missing network.
	_, err := e.rts.Insert(e.ctx, &computepb.InsertRouterRequest{Project: proj, Region: r1, RouterResource: &computepb.Router{
		Name: proto.String("r-pub"), Network: proto.String("global/networks/net"), Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64511)}}})
	contains(t, apiErr(t, err, 400, "invalid").Message, "'resource.bgp.asn'")
	_, err = e.rts.Insert(e.ctx, &computepb.InsertRouterRequest{Project: proj, Region: r1, RouterResource: &computepb.Router{
		Name: proto.String("r-nonet"), Network: proto.String("global/networks/nope")}})
	apiErr(t, err, 404, "notFound")
}

// Cloud Router's limits: five routers per network and region (the sixth
// is quotaExceeded), 128 BGP peers per router.
func TestRouterLimits(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.base() // router "rt" on network "net" in r1
	for i := 2; i <= 5; i++ {
		e.router(r1, fmt.Sprintf("rt-%d", i), "net", 64600)
	}
	_, err := e.rts.Insert(e.ctx, &computepb.InsertRouterRequest{Project: proj, Region: r1, RouterResource: &computepb.Router{
		Name: proto.String("rt-6"), Network: proto.String("projects/" + proj + "/global/networks/net"), Bgp: &computepb.RouterBgp{Asn: proto.Uint32(64600)}}})
	contains(t, apiErr(t, err, 403, "quotaExceeded").Message, "ROUTERS_PER_NETWORK_PER_REGION")
	var ifs []*computepb.RouterInterface
	var peers []*computepb.RouterBgpPeer
	for i := range 129 {
		name := fmt.Sprintf("if-%d", i)
		base := netip.MustParseAddr("169.254.0.0")
		for range 4 * i {
			base = base.Next()
		}
		ifs = append(ifs, &computepb.RouterInterface{Name: proto.String(name), IpRange: proto.String(base.Next().String() + "/30")})
		peers = append(peers, &computepb.RouterBgpPeer{Name: proto.String(fmt.Sprintf("bgp-%d", i)), InterfaceName: proto.String(name),
			PeerIpAddress: proto.String(base.Next().Next().String()), PeerAsn: proto.Uint32(65000)})
	}
	_, err = e.patchRouter(r1, "rt-2", &computepb.Router{Interfaces: ifs, BgpPeers: peers})
	contains(t, apiErr(t, err, 400, "invalid").Message, "at most 128 BGP peers")
	e.done(e.patchRouter(r1, "rt-2", &computepb.Router{Interfaces: ifs[:128], BgpPeers: peers[:128]}))
}
