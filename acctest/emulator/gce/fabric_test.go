package gce

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// fakePeer is another cloud's half of a tunnel to the external gateway,
// registered on the same fabric.
type fakePeer struct {
	mu  sync.Mutex
	end fabric.End
	on  bool
}

func (p *fakePeer) source(store.View) []fabric.End {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on {
		return nil
	}
	return []fabric.End{p.end}
}

func (p *fakePeer) set(edit func(*fabric.End)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.on = true
	edit(&p.end)
}

func bgpIface(name, rng, tunnel string) *computepb.RouterInterface {
	return &computepb.RouterInterface{Name: proto.String(name), IpRange: proto.String(rng), LinkedVpnTunnel: proto.String(tunnel)}
}

func bgpPeer(name, iface, ip, peerIP string, asn uint32) *computepb.RouterBgpPeer {
	return &computepb.RouterBgpPeer{Name: proto.String(name), InterfaceName: proto.String(iface), IpAddress: proto.String(ip),
		PeerIpAddress: proto.String(peerIP), PeerAsn: proto.Uint32(asn)}
}

func TestFabricStatus(t *testing.T) {
	e := newEnv(t, envOpt{})
	must(t, e.f.SeedNetwork(proj, Network{Name: "peer", Subnets: []Subnet{{Name: "peer-a", Region: r1, CIDR: "10.9.0.0/24"}}}))
	gwA := e.haGateway(r1, "gw-a", nil)
	e.done(e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("gw-b"), Network: proto.String("global/networks/peer")}}))
	e.extGateway("aws", "TWO_IPS_REDUNDANCY", "203.0.113.10", "203.0.113.11")
	e.router(r1, "rt-a", "net", 64601)
	e.router(r1, "rt-b", "peer", 64602)

	// GCP to GCP on both interfaces, tunnels pointing at each other.
	for _, i := range []int32{0, 1} {
		for _, side := range []struct{ name, gw, rt, peer string }{{"a", "gw-a", "rt-a", "gw-b"}, {"b", "gw-b", "rt-b", "gw-a"}} {
			e.tunnel(r1, &computepb.VpnTunnel{Name: proto.String("t" + side.name + string('0'+rune(i))),
				VpnGateway: proto.String(rel(r1, "vpnGateways", side.gw)), VpnGatewayInterface: proto.Int32(i),
				PeerGcpGateway: proto.String(rel(r1, "vpnGateways", side.peer)), Router: proto.String(rel(r1, "routers", side.rt)),
				SharedSecret: proto.String("gcp-psk")})
		}
	}
	// GCP to the fake peer from gw-a interface 1 to aws interface 0.
	x := extTunnel("tx", "gw-a", "aws", "rt-a")
	x.VpnGatewayInterface, x.SharedSecret = proto.Int32(1), proto.String("aws-psk")
	e.tunnel(r1, x)

	link := func(n string) string { return rel(r1, "vpnTunnels", n) }
	e.done(e.patchRouter(r1, "rt-a", &computepb.Router{
		Interfaces: []*computepb.RouterInterface{bgpIface("if-b0", "169.254.10.1/30", link("ta0")),
			bgpIface("if-b1", "169.254.11.1/30", link("ta1")), bgpIface("if-x", "169.254.20.1/30", link("tx"))},
		BgpPeers: []*computepb.RouterBgpPeer{bgpPeer("bgp-b0", "if-b0", "169.254.10.1", "169.254.10.2", 64602),
			bgpPeer("bgp-b1", "if-b1", "169.254.11.1", "169.254.11.2", 64602),
			bgpPeer("bgp-x", "if-x", "169.254.20.1", "169.254.20.2", 65010)}}))
	e.done(e.patchRouter(r1, "rt-b", &computepb.Router{
		Interfaces: []*computepb.RouterInterface{bgpIface("if-a0", "169.254.10.2/30", link("tb0")),
			bgpIface("if-a1", "169.254.11.2/30", link("tb1"))},
		BgpPeers: []*computepb.RouterBgpPeer{bgpPeer("bgp-a0", "if-a0", "169.254.10.2", "169.254.10.1", 64601),
			bgpPeer("bgp-a1", "if-a1", "169.254.11.2", "169.254.11.1", 64601)}}))

	peer := &fakePeer{}
	e.fab.Register(peer.source)
	agree := func(p *fabric.End) {
		*p = fabric.End{ID: "fake#0", Up: true, LocalIP: netip.MustParseAddr("203.0.113.10"),
			RemoteIP: netip.MustParseAddr(gwA.GetVpnInterfaces()[1].GetIpAddress()), PSK: "aws-psk",
			Inside: netip.MustParsePrefix("169.254.20.0/30"), LocalInside: netip.MustParseAddr("169.254.20.2"),
			RemoteInside: netip.MustParseAddr("169.254.20.1"), LocalASN: 65010, RemoteASN: 64601,
			Routes: []netip.Prefix{netip.MustParsePrefix("172.16.0.0/16")}}
	}

	status := func(name string) (string, string) {
		t.Helper()
		v, err := e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: name})
		must(t, err)
		return v.GetStatus(), v.GetDetailedStatus()
	}
	peerStatus := func(router, name string) *computepb.RouterStatusBgpPeerStatus {
		t.Helper()
		st, err := e.rts.GetRouterStatus(e.ctx, &computepb.GetRouterStatusRouterRequest{Project: proj, Region: r1, Router: router})
		must(t, err)
		for _, p := range st.GetResult().GetBgpPeerStatus() {
			if p.GetName() == name {
				return p
			}
		}
		t.Fatalf("router %s has no peer %s", router, name)
		return nil
	}

	// GCP↔GCP agrees: both sides up, each learns the other's subnetworks
	// (all regions of the network).
	for _, n := range []string{"ta0", "ta1", "tb0", "tb1"} {
		if s, d := status(n); s != "ESTABLISHED" {
			t.Fatalf("%s: %s (%s)", n, s, d)
		}
	}
	pa := peerStatus("rt-a", "bgp-b0")
	if pa.GetStatus() != "UP" || pa.GetState() != "Established" || pa.GetNumLearnedRoutes() != 1 ||
		pa.GetLinkedVpnTunnel() != e.srv.URL+"/compute/v1/"+link("ta0") || pa.GetIpAddress() != "169.254.10.1" || pa.GetPeerIpAddress() != "169.254.10.2" {
		t.Fatalf("rt-a bgp-b0: %v", pa)
	}
	if pb := peerStatus("rt-b", "bgp-a1"); pb.GetStatus() != "UP" || pb.GetNumLearnedRoutes() != 2 {
		t.Fatalf("rt-b bgp-a1 should learn net's two subnetworks: %v", pb)
	}
	st, err := e.rts.GetRouterStatus(e.ctx, &computepb.GetRouterStatusRouterRequest{Project: proj, Region: r1, Router: "rt-b"})
	must(t, err)
	var best []string
	for _, r := range st.GetResult().GetBestRoutes() {
		best = append(best, r.GetDestRange())
	}
	slices.Sort(best)
	if !slices.Equal(best, []string{"10.0.0.0/24", "10.0.0.0/24", "10.0.1.0/24", "10.0.1.0/24"}) ||
		st.GetResult().GetNetwork() != e.srv.URL+"/compute/v1/projects/proj/global/networks/peer" {
		t.Fatalf("rt-b best routes %v network %s", best, st.GetResult().GetNetwork())
	}

	// The external tunnel: nobody answers yet.
	if s, d := status("tx"); s != "NO_INCOMING_PACKETS" || !strings.Contains(d, "203.0.113.10") {
		t.Fatalf("tx without a peer: %s (%s)", s, d)
	}
	if p := peerStatus("rt-a", "bgp-x"); p.GetStatus() != "DOWN" || p.GetState() != "Idle" {
		t.Fatalf("bgp-x without a peer: %v", p)
	}
	cases := []struct {
		name       string
		edit       func(*fabric.End)
		status     string
		bgp        string // peer status
		detailPart string
	}{
		{"agree", func(*fabric.End) {}, "ESTABLISHED", "UP", "up and running"},
		{"psk mismatch", func(p *fabric.End) { p.PSK = "other" }, "AUTHORIZATION_ERROR", "DOWN", "pre-shared keys differ"},
		{"peer not ready", func(p *fabric.End) { p.Up = false }, "NO_INCOMING_PACKETS", "DOWN", "not ready"},
		{"inside mismatch", func(p *fabric.End) {
			p.Inside, p.LocalInside, p.RemoteInside = netip.MustParsePrefix("169.254.21.0/30"),
				netip.MustParseAddr("169.254.21.2"), netip.MustParseAddr("169.254.21.1")
		}, "ESTABLISHED", "DOWN", "inside networks differ"},
		{"asn mismatch", func(p *fabric.End) { p.LocalASN = 65011 }, "ESTABLISHED", "DOWN", "peer ASN 65011"},
		{"expects other asn", func(p *fabric.End) { p.RemoteASN = 64999 }, "ESTABLISHED", "DOWN", "expects ASN 64999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			peer.set(func(p *fabric.End) { agree(p); c.edit(p) })
			s, d := status("tx")
			if s != c.status || !strings.Contains(d, c.detailPart) {
				t.Fatalf("tunnel %s (%s), want %s (…%s…)", s, d, c.status, c.detailPart)
			}
			p := peerStatus("rt-a", "bgp-x")
			if p.GetStatus() != c.bgp {
				t.Fatalf("bgp %s (%s), want %s", p.GetStatus(), p.GetState(), c.bgp)
			}
			if c.bgp == "UP" && (p.GetNumLearnedRoutes() != 1 || p.GetUptimeSeconds() == "") {
				t.Fatalf("up peer: %v", p)
			}
			if c.bgp == "DOWN" && c.status == "ESTABLISHED" && p.GetState() != "Active" {
				t.Fatalf("tunnel up, session down: state %s", p.GetState())
			}
		})
	}

	// A disabled peer is down whatever the other side does.
	peer.set(agree)
	rt := e.getRouter(r1, "rt-a")
	rt.GetBgpPeers()[2].Enable = proto.String("FALSE")
	e.done(e.patchRouter(r1, "rt-a", &computepb.Router{BgpPeers: rt.GetBgpPeers()}))
	if p := peerStatus("rt-a", "bgp-x"); p.GetStatus() != "DOWN" {
		t.Fatalf("disabled peer: %v", p)
	}

	// getStatus: both interfaces to gw-b are covered; one tunnel to aws is not.
	gs, err := e.gws.GetStatus(e.ctx, &computepb.GetStatusVpnGatewayRequest{Project: proj, Region: r1, VpnGateway: "gw-a"})
	must(t, err)
	conns := gs.GetResult().GetVpnConnections()
	if len(conns) != 2 || conns[0].GetPeerGcpGateway() != e.srv.URL+"/compute/v1/"+rel(r1, "vpnGateways", "gw-b") ||
		conns[0].GetState().GetState() != "CONNECTION_REDUNDANCY_MET" || len(conns[0].GetTunnels()) != 2 ||
		conns[1].GetPeerExternalGateway() == "" || conns[1].GetState().GetState() != "CONNECTION_REDUNDANCY_NOT_MET" ||
		conns[1].GetTunnels()[0].GetLocalGatewayInterface() != 1 || conns[1].GetTunnels()[0].GetPeerGatewayInterface() != 0 {
		t.Fatalf("getStatus: %v", gs)
	}
}

// Without a shared fabric the front-end still pairs its own tunnels.
func TestStatusWithoutFabric(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.f.fab = nil
	e.base()
	if v, err := e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"}); err != nil || v.GetStatus() != "NO_INCOMING_PACKETS" {
		t.Fatalf("%v %v", v.GetStatus(), err)
	}
}
