package gce

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// insertTunnel serves vpnTunnels.insert for HA VPN tunnels.
func (f *Frontend) insertTunnel(w http.ResponseWriter, r *http.Request, c call) {
	var t computepb.VpnTunnel
	if _, err := readBody(r, &t); err != nil {
		err.write(w)
		return
	}
	name, labels := t.GetName(), t.GetLabels()
	if err := normTunnel(c, &t); err != nil {
		err.write(w)
		return
	}
	f.mutate(w, r, c, func() (store.Resource, error) {
		return f.create(c, typeByColl["vpnTunnels"], name, labels, &t)
	})
}

// normTunnel checks what needs no other resource and normalises
// references. Error messages never carry the shared secret.
func normTunnel(c call, t *computepb.VpnTunnel) *apiError {
	if err := checkName("resource.name", t.GetName()); err != nil {
		return err
	}
	if err := checkLabels("resource.labels", t.GetLabels()); err != nil {
		return err
	}
	if t.TargetVpnGateway != nil {
		return invalidField("resource.targetVpnGateway", t.GetTargetVpnGateway(),
			"Classic VPN is not emulated; use an HA VPN gateway (vpnGateway).")
	}
	if t.PeerIp != nil {
		return invalidField("resource.peerIp", t.GetPeerIp(),
			"peerIp cannot be used with an HA VPN gateway; use peerExternalGateway.")
	}
	if t.VpnGateway == nil {
		return invalidField("resource.vpnGateway", "", "The VPN gateway is required.")
	}
	gw, err := canonRef("resource.vpnGateway", t.GetVpnGateway(), c.project, "vpnGateways")
	if err != nil {
		return err
	}
	t.VpnGateway = &gw
	if t.VpnGatewayInterface == nil || (t.GetVpnGatewayInterface() != 0 && t.GetVpnGatewayInterface() != 1) {
		return invalidField("resource.vpnGatewayInterface", presentInt(t.VpnGatewayInterface),
			"An HA VPN gateway has interfaces 0 and 1.")
	}
	if t.Router == nil {
		return invalidField("resource.router", "", "A Cloud Router is required for an HA VPN tunnel.")
	}
	rt, err := canonRef("resource.router", t.GetRouter(), c.project, "routers")
	if err != nil {
		return err
	}
	t.Router = &rt
	if t.GetSharedSecret() == "" {
		return invalidField("resource.sharedSecret", "", "The shared secret is required.")
	}
	switch {
	case t.IkeVersion == nil:
		t.IkeVersion = proto.Int32(2)
	case t.GetIkeVersion() != 1 && t.GetIkeVersion() != 2:
		return invalidField("resource.ikeVersion", t.GetIkeVersion(), "Must be 1 or 2.")
	}
	if (t.PeerExternalGateway == nil) == (t.PeerGcpGateway == nil) {
		return invalidField("resource.peerExternalGateway", t.GetPeerExternalGateway(),
			"Exactly one of peerExternalGateway and peerGcpGateway must be set.")
	}
	if t.PeerExternalGateway != nil {
		p, err := canonRef("resource.peerExternalGateway", t.GetPeerExternalGateway(), c.project, "externalVpnGateways")
		if err != nil {
			return err
		}
		t.PeerExternalGateway = &p
		if t.PeerExternalGatewayInterface == nil || t.GetPeerExternalGatewayInterface() < 0 {
			return invalidField("resource.peerExternalGatewayInterface", presentInt(t.PeerExternalGatewayInterface),
				"Required with peerExternalGateway.")
		}
	} else {
		p, err := canonRef("resource.peerGcpGateway", t.GetPeerGcpGateway(), c.project, "vpnGateways")
		if err != nil {
			return err
		}
		t.PeerGcpGateway = &p
		if t.PeerExternalGatewayInterface != nil {
			return invalidField("resource.peerExternalGatewayInterface", t.GetPeerExternalGatewayInterface(),
				"Not allowed with peerGcpGateway.")
		}
	}
	sum := sha256.Sum256([]byte("crosslink-emulator|" + t.GetSharedSecret()))
	t.SharedSecretHash = proto.String(base64.RawURLEncoding.EncodeToString(sum[:18]))
	t.Kind, t.Id, t.SelfLink, t.CreationTimestamp, t.Region = nil, nil, nil, nil, nil
	t.Status, t.DetailedStatus = nil, nil
	t.Name, t.Labels, t.LabelFingerprint = nil, nil, nil
	return nil
}

func presentInt(p *int32) any {
	if p == nil {
		return ""
	}
	return *p
}

// tunnelRule checks a new tunnel's references: its gateway and router in
// its own region and on one network, its peer gateway and interface.
func tunnelRule(v store.View, op store.Op, _, nw *store.Resource) error {
	if op != store.OpCreate {
		return nil // tunnels are immutable but for labels
	}
	var t computepb.VpnTunnel
	if err := fromDoc(nw.Attrs, &t); err != nil {
		return err
	}
	gw, ok := exists(v, kindVPNGateway, t.GetVpnGateway())
	if !ok {
		return ruleError(notFoundPath(t.GetVpnGateway()))
	}
	if gw.Scope != nw.Scope {
		return ruleError(invalidField("resource.vpnGateway", t.GetVpnGateway(),
			"The VPN gateway must be in the tunnel's project and region."))
	}
	rt, ok := exists(v, kindRouter, t.GetRouter())
	if !ok {
		return ruleError(notFoundPath(t.GetRouter()))
	}
	if rt.Scope != nw.Scope {
		return ruleError(invalidField("resource.router", t.GetRouter(), "The router must be in the tunnel's project and region."))
	}
	if rt.Attrs["network"] != gw.Attrs["network"] {
		return ruleError(invalidField("resource.router", t.GetRouter(),
			"The router and the VPN gateway must be in the same network."))
	}
	if t.PeerExternalGateway != nil {
		eg, ok := exists(v, kindExtGateway, t.GetPeerExternalGateway())
		if !ok {
			return ruleError(notFoundPath(t.GetPeerExternalGateway()))
		}
		if _, ok := extInterfaceIP(eg, int64(t.GetPeerExternalGatewayInterface())); !ok {
			return ruleError(invalidField("resource.peerExternalGatewayInterface", t.GetPeerExternalGatewayInterface(),
				"The external VPN gateway has no such interface."))
		}
		return nil
	}
	if _, ok := exists(v, kindVPNGateway, t.GetPeerGcpGateway()); !ok {
		return ruleError(notFoundPath(t.GetPeerGcpGateway()))
	}
	return nil
}
