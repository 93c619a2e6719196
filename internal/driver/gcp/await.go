package gcp

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// awaitUpTimeout bounds the wait for a rotated tunnel to come back: 900
// polls, 15 minutes at the default 1 s poll (as the AWS driver's).
func (d *Driver) awaitUpTimeout() time.Duration { return min(15*time.Minute, 900*d.cfg.PollInterval) }

// tunnelUp is the status of an HA VPN tunnel whose IKE and IPsec are up.
const tunnelUp = "ESTABLISHED"

// AwaitUp waits until a tunnel's status is ESTABLISHED and the router's
// BGP peer over it is UP (driver.TunnelAwaiter): a tunnel is one tunnel
// half, so tunnels names just its own key.
func (d *Driver) AwaitUp(ctx context.Context, o plan.Object, _ []string) error {
	if o.Kind != kindTunnel {
		return nil
	}
	c, err := d.clients()
	if err != nil {
		return err
	}
	r, err := parseID(o.ID, colTunnels)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d.awaitUpTimeout())
	defer cancel()
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	rt, rerr := parseID(o.Attrs["router"], colRouters)
	for {
		got, err := c.tunnels.Get(ctx, &computepb.GetVpnTunnelRequest{Project: r.project, Region: r.region, VpnTunnel: r.name})
		if err != nil {
			return fmt.Errorf("reading VPN tunnel %s: %w", r.name, err)
		}
		state := got.GetStatus() + " (" + got.GetDetailedStatus() + ")"
		if got.GetStatus() == tunnelUp {
			if rerr != nil {
				return nil // no router named: the tunnel's own status is all there is
			}
			st, err := c.routers.GetRouterStatus(ctx, &computepb.GetRouterStatusRouterRequest{Project: rt.project, Region: rt.region, Router: rt.name})
			if err != nil {
				return fmt.Errorf("reading the status of router %s: %w", rt.name, err)
			}
			state = "established, its BGP session not up"
			for _, p := range st.GetResult().GetBgpPeerStatus() {
				if relPath(p.GetLinkedVpnTunnel()) == r.id(colTunnels) && p.GetStatus() == "UP" {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("VPN tunnel %s is still %s: %w", r.name, state, ctx.Err())
		case <-t.C:
		}
	}
}
