package gcp

import (
	"context"
	"slices"
	"strings"
	"testing"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/option"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

func (e *env) sdkOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(e.url), option.WithoutAuthentication()}
}

// TestDriftDeletedTunnel: a tunnel deleted behind crosslink's back is no
// longer reported, while its BGP peer (with the interface) still is;
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
	peer := plan.Key("gcp", "gcp-a", "router_bgp_peer", "gcp-a~host-c#1")
	var sawPeer bool
	for _, o := range after {
		if o.Key == victim {
			t.Fatalf("the deleted tunnel is still reported: %v", o)
		}
		if o.Key == peer {
			sawPeer = true
			if o.Attrs["vpn_tunnel"] != tunnelID || !strings.HasSuffix(o.ID, "/bgpPeers/bgp-host-c-1") {
				t.Errorf("BGP peer reported as %v (ID %s)", o.Attrs, o.ID)
			}
		}
	}
	if !sawPeer || len(after) != len(obs)-1 {
		t.Fatalf("after the drift: %s, want one object fewer than %s", countKinds(after), countKinds(obs))
	}
	// The plan recreates the tunnel (same name, same ID) and puts the BGP
	// peer that refers to it again, in place.
	rep := e.converge(t, desired)
	e.inSync(t, desired)
	var work []string
	for _, d := range rep.Done {
		if d.Action.Op != plan.OpAdopt {
			work = append(work, d.Action.ID)
		}
	}
	slices.Sort(work)
	want := []string{"create:" + victim, "update:" + peer}
	slices.Sort(want)
	if !slices.Equal(work, want) {
		t.Fatalf("repair did %v, want %v", work, want)
	}
}

// TestDriftHalfASession: a BGP peer removed from the router by hand, its
// interface left, is reported without the peer's attributes; the next
// apply puts the peer back with an update, and nothing else.
func TestDriftHalfASession(t *testing.T) {
	ctx := context.Background()
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{}, Config{})
	e.converge(t, desired)
	obs := e.inSync(t, desired)

	key := plan.Key("gcp", "gcp-a", "router_bgp_peer", "gcp-a~host-c#0")
	var routerID string
	for _, o := range obs {
		if o.Key == key {
			routerID = o.Attrs["router"]
		}
	}
	r, err := parseID(routerID, colRouters)
	if err != nil {
		t.Fatalf("%s is on router %q: %v", key, routerID, err)
	}
	c, err := compute.NewRoutersRESTClient(ctx, e.sdkOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	doc, err := c.Get(ctx, &computepb.GetRouterRequest{Project: r.project, Region: r.region, Router: r.name})
	if err != nil {
		t.Fatal(err)
	}
	doc.BgpPeers = slices.DeleteFunc(doc.BgpPeers, func(p *computepb.RouterBgpPeer) bool { return p.GetName() == "bgp-host-c-0" })
	op, err := c.Patch(ctx, &computepb.PatchRouterRequest{Project: r.project, Region: r.region, Router: r.name, RouterResource: doc})
	if err == nil {
		err = op.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("removing the peer through the SDK: %v", err)
	}

	var half plan.Object
	for _, o := range e.observe(t) {
		if o.Key == key {
			half = o
		}
	}
	if half.Attrs["ip_range"] == "" || half.Attrs["ip_address"] != "" || half.Attrs["peer_asn"] != "" {
		t.Fatalf("the half session is reported as %v", half.Attrs)
	}
	rep := e.converge(t, desired)
	e.inSync(t, desired)
	var work []string
	for _, d := range rep.Done {
		if d.Action.Op != plan.OpAdopt {
			work = append(work, d.Action.ID)
		}
	}
	if !slices.Equal(work, []string{"update:" + key}) {
		t.Fatalf("repair did %v, want the peer's update alone", work)
	}
}

// TestAdvertisement: a router announces exactly its site's cidrs (CUSTOM
// mode, no subnet group), as routers.get shows; switched back to DEFAULT
// (the network's subnets) behind crosslink's back, the next apply restores
// it with one router update.
func TestAdvertisement(t *testing.T) {
	ctx := context.Background()
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{}, Config{})
	e.converge(t, desired)
	obs := e.inSync(t, desired)
	key := plan.Key("gcp", "gcp-a", "router", "main")
	var routerID string
	for _, o := range obs {
		if o.Key == key {
			routerID = o.ID
		}
	}
	r, err := parseID(routerID, colRouters)
	if err != nil {
		t.Fatalf("router ID %q: %v", routerID, err)
	}
	c, err := compute.NewRoutersRESTClient(ctx, e.sdkOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	get := func() *computepb.Router {
		doc, err := c.Get(ctx, &computepb.GetRouterRequest{Project: r.project, Region: r.region, Router: r.name})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	ranges := func(doc *computepb.Router) string {
		var rs []string
		for _, x := range doc.GetBgp().GetAdvertisedIpRanges() {
			rs = append(rs, x.GetRange())
		}
		return doc.GetBgp().GetAdvertiseMode() + " " + strings.Join(doc.GetBgp().GetAdvertisedGroups(), ",") + " " + strings.Join(rs, ",")
	}
	if got := ranges(get()); got != "CUSTOM  10.1.0.0/16" {
		t.Fatalf("router announces %q, want CUSTOM with the site's cidrs only", got)
	}

	doc := get()
	doc.Bgp.AdvertiseMode, doc.Bgp.AdvertisedIpRanges = proto.String("DEFAULT"), nil
	op, err := c.Update(ctx, &computepb.UpdateRouterRequest{Project: r.project, Region: r.region, Router: r.name, RouterResource: doc})
	if err == nil {
		err = op.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("switching the router to DEFAULT through the SDK: %v", err)
	}
	rep := e.converge(t, desired)
	e.inSync(t, desired)
	var work []string
	for _, d := range rep.Done {
		if d.Action.Op != plan.OpAdopt {
			work = append(work, d.Action.ID)
		}
	}
	if !slices.Equal(work, []string{"update:" + key}) {
		t.Fatalf("repair did %v, want the router's update alone", work)
	}
	if got := ranges(get()); got != "CUSTOM  10.1.0.0/16" {
		t.Fatalf("after the repair the router announces %q", got)
	}
}
