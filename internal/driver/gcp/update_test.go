package gcp

import (
	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// TestUpdateInPlace: a router's ASN and a peer's route priority and remote
// ASN change by update, not replacement, and Observe shows the new values.
func TestUpdateInPlace(t *testing.T) {
	m, desired := starMesh(3)
	e := newEnv(t, m, gce.Options{}, Config{})
	e.converge(t, desired)
	before := map[string]string{}
	for _, o := range e.inSync(t, desired) {
		before[o.Key] = o.ID
	}
	for i, o := range desired {
		switch o.Kind {
		case kindRouter:
			desired[i] = withAttr(o, "asn", "64513")
		case kindPeer:
			desired[i] = withAttr(withAttr(o, "advertised_route_priority", "250"), "peer_asn", "65001")
		}
	}
	rep := e.converge(t, desired)
	updates := 0
	for _, d := range rep.Done {
		switch d.Action.Op {
		case plan.OpUpdate:
			updates++
		case plan.OpAdopt:
		default:
			t.Errorf("%s: want only updates", d.Action.ID)
		}
	}
	if updates != 4 {
		t.Fatalf("%d updates, want 4 (the router and 3 peers)", updates)
	}
	for _, o := range e.inSync(t, desired) {
		if before[o.Key] != o.ID {
			t.Errorf("%s was replaced: %s → %s", o.Key, before[o.Key], o.ID)
		}
	}
	// What GCP cannot change in place is refused, not half-done.
	var gw plan.Object
	for _, o := range desired {
		if o.Kind == kindHAGateway {
			gw = o
		}
	}
	if _, err := e.d.Update(context.Background(), gw, gw, testSecrets{}); err == nil {
		t.Fatal("updating an HA gateway in place was accepted")
	}
}

// TestObserveScopeAndMesh: Observe reports only the scope's sites and only
// the scope's mesh, even when another mesh's names share its prefix.
func TestObserveScopeAndMesh(t *testing.T) {
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{}, Config{})
	e.converge(t, desired)

	other := testMesh()
	other.Name = "prod-2" // its routers are "prod-2-…", which "prod-.*" matches
	od := New(other, Config{Endpoint: e.url, Project: projA, PollInterval: e.d.cfg.PollInterval, RequestsPerSecond: 1000})
	defer od.Close()
	oe := &env{fe: e.fe, inj: e.inj, calls: e.calls, url: e.url, mesh: other, d: od}
	oe.converge(t, gcpObjects(t, other))

	e.inSync(t, desired)
	oe.inSync(t, gcpObjects(t, other))
	only, err := e.d.Observe(context.Background(), scopeOf(m.Name, "gcp-b"))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, o := range desired {
		if o.Site == "gcp-b" {
			want++
		}
	}
	for _, o := range only {
		if o.Site != "gcp-b" {
			t.Errorf("%s is outside the scope", o.Key)
		}
	}
	if len(only) != want {
		t.Fatalf("%d objects at gcp-b, want %d", len(only), want)
	}
}

func withAttr(o plan.Object, k, v string) plan.Object {
	attrs := map[string]string{}
	for a, x := range o.Attrs {
		attrs[a] = x
	}
	attrs[k] = v
	o.Attrs = attrs
	return o
}

// TestPSKRotationReplacesTunnels: GCP cannot change a tunnel's secret, so
// a new epoch replaces every tunnel (and what links to it) under the same
// names.
func TestPSKRotationReplacesTunnels(t *testing.T) {
	m := testMesh()
	e := newEnv(t, m, gce.Options{OpDelay: 5 * time.Millisecond}, Config{})
	e.converge(t, gcpObjects(t, m))
	m.PSKEpoch++
	desired := gcpObjects(t, m)
	rep := e.converge(t, desired)
	replaced := 0
	for _, d := range rep.Done {
		if d.Action.Op == plan.OpCreate && d.Action.Replace && d.Object.Kind == kindTunnel {
			replaced++
			if d.Object.Attrs["psk_epoch"] != strconv.FormatInt(m.PSKEpoch, 10) {
				t.Errorf("%s: epoch %s after rotation", d.Object.Key, d.Object.Attrs["psk_epoch"])
			}
		}
	}
	if replaced != 8 {
		t.Fatalf("%d tunnels replaced, want 8", replaced)
	}
	e.inSync(t, desired)
	// The gcp-a–gcp-b tunnels (both halves here) carry BGP again, as the
	// routers' status reports: the emulator does not let an interface's
	// link follow a deleted tunnel's namesake, so this holds only because
	// the driver re-pointed each interface at its re-created tunnel.
	ctx := context.Background()
	c, err := compute.NewRoutersRESTClient(ctx, e.sdkOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	up := 0
	for _, o := range e.observe(t) {
		if o.Kind != kindRouter {
			continue
		}
		r, err := parseID(o.ID, colRouters)
		if err != nil {
			t.Fatal(err)
		}
		st, err := c.GetRouterStatus(ctx, &computepb.GetRouterStatusRouterRequest{Project: r.project, Region: r.region, Router: r.name})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range st.GetResult().GetBgpPeerStatus() {
			if l := p.GetLinkedVpnTunnel(); strings.Contains(l, "gcp-a-gcp-b") || strings.Contains(l, "gcp-b-gcp-a") {
				if p.GetStatus() != "UP" {
					t.Errorf("router %s: BGP peer %s is %s after the rotation", r.name, p.GetName(), p.GetStatus())
				}
				up++
			}
		}
	}
	if up != 4 {
		t.Errorf("%d gcp-a–gcp-b BGP peers seen, want 4", up)
	}
}
