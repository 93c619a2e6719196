package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// awaitUpTimeout bounds the wait for rotated tunnels to come back: both
// halves must hold the new key, and IKE and BGP must re-establish. It is
// 900 polls: 15 minutes at the default 1 s poll, less where tests scale
// the clouds' waits down with the poll.
func (d *Driver) awaitUpTimeout() time.Duration { return min(15*time.Minute, 900*d.cfg.PollInterval) }

// upTunnelKeys lists the tunnel keys of a connection whose telemetry says
// UP, from the connection's slot tags and VgwTelemetry (matched by outside
// address), sorted.
func upTunnelKeys(v types.VpnConnection, o plan.Object) []string {
	var out []string
	for slot := range 2 {
		pre := "tunnel." + strconv.Itoa(slot) + "."
		key, ip := o.Attrs[pre+"key"], o.Attrs[pre+"outside_ip"]
		if key == "" || ip == "" {
			continue
		}
		for _, t := range v.VgwTelemetry {
			if awssdk.ToString(t.OutsideIpAddress) == ip && t.Status == types.TelemetryStatusUp {
				out = append(out, key)
			}
		}
	}
	slices.Sort(out)
	return out
}

// AwaitUp waits until the connection's telemetry reports each of tunnels
// UP (driver.TunnelAwaiter), reading it through the batched reads.
func (d *Driver) AwaitUp(ctx context.Context, o plan.Object, tunnels []string) error {
	if o.Kind != "aws_vpn_connection" {
		return nil
	}
	s, err := d.site(ctx, o.Site)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d.awaitUpTimeout())
	defer cancel()
	for {
		v, err := d.readVPNConnection(ctx, s, o.ID)
		if err != nil {
			return err
		}
		up := upTunnelKeys(*v, vpnObject(o.Key, *v, nil))
		var down []string
		for _, t := range tunnels {
			if !slices.Contains(up, t) {
				down = append(down, t)
			}
		}
		if len(down) == 0 {
			return nil
		}
		if err := sleep(ctx, d.cfg.PollInterval); err != nil {
			return fmt.Errorf("EC2 VPN Connection %s: tunnels %s still down: %w", o.ID, strings.Join(down, ", "), err)
		}
	}
}
