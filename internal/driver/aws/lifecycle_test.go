package aws

import (
	"fmt"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func TestEmulatorApplyObserveAdopt(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(1)
	desired := desiredAWS(t, m)
	d := newDriver(m, e.url, nil)
	if _, err := converge(ctx, t, d, m, desired, secrets{1}); err != nil {
		t.Fatal(err)
	}
	observed := assertConverged(ctx, t, d, m, desired)

	count := map[string]int{}
	ids := map[string]string{}
	for _, o := range observed {
		count[o.Kind]++
		ids[o.Key] = o.ID
	}
	for k := range kinds { // every kind the driver handles
		if count[k] == 0 {
			t.Errorf("no %s observed", k)
		}
	}
	// The host's customer gateway is one EC2 gateway with two owners.
	if a, b := ids["aws/aws-vgw/customer_gateway/host-0-0"], ids["aws/aws-tgw/customer_gateway/host-0-0"]; a == "" || a != b {
		t.Errorf("customer gateways %q and %q: want one shared gateway", a, b)
	}
	// Every VPN connection reports its tunnels' outside addresses, which
	// peers refer to.
	for _, o := range observed {
		if o.Kind == "aws_vpn_connection" && (o.Attrs["tunnel.0.outside_ip"] == "" || o.Attrs["tunnel.1.outside_ip"] == "") {
			t.Errorf("%s lacks outside addresses: %v", o.Key, o.Attrs)
		}
	}

	// A second Create of each key adopts what exists.
	byKey := map[string]plan.Object{}
	for _, o := range observed {
		byKey[o.Key] = o
	}
	for _, o := range desired {
		r, ok := plan.Resolve(o, func(k string) (plan.Object, bool) { x, ok := byKey[k]; return x, ok })
		if !ok {
			t.Fatalf("unresolved %s", o.Key)
		}
		got, err := d.Create(ctx, r, secrets{1})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != ids[o.Key] {
			t.Errorf("second create of %s gave %s, want the existing %s", o.Key, got.ID, ids[o.Key])
		}
	}
	assertConverged(ctx, t, d, m, desired)
	if n := liveVPNs(ctx, t, e); n != count["aws_vpn_connection"] {
		t.Errorf("%d VPN connections in EC2, want %d", n, count["aws_vpn_connection"])
	}
}

func TestEmulatorPSKRotationKeepsConnections(t *testing.T) {
	for mode, faults := range faultModes {
		t.Run(mode, func(t *testing.T) { testPSKRotation(t, faults) })
	}
}

func testPSKRotation(t *testing.T, faults store.Faults) {
	ctx := testCtx(t)
	e := newEmu(t, faults, nil)
	m := testMesh(2)
	d := newDriver(m, e.url, nil)
	convergeRetrying(ctx, t, d, m, desiredAWS(t, m), secrets{1})
	before := assertConverged(ctx, t, d, m, desiredAWS(t, m))

	m.PSKEpoch = 2
	desired := desiredAWS(t, m)
	rep := convergeRetrying(ctx, t, d, m, desired, secrets{2})
	for _, done := range rep.Done {
		if done.Action.Op != plan.OpUpdate || done.Action.Desired.Kind != "aws_vpn_connection" {
			t.Errorf("a PSK rotation did %s %s; want only VPN connection updates", done.Action.Op, done.Action.Key)
		}
	}
	after := assertConverged(ctx, t, d, m, desired)
	ids := map[string]string{}
	for _, o := range after {
		ids[o.Key] = o.ID
	}
	rotated := 0
	for _, o := range before {
		if o.Kind != "aws_vpn_connection" {
			continue
		}
		if ids[o.Key] != o.ID {
			t.Errorf("%s was replaced (%s → %s)", o.Key, o.ID, ids[o.Key])
		}
		held := pskByCIDR(ctx, t, e, o.ID)
		for slot := range 2 {
			pre := fmt.Sprintf("tunnel.%d.", slot)
			want, _ := secrets{2}.PSK(o.Attrs[pre+"key"])
			old, _ := secrets{1}.PSK(o.Attrs[pre+"key"])
			if got := held[o.Attrs[pre+"inside_cidr"]]; got != want || got == old {
				t.Errorf("%s tunnel %d holds the wrong key after rotation", o.Key, slot)
			}
			rotated++
		}
	}
	if rotated == 0 {
		t.Fatal("no tunnel checked")
	}
}

func TestEmulatorDeleteAll(t *testing.T) {
	for mode, faults := range faultModes {
		t.Run(mode, func(t *testing.T) { testDeleteAll(t, faults) })
	}
}

func testDeleteAll(t *testing.T, faults store.Faults) {
	ctx := testCtx(t)
	e := newEmu(t, faults, nil)
	m := testMesh(2)
	d := newDriver(m, e.url, nil)
	convergeRetrying(ctx, t, d, m, desiredAWS(t, m), secrets{1})
	// Nothing desired: the plan deletes everything, dependents first (EC2
	// refuses to delete an attached VGW or a TGW with attachments).
	convergeRetrying(ctx, t, d, m, nil, secrets{1})
	if left := assertConverged(ctx, t, d, m, nil); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	raw := e.raw()
	cgws, err := raw.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range cgws.CustomerGateways {
		if liveCGW(g) {
			t.Errorf("customer gateway %s survived its owners", awssdk.ToString(g.CustomerGatewayId))
		}
	}
	if n := liveVPNs(ctx, t, e); n != 0 {
		t.Errorf("%d VPN connections left", n)
	}
}

// Moving a site from a VGW to a TGW updates its VPN connections in place
// (ModifyVpnConnection) and deletes the VGW side only once nothing uses it.
func TestEmulatorMoveFromVGWToTGW(t *testing.T) {
	for mode, faults := range faultModes {
		t.Run(mode, func(t *testing.T) { testMoveFromVGWToTGW(t, faults) })
	}
}

func testMoveFromVGWToTGW(t *testing.T, faults store.Faults) {
	ctx := testCtx(t)
	e := newEmu(t, faults, nil)
	m := testMesh(1)
	d := newDriver(m, e.url, nil)
	convergeRetrying(ctx, t, d, m, desiredAWS(t, m), secrets{1})
	before := assertConverged(ctx, t, d, m, desiredAWS(t, m))
	m.Sites[0].Gateway = topology.GatewayTGW
	desired := desiredAWS(t, m)
	convergeRetrying(ctx, t, d, m, desired, secrets{1})
	after := assertConverged(ctx, t, d, m, desired)
	id := func(objs []plan.Object, key string) string {
		for _, o := range objs {
			if o.Key == key {
				return o.ID
			}
		}
		return ""
	}
	key := "aws/aws-vgw/vpn_connection/host-0-0"
	if a, b := id(before, key), id(after, key); a == "" || a != b {
		t.Errorf("%s: %q before, %q after; want the same connection moved", key, a, b)
	}
	if id(after, "aws/aws-vgw/vpn_gateway/main") != "" {
		t.Error("the VGW is still there")
	}
}

// A 4-byte peer ASN travels in BgpAsnExtended and reads back unchanged.
func TestEmulatorFourByteASN(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(1)
	m.Sites[2].ASN = 4200000001
	desired := desiredAWS(t, m)
	d := newDriver(m, e.url, nil)
	convergeRetrying(ctx, t, d, m, desired, secrets{1})
	n := 0
	for _, o := range assertConverged(ctx, t, d, m, desired) {
		if o.Kind == "aws_customer_gateway" {
			n++
			if o.Attrs["bgp_asn"] != "4200000001" {
				t.Errorf("%s: bgp_asn %s", o.Key, o.Attrs["bgp_asn"])
			}
		}
	}
	if n == 0 {
		t.Fatal("no customer gateway")
	}
}

// EC2 returns the existing gateway for the same address and ASN; one that
// another mesh owns is not taken over but named in the error.
func TestEmulatorCustomerGatewayOfAnotherMesh(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(1)
	convergeRetrying(ctx, t, newDriver(m, e.url, nil), m, desiredAWS(t, m), secrets{1})

	other := testMesh(1)
	other.Name = "other"
	var cgw plan.Object
	for _, o := range desiredAWS(t, other) {
		if o.Kind == "aws_customer_gateway" {
			cgw = o
		}
	}
	_, err := newDriver(other, e.url, nil).Create(ctx, cgw, nil)
	if err == nil || !strings.Contains(err.Error(), `mesh "acc" owns`) || !strings.HasPrefix(err.Error(), "creating EC2 Customer Gateway ("+cgw.Key+")") {
		t.Fatalf("error %v", err)
	}
	// The first mesh still sees its gateways.
	assertConverged(ctx, t, newDriver(m, e.url, nil), m, desiredAWS(t, m))
}
