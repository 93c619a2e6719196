package cloudbench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// ExpectedTunnels counts what the SDKs must report once the mesh is up:
// AWS tunnels (two per VPN connection), GCP tunnels and GCP BGP sessions.
func ExpectedTunnels(m Mesh) (aws, gcp, gcpBGP int) {
	d, _ := plan.Build(m.Topology(), nil)
	for _, o := range d.Objects {
		switch o.Kind {
		case "aws_vpn_connection":
			for slot := range 2 {
				if o.Attrs[fmt.Sprintf("tunnel.%d.key", slot)] != "" {
					aws++
				}
			}
		case "gcp_vpn_tunnel":
			gcp++
		case "gcp_router_bgp_peer":
			gcpBGP++
		}
	}
	return aws, gcp, gcpBGP
}

// WaitUp waits until cloudcheck reads every tunnel and BGP session of the
// mesh up, in the expected numbers.
func (c *Clouds) WaitUp(ctx context.Context, within time.Duration) error {
	cl, err := c.Dial(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	wa, wg, wb := ExpectedTunnels(c.Mesh)
	deadline := time.Now().Add(within)
	for {
		tun, err := cl.ReadTunnels(ctx)
		if err == nil {
			a, g, b := tun.Count()
			down := tun.Down()
			if a == wa && g == wg && b == wb && len(down) == 0 {
				return nil
			}
			if len(down) > 5 {
				down = append(down[:5], fmt.Sprintf("… and %d more", len(down)-5))
			}
			err = fmt.Errorf("%d AWS tunnels, %d GCP tunnels, %d GCP BGP sessions (want %d, %d, %d); not up: %s",
				a, g, b, wa, wg, wb, strings.Join(down, "; "))
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
