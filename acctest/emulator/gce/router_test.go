package gce

import (
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

func ifaceNames(rt *computepb.Router) []string {
	var out []string
	for _, in := range rt.GetInterfaces() {
		out = append(out, in.GetName())
	}
	return out
}

func TestRouterPatchAndUpdate(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.base()
	e.tunnel(r1, extTunnel("tun-2", "gw", "ext", "rt"))
	e.done(e.patchRouter(r1, "rt", &computepb.Router{
		Description: proto.String("crosslink mesh=m key=gcp/a/router/main"),
		Bgp:         &computepb.RouterBgp{Asn: proto.Uint32(64512), AdvertiseMode: proto.String("DEFAULT")},
		Interfaces: []*computepb.RouterInterface{
			{Name: proto.String("if-a"), IpRange: proto.String("169.254.0.1/30"), LinkedVpnTunnel: proto.String(rel(r1, "vpnTunnels", "tun"))},
			{Name: proto.String("if-b"), IpRange: proto.String("169.254.1.1/30")},
		},
		BgpPeers: []*computepb.RouterBgpPeer{{Name: proto.String("bgp-a"), InterfaceName: proto.String("if-a"),
			PeerIpAddress: proto.String("169.254.0.2"), PeerAsn: proto.Uint32(65000)}},
	}))
	rt := e.getRouter(r1, "rt")
	if got := ifaceNames(rt); len(got) != 2 || rt.GetInterfaces()[0].GetLinkedVpnTunnel() != e.srv.URL+"/compute/v1/"+rel(r1, "vpnTunnels", "tun") {
		t.Fatalf("after first patch: %v", rt.GetInterfaces())
	}

	// A list sent replaces the whole list; fields not sent stay; nested
	// objects merge (keepaliveInterval joins asn and advertiseMode).
	e.done(e.patchRouter(r1, "rt", &computepb.Router{
		Interfaces: []*computepb.RouterInterface{{Name: proto.String("if-c"), IpRange: proto.String("169.254.2.1/30"),
			LinkedVpnTunnel: proto.String(e.srv.URL + "/compute/v1/" + rel(r1, "vpnTunnels", "tun-2"))}},
		BgpPeers: []*computepb.RouterBgpPeer{{Name: proto.String("bgp-c"), InterfaceName: proto.String("if-c"),
			PeerIpAddress: proto.String("169.254.2.2"), PeerAsn: proto.Uint32(65001)}},
		Bgp: &computepb.RouterBgp{KeepaliveInterval: proto.Uint32(20)},
	}))
	rt = e.getRouter(r1, "rt")
	if got := ifaceNames(rt); len(got) != 1 || got[0] != "if-c" || len(rt.GetBgpPeers()) != 1 ||
		rt.GetBgpPeers()[0].GetName() != "bgp-c" || rt.GetDescription() == "" ||
		rt.GetBgp().GetAsn() != 64512 || rt.GetBgp().GetAdvertiseMode() != "DEFAULT" || rt.GetBgp().GetKeepaliveInterval() != 20 {
		t.Fatalf("after replacing patch: %v", rt)
	}

	// The protojson gotcha: an empty list is not sent, so this patch
	// removes nothing.
	op, err := e.patchRouter(r1, "rt", &computepb.Router{Interfaces: []*computepb.RouterInterface{}, BgpPeers: []*computepb.RouterBgpPeer{}})
	e.done(op, err)
	if op.Proto().GetOperationType() != "patch" {
		t.Fatalf("op type %s", op.Proto().GetOperationType())
	}
	if rt = e.getRouter(r1, "rt"); len(rt.GetInterfaces()) != 1 {
		t.Fatalf("an empty PATCH list removed interfaces: %v", rt.GetInterfaces())
	}
	// PUT replaces the document: drop the last interface and peer.
	rt.Interfaces, rt.BgpPeers = nil, nil
	op, err = e.rts.Update(e.ctx, &computepb.UpdateRouterRequest{Project: proj, Region: r1, Router: "rt", RouterResource: rt})
	e.done(op, err)
	if op.Proto().GetOperationType() != "update" {
		t.Fatalf("op type %s", op.Proto().GetOperationType())
	}
	if rt = e.getRouter(r1, "rt"); len(rt.GetInterfaces()) != 0 || len(rt.GetBgpPeers()) != 0 || rt.GetBgp().GetAsn() != 64512 {
		t.Fatalf("after PUT: %v", rt)
	}
	// PUT must still satisfy the rules.
	rt.Bgp.Asn = proto.Uint32(100)
	_, err = e.rts.Update(e.ctx, &computepb.UpdateRouterRequest{Project: proj, Region: r1, Router: "rt", RouterResource: rt})
	contains(t, apiErr(t, err, 400, "invalid").Message, "'resource.bgp.asn'")
	_, err = e.patchRouter(r1, "nope", &computepb.Router{})
	contains(t, apiErr(t, err, 404, "notFound").Message, rel(r1, "routers", "nope"))
}

// A tunnel deleted under a router interface leaves the link dangling
// (as GCE does); later patches that keep that interface still work, and
// so does deleting the router.
func TestDanglingLink(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.base()
	link := &computepb.RouterInterface{Name: proto.String("if-a"), IpRange: proto.String("169.254.0.1/30"),
		LinkedVpnTunnel: proto.String(rel(r1, "vpnTunnels", "tun"))}
	e.done(e.patchRouter(r1, "rt", &computepb.Router{Interfaces: []*computepb.RouterInterface{link}}))
	_, err := e.rts.Delete(e.ctx, &computepb.DeleteRouterRequest{Project: proj, Region: r1, Router: "rt"})
	contains(t, apiErr(t, err, 400, "resourceInUseByAnotherResource").Message,
		"The router resource '"+rel(r1, "routers", "rt")+"' is already being used by '"+rel(r1, "vpnTunnels", "tun")+"'")
	e.done(e.tuns.Delete(e.ctx, &computepb.DeleteVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"}))
	if rt := e.getRouter(r1, "rt"); rt.GetInterfaces()[0].GetLinkedVpnTunnel() == "" {
		t.Fatal("the link was removed with the tunnel")
	}
	e.done(e.patchRouter(r1, "rt", &computepb.Router{Interfaces: []*computepb.RouterInterface{link,
		{Name: proto.String("if-b"), IpRange: proto.String("169.254.1.1/30")}}}))
	// A new link to the missing tunnel is refused, though.
	_, err = e.patchRouter(r1, "rt", &computepb.Router{Interfaces: []*computepb.RouterInterface{link,
		{Name: proto.String("if-b"), IpRange: proto.String("169.254.1.1/30"), LinkedVpnTunnel: proto.String(rel(r1, "vpnTunnels", "gone"))}}})
	contains(t, apiErr(t, err, 400, "invalid").Message, "'resource.interfaces[1].linkedVpnTunnel'")
	e.done(e.rts.Delete(e.ctx, &computepb.DeleteRouterRequest{Project: proj, Region: r1, Router: "rt"}))
}
