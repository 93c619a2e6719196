package gcp

import (
	"context"
	"slices"
	"strings"
	"testing"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/option"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

func (e *env) sdkOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(e.url), option.WithoutAuthentication()}
}

// TestDriftDeletedTunnel: a tunnel deleted behind crosslink's back is no
// longer reported, while its router interface still is, under its key;
// the next apply recreates the tunnel.
func TestDriftDeletedTunnel(t *testing.T) {
	ctx := context.Background()
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{}, Config{})
	e.converge(t, desired)
	obs := e.inSync(t, desired)

	victim := plan.Key("gcp", "gcp-a", "vpn_tunnel", "gcp-a~host-c#1")
	var tunnelID string
	for _, o := range obs {
		if o.Key == victim {
			tunnelID = o.ID
		}
	}
	r, err := parseID(tunnelID, colTunnels)
	if err != nil {
		t.Fatalf("%s has ID %q: %v", victim, tunnelID, err)
	}
	c, err := compute.NewVpnTunnelsRESTClient(ctx, e.sdkOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	op, err := c.Delete(ctx, &computepb.DeleteVpnTunnelRequest{Project: r.project, Region: r.region, VpnTunnel: r.name})
	if err == nil {
		err = op.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("deleting the tunnel through the SDK: %v", err)
	}

	after := e.observe(t)
	iface := plan.Key("gcp", "gcp-a", "router_interface", "gcp-a~host-c#1")
	var sawIface bool
	for _, o := range after {
		if o.Key == victim {
			t.Fatalf("the deleted tunnel is still reported: %v", o)
		}
		if o.Key == iface {
			sawIface = true
			if o.Attrs["vpn_tunnel"] != tunnelID || !strings.HasSuffix(o.ID, "/interfaces/if-host-c-1") {
				t.Errorf("interface reported as %v (ID %s)", o.Attrs, o.ID)
			}
		}
	}
	if !sawIface || len(after) != len(obs)-1 {
		t.Fatalf("after the drift: %s, want one object fewer than %s", countKinds(after), countKinds(obs))
	}
	// The plan recreates the tunnel, and with it what refers to it.
	rep := e.converge(t, desired)
	e.inSync(t, desired)
	var work []string
	for _, d := range rep.Done {
		if d.Action.Op != plan.OpAdopt {
			work = append(work, d.Action.ID)
		}
	}
	slices.Sort(work)
	want := []string{
		"create:" + iface, "create:" + plan.Key("gcp", "gcp-a", "router_bgp_peer", "gcp-a~host-c#1"), "create:" + victim,
		"delete:" + iface, "delete:" + plan.Key("gcp", "gcp-a", "router_bgp_peer", "gcp-a~host-c#1"),
	}
	slices.Sort(want)
	if !slices.Equal(work, want) {
		t.Fatalf("repair did %v, want %v", work, want)
	}
}
