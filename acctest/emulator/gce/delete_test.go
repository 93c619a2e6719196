package gce

import (
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

func TestDeleteInUse(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.base() // gw, ext, rt, tun (gw → ext over rt)
	e.haGateway(r2, "peer", nil)
	e.router(r1, "rt2", "net", 64513)
	v := extTunnel("tun-gcp", "gw", "ext", "rt2")
	v.PeerExternalGateway, v.PeerExternalGatewayInterface = nil, nil
	v.PeerGcpGateway = proto.String(rel(r2, "vpnGateways", "peer"))
	e.tunnel(r1, v)

	delGW := func(region, name string) error {
		op, err := e.gws.Delete(e.ctx, &computepb.DeleteVpnGatewayRequest{Project: proj, Region: region, VpnGateway: name})
		if err == nil {
			err = op.Wait(e.ctx)
		}
		return err
	}
	delExt := func() error {
		op, err := e.exts.Delete(e.ctx, &computepb.DeleteExternalVpnGatewayRequest{Project: proj, ExternalVpnGateway: "ext"})
		if err == nil {
			err = op.Wait(e.ctx)
		}
		return err
	}
	delRouter := func(name string) error {
		op, err := e.rts.Delete(e.ctx, &computepb.DeleteRouterRequest{Project: proj, Region: r1, Router: name})
		if err == nil {
			err = op.Wait(e.ctx)
		}
		return err
	}
	inUse := func(err error, noun, path, by string) {
		t.Helper()
		contains(t, apiErr(t, err, 400, "resourceInUseByAnotherResource").Message,
			"The "+noun+" resource '"+path+"' is already being used by '"+by+"'")
	}
	inUse(delGW(r1, "gw"), "vpnGateway", rel(r1, "vpnGateways", "gw"), rel(r1, "vpnTunnels", "tun"))
	inUse(delGW(r2, "peer"), "vpnGateway", rel(r2, "vpnGateways", "peer"), rel(r1, "vpnTunnels", "tun-gcp"))
	inUse(delExt(), "externalVpnGateway", rel("", "externalVpnGateways", "ext"), rel(r1, "vpnTunnels", "tun"))
	inUse(delRouter("rt"), "router", rel(r1, "routers", "rt"), rel(r1, "vpnTunnels", "tun"))

	// Tunnels go first; then everything else can.
	for _, name := range []string{"tun", "tun-gcp"} {
		e.done(e.tuns.Delete(e.ctx, &computepb.DeleteVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: name}))
	}
	must(t, delGW(r1, "gw"))
	must(t, delGW(r2, "peer"))
	must(t, delExt())
	must(t, delRouter("rt"))
	must(t, delRouter("rt2"))
	apiErr(t, delRouter("rt"), 404, "notFound")
}
