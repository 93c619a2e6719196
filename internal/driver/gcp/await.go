package gcp

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// awaitUpTimeout bounds the wait for a rotated tunnel to come back.
const awaitUpTimeout = 15 * time.Minute

// tunnelUp is the status of an HA VPN tunnel whose IKE and IPsec are up.
const tunnelUp = "ESTABLISHED"

// AwaitUp waits until a tunnel's status is ESTABLISHED
// (driver.TunnelAwaiter): a tunnel is one tunnel half, so tunnels names
// just its own key.
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
	ctx, cancel := context.WithTimeout(ctx, awaitUpTimeout)
	defer cancel()
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	for {
		got, err := c.tunnels.Get(ctx, &computepb.GetVpnTunnelRequest{Project: r.project, Region: r.region, VpnTunnel: r.name})
		if err != nil {
			return fmt.Errorf("reading VPN tunnel %s: %w", r.name, err)
		}
		if got.GetStatus() == tunnelUp {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("VPN tunnel %s is still %s (%s): %w", r.name, got.GetStatus(), got.GetDetailedStatus(), ctx.Err())
		case <-t.C:
		}
	}
}
