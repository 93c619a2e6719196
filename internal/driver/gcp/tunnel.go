package gcp

import (
	"context"
	"errors"
	"fmt"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// createTunnel makes one HA VPN tunnel. Its shared secret cannot be changed
// later, so a PSK rotation replaces the tunnel; the epoch label records
// which secret it holds. The secret appears in no error.
func (d *Driver) createTunnel(ctx context.Context, c *clients, o plan.Object, s driver.Secrets) (plan.Object, error) {
	si, err := d.site(o.Site)
	if err != nil {
		return plan.Object{}, err
	}
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	_, _, _, tk, _ := plan.SplitKey(o.Key)
	gw, err := need(o, "vpn_gateway")
	if err != nil {
		return plan.Object{}, err
	}
	router, err := need(o, "router")
	if err != nil {
		return plan.Object{}, err
	}
	iface, err := needUint(o, "interface", 31)
	if err != nil {
		return plan.Object{}, err
	}
	ike := uint64(2)
	if o.Attrs["ike_version"] != "" {
		if ike, err = needUint(o, "ike_version", 31); err != nil {
			return plan.Object{}, err
		}
	}
	region := regionAttr(o, si)
	t := &computepb.VpnTunnel{
		Name:                &name,
		Description:         ptr(description(d.mesh.Name, o.Key)),
		VpnGateway:          ptr(relPath(gw)),
		VpnGatewayInterface: ptr(int32(iface)),
		Router:              ptr(relPath(router)),
		IkeVersion:          ptr(int32(ike)),
		Labels:              map[string]string{labelMesh: d.mesh.Name, labelPSKEpoch: o.Attrs["psk_epoch"]},
	}
	switch {
	case o.Attrs["peer_external_gateway"] != "":
		pi, err := needUint(o, "peer_interface", 31)
		if err != nil {
			return plan.Object{}, err
		}
		t.PeerExternalGateway = ptr(relPath(o.Attrs["peer_external_gateway"]))
		t.PeerExternalGatewayInterface = ptr(int32(pi))
	case o.Attrs["peer_gcp_gateway"] != "":
		t.PeerGcpGateway = ptr(relPath(o.Attrs["peer_gcp_gateway"]))
	default:
		return plan.Object{}, errors.New("neither peer_external_gateway nor peer_gcp_gateway is set")
	}
	if s == nil {
		return plan.Object{}, errors.New("no secrets were given to read its pre-shared key from")
	}
	psk, err := s.PSK(tk)
	if err != nil {
		return plan.Object{}, fmt.Errorf("reading its pre-shared key: %w", err)
	}
	if psk == "" {
		return plan.Object{}, errors.New("its pre-shared key is empty")
	}
	t.SharedSecret = &psk
	got, err := createOrAdopt(ctx, d, o.Key, func(id string) (*compute.Operation, error) {
		return c.tunnels.Insert(ctx, &computepb.InsertVpnTunnelRequest{Project: si.project, Region: region, RequestId: &id, VpnTunnelResource: t})
	}, func(ctx context.Context) (*computepb.VpnTunnel, error) {
		return c.tunnels.Get(ctx, &computepb.GetVpnTunnelRequest{Project: si.project, Region: region, VpnTunnel: name})
	}, func() *computepb.VpnTunnel {
		// tunnelObject reports only what was sent, its references as
		// relative paths (what relPath makes of GCP's URLs): a tunnel just
		// made needs no read back.
		return t
	})
	if err != nil {
		return plan.Object{}, d.scrub(err, psk)
	}
	out := tunnelObject(o.Key, o.Site, si.project, region, got)
	if err := d.relinkTunnel(ctx, c, out.ID, router); err != nil {
		return plan.Object{}, err
	}
	return out, nil
}

// relinkTunnel points the router interface that links a tunnel at it
// again, when the tunnel was re-created (deleted in this run for a new
// key, or missing while linked). GCE documents re-pointing an interface
// (routers update-interface --vpn-tunnel) but not that a link follows a
// deleted tunnel's namesake, so crosslink does not rely on it.
func (d *Driver) relinkTunnel(ctx context.Context, c *clients, tunnelID, router string) error {
	if _, ok := d.relink.LoadAndDelete(tunnelID); !ok {
		return nil
	}
	r, err := parseID(router, colRouters)
	if err == nil {
		err = c.batcher.submit(ctx, r, &edit{op: relinkIface, link: tunnelID})
	}
	if err != nil {
		d.relink.Store(tunnelID, true)
		return fmt.Errorf("pointing router %s's interface at the re-created tunnel: %w", router, err)
	}
	return nil
}

// tunnelObject reports what the compiler sets. Interface indexes are
// reported only when present: 0 is a value, not an absence.
func tunnelObject(key, site, project, region string, t *computepb.VpnTunnel) plan.Object {
	region = regionOf(t.GetRegion(), region)
	attrs := map[string]string{
		"vpn_gateway": relPath(t.GetVpnGateway()),
		"router":      relPath(t.GetRouter()),
		"psk_epoch":   t.GetLabels()[labelPSKEpoch],
		"region":      region,
	}
	if t.VpnGatewayInterface != nil {
		attrs["interface"] = itoa(t.GetVpnGatewayInterface())
	}
	if t.IkeVersion != nil {
		attrs["ike_version"] = itoa(t.GetIkeVersion())
	}
	if t.GetPeerExternalGateway() != "" {
		attrs["peer_external_gateway"] = relPath(t.GetPeerExternalGateway())
		if t.PeerExternalGatewayInterface != nil {
			attrs["peer_interface"] = itoa(t.GetPeerExternalGatewayInterface())
		}
	}
	if t.GetPeerGcpGateway() != "" {
		attrs["peer_gcp_gateway"] = relPath(t.GetPeerGcpGateway())
	}
	// Up or not (observed only; the plan waits for it after a rotation).
	if _, _, _, tk, ok := plan.SplitKey(key); ok && t.GetStatus() == tunnelUp {
		attrs["tunnels_up"] = tk
	}
	return object(kindTunnel, key, site, regionalID(project, region, colTunnels, t.GetName()), attrs)
}
