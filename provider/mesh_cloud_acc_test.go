package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudenv"
)

// Objects of an AWS↔GCP pair at redundancy 2. AWS: VGW, attachment, route
// propagation, and per GCP interface a customer gateway and a VPN
// connection of two tunnels. GCP: HA gateway, router, external gateway
// (four AWS addresses), and per tunnel the tunnel and BGP peer.
const awsObjects, gcpObjectsPerAWSPeer = 3 + 2*2, 1 + 4*2

// TestAccCloudMesh applies an AWS↔GCP HA VPN mesh through the real SDK
// clients against the emulators (or real clouds) and checks, through the
// SDKs, that every tunnel is UP and every BGP session established, then
// grows it, rotates its keys and repairs drift.
func TestAccCloudMesh(t *testing.T) {
	const mesh = "acc"
	e := cloudenv.Setup(t, mesh)
	c := e.Clients(t)
	res := "crosslink_mesh.cloud"
	var first cloudcheck.Tunnels
	var mon *cloudenv.Monitor
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraformState) error {
			owned, err := c.Owned(context.Background())
			if err != nil {
				return err
			}
			if len(owned) != 0 {
				return fmt.Errorf("left after destroy: %v", owned)
			}
			// No route toward the mesh is left in the VPC's route tables.
			routes, err := c.ReadRoutes(context.Background(), []string{e.VPC})
			if err != nil {
				return err
			}
			if len(routes.AWS[e.VPC]) != 0 {
				return fmt.Errorf("routes left in VPC %s after destroy: %v", e.VPC, routes.AWS[e.VPC])
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: e.Config(mesh, 2, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The plan shows every object before anything exists.
					plancheck.ExpectKnownValue(res, tfjsonpath.New("objects"), knownvalue.MapSizeExact(awsObjects+2+gcpObjectsPerAWSPeer)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("tunnels"), knownvalue.ListSizeExact(4)),
				}},
				Check: func(*terraformState) error {
					var err error
					if first, err = cloudenv.WaitUp(c, 4, 4, 30*time.Second); err != nil {
						return err
					}
					return cloudenv.NoDuplicates(c)
				},
			},
			{
				// Refresh reads the clouds: nothing to do.
				Config:   e.Config(mesh, 2, ""),
				PlanOnly: true,
			},
			{
				// A second GCP site: existing tunnels stay as they are.
				Config: e.Config(mesh, 3, ""),
				Check: func(*terraformState) error {
					now, err := cloudenv.WaitUp(c, 8, 4+2+4+2, 30*time.Second)
					if err != nil {
						return err
					}
					// Every site's cloud routes to every other site's
					// cidrs, as the SDKs read it: the VPC's route tables
					// (propagated from the VGW), each Cloud Router's best
					// routes.
					routes, err := c.ReadRoutes(context.Background(), []string{e.VPC})
					if err != nil {
						return err
					}
					if got := routes.AWS[e.VPC]; !slices.Equal(got, []string{"10.20.0.0/16", "10.30.0.0/16"}) {
						return fmt.Errorf("VPC %s routes to %v, want the GCP sites' cidrs", e.VPC, got)
					}
					if len(routes.GCP) != 2 {
						return fmt.Errorf("%d Cloud Routers: %v", len(routes.GCP), routes.GCP)
					}
					seen := map[string]bool{}
					for name, got := range routes.GCP {
						if len(got) != 2 || got[0] != "10.10.0.0/16" || seen[got[1]] {
							return fmt.Errorf("router %s routes to %v (all: %v)", name, got, routes.GCP)
						}
						seen[got[1]] = true
					}
					for id, psks := range first.AWSConnections {
						if !slices.Equal(now.AWSConnections[id], psks) {
							return fmt.Errorf("VPN connection %s changed when a site was added", id)
						}
					}
					for name, id := range first.GCPTunnelIDs {
						if now.GCPTunnelIDs[name] != id {
							return fmt.Errorf("GCP tunnel %s changed when a site was added", name)
						}
					}
					return cloudenv.NoDuplicates(c)
				},
			},
			{
				// psk_epoch: AWS rotates in place (same connections, new
				// keys); the rotation is staged, so every pair keeps a
				// tunnel up throughout, as the SDKs report it, sampled
				// every 20 ms; every tunnel is up again after.
				PreConfig: func() { mon = cloudenv.Watch(c, 20*time.Millisecond) },
				Config:    e.Config(mesh, 3, "  psk_epoch = 2"),
				Check: func(*terraformState) error {
					fewest, samples, err := mon.Stop()
					if err != nil {
						return fmt.Errorf("sampling the tunnels: %w", err)
					}
					if len(fewest) != 3 || samples < 10 {
						return fmt.Errorf("%d samples of %d pairs: %v", samples, len(fewest), fewest)
					}
					for pair, n := range fewest {
						if n == 0 {
							return fmt.Errorf("pair %s had no tunnel up during the rotation (%d samples: %v)", pair, samples, fewest)
						}
					}
					t.Logf("rotation: fewest tunnels up per pair %v over %d samples", fewest, samples)
					now, err := cloudenv.WaitUp(c, 8, 12, 30*time.Second)
					if err != nil {
						return err
					}
					for id, psks := range first.AWSConnections {
						got, ok := now.AWSConnections[id]
						if !ok {
							return fmt.Errorf("VPN connection %s was replaced by the key rotation", id)
						}
						for i := range psks {
							if got[i] == psks[i] {
								return fmt.Errorf("VPN connection %s tunnel %d kept its pre-shared key", id, i)
							}
						}
					}
					return cloudenv.NoDuplicates(c)
				},
			},
			{
				// Drift: a tunnel deleted behind crosslink's back shows up
				// in the plan as coming back.
				PreConfig: func() {
					names := slices.Sorted(maps.Keys(first.GCPTunnelIDs))
					if err := c.DeleteGCPTunnel(context.Background(), e.GCPRegions[0], names[0]); err != nil {
						t.Fatal(err)
					}
				},
				Config:             e.Config(mesh, 3, "  psk_epoch = 2"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: e.Config(mesh, 3, "  psk_epoch = 2"),
				Check: func(*terraformState) error {
					if _, err := cloudenv.WaitUp(c, 8, 12, 30*time.Second); err != nil {
						return err
					}
					return cloudenv.NoDuplicates(c)
				},
			},
		},
	})
}
