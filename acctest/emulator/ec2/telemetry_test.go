package ec2

import (
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// peer is a fake other cloud: a fabric.Source whose halves a test sets.
type peer struct {
	mu   sync.Mutex
	ends []fabric.End
}

func (p *peer) source(store.View) []fabric.End {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]fabric.End(nil), p.ends...)
}

func (p *peer) set(ends ...fabric.End) {
	p.mu.Lock()
	p.ends = ends
	p.mu.Unlock()
}

// matching returns the peer halves that agree with every tunnel of v.
func matching(v *types.VpnConnection, cgwIP string, cgwASN, awsASN uint32, routes ...string) []fabric.End {
	var out []fabric.End
	for i, o := range v.Options.TunnelOptions {
		in := netip.MustParsePrefix(aws.ToString(o.TunnelInsideCidr))
		e := fabric.End{ID: "peer#" + string(rune('0'+i)), Up: true,
			LocalIP: netip.MustParseAddr(cgwIP), RemoteIP: netip.MustParseAddr(aws.ToString(o.OutsideIpAddress)),
			PSK: aws.ToString(o.PreSharedKey), Inside: in,
			LocalInside: in.Addr().Next().Next(), RemoteInside: in.Addr().Next(),
			LocalASN: cgwASN, RemoteASN: awsASN}
		for _, r := range routes {
			e.Routes = append(e.Routes, netip.MustParsePrefix(r))
		}
		out = append(out, e)
	}
	return out
}

func telemetryOf(t *testing.T, e *env, id string) []types.VgwTelemetry {
	t.Helper()
	tel := e.describeVPN(id).VgwTelemetry
	if len(tel) != 2 {
		t.Fatalf("%d telemetry items", len(tel))
	}
	return tel
}

func TestTelemetryFromFabric(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	p := &peer{}
	e.fab.Register(p.source)
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	g := e.vgw(64512, vpc)
	cgw := e.cgw("203.0.113.10", 65001)
	v, err := e.vpn(cgw, g, false, tunnels("169.254.10.0/30", "shared.key_1", "169.254.11.0/30", "shared.key_2")...)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(v.VpnConnectionId)
	good := matching(v, "203.0.113.10", 65001, 64512, "10.2.0.0/16", "10.3.0.0/16")
	p.set(good...)
	for _, tel := range telemetryOf(t, e, id) {
		if tel.Status != types.TelemetryStatusDown || !strings.Contains(aws.ToString(tel.StatusMessage), "not ready") {
			t.Fatalf("pending connection: %s %q", tel.Status, aws.ToString(tel.StatusMessage))
		}
	}
	e.clock.Advance(delay)
	upAt := e.clock.Now()
	for i, tel := range telemetryOf(t, e, id) {
		if tel.Status != types.TelemetryStatusUp || aws.ToString(tel.StatusMessage) != "2 BGP ROUTES" || aws.ToInt32(tel.AcceptedRouteCount) != 2 ||
			aws.ToString(tel.OutsideIpAddress) != aws.ToString(v.Options.TunnelOptions[i].OutsideIpAddress) || !tel.LastStatusChange.Equal(upAt) {
			t.Fatalf("tunnel %d: %s %q routes %d at %v", i, tel.Status, aws.ToString(tel.StatusMessage), aws.ToInt32(tel.AcceptedRouteCount), tel.LastStatusChange)
		}
	}
	// The peer receives the VPC the VGW is attached to.
	if got := e.fab.Snapshot(e.st)["peer#0"]; !got.BGP || len(got.Received) != 1 || got.Received[0].String() != "10.1.0.0/16" {
		t.Fatalf("peer sees %+v", got)
	}

	cases := []struct {
		name   string
		mutate func(e *fabric.End)
		reason string
	}{
		{"psk", func(e *fabric.End) { e.PSK = "other.key_9" }, "pre-shared keys differ"},
		{"inside", func(e *fabric.End) {
			e.Inside = netip.MustParsePrefix("169.254.20.0/30")
			e.LocalInside, e.RemoteInside = netip.MustParseAddr("169.254.20.2"), netip.MustParseAddr("169.254.20.1")
		}, "inside networks differ"},
		{"asn", func(e *fabric.End) { e.LocalASN = 65002 }, "BGP OPEN refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.clock.Advance(time.Hour)
			bad := append([]fabric.End(nil), good...)
			c.mutate(&bad[0])
			p.set(bad...)
			tel := telemetryOf(t, e, id)
			if tel[0].Status != types.TelemetryStatusDown || !strings.Contains(aws.ToString(tel[0].StatusMessage), c.reason) ||
				aws.ToInt32(tel[0].AcceptedRouteCount) != 0 || !tel[0].LastStatusChange.Equal(e.clock.Now()) {
				t.Fatalf("tunnel 0: %s %q at %v", tel[0].Status, aws.ToString(tel[0].StatusMessage), tel[0].LastStatusChange)
			}
			if tel[1].Status != types.TelemetryStatusUp || !tel[1].LastStatusChange.Equal(upAt) {
				t.Fatalf("tunnel 1 (unchanged peer): %s %q at %v", tel[1].Status, aws.ToString(tel[1].StatusMessage), tel[1].LastStatusChange)
			}
			p.set(good...)
			telemetryOf(t, e, id) // back up, so the next case flips again
		})
	}

	// A VGW on its way out of the VPC announces nothing any more.
	must[*sdk.DetachVpnGatewayOutput](t)(e.c.DetachVpnGateway(ctx(), &sdk.DetachVpnGatewayInput{VpnGatewayId: &g, VpcId: &vpc}))
	if got := e.fab.Snapshot(e.st)["peer#0"]; !got.BGP || len(got.Received) != 0 {
		t.Fatalf("peer sees %+v while the VGW detaches", got)
	}

	// Once deleting, the connection's tunnels leave the fabric.
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: &id}))
	if got := e.fab.Snapshot(e.st)["peer#0"]; got.IKE {
		t.Fatalf("peer still up with a deleting connection: %+v", got)
	}
}

// A static connection is UP on IKE alone and carries no BGP fields.
func TestTelemetryStatic(t *testing.T) {
	e := newEnv(t, Options{})
	p := &peer{}
	e.fab.Register(p.source)
	g := e.vgw(64512, "")
	cgw := e.cgw("203.0.113.20", 65001)
	v, err := e.vpn(cgw, g, true)
	if err != nil {
		t.Fatal(err)
	}
	ends := matching(v, "203.0.113.20", 0, 0)
	for i := range ends {
		ends[i].LocalInside, ends[i].RemoteInside = netip.Addr{}, netip.Addr{}
	}
	p.set(ends...)
	for _, tel := range telemetryOf(t, e, aws.ToString(v.VpnConnectionId)) {
		if tel.Status != types.TelemetryStatusUp || aws.ToInt32(tel.AcceptedRouteCount) != 0 {
			t.Fatalf("static tunnel: %s %q", tel.Status, aws.ToString(tel.StatusMessage))
		}
	}
	p.set(ends[1])
	if tel := telemetryOf(t, e, aws.ToString(v.VpnConnectionId)); tel[0].Status != types.TelemetryStatusDown || tel[1].Status != types.TelemetryStatusUp {
		t.Fatalf("with one peer half gone: %s %s", tel[0].Status, tel[1].Status)
	}
}

// On a TGW, the routes are the CIDRs of its attached VPCs.
func TestTransitGatewayRoutes(t *testing.T) {
	e := newEnv(t, Options{})
	p := &peer{}
	e.fab.Register(p.source)
	e.seed("vpc-0000000000000000a", "10.1.0.0/16", Subnet{ID: "subnet-0000000000000000a", CIDR: "10.1.0.0/24"})
	e.seed("vpc-0000000000000000b", "10.2.0.0/16", Subnet{ID: "subnet-0000000000000000b", CIDR: "10.2.0.0/24"})
	e.seed("vpc-0000000000000000c", "10.3.0.0/16")
	tgw := e.tgw(64700)
	for _, x := range []string{"a", "b"} {
		must[*sdk.CreateTransitGatewayVpcAttachmentOutput](t)(e.c.CreateTransitGatewayVpcAttachment(ctx(), &sdk.CreateTransitGatewayVpcAttachmentInput{
			TransitGatewayId: &tgw, VpcId: aws.String("vpc-0000000000000000" + x), SubnetIds: []string{"subnet-0000000000000000" + x}}))
	}
	cgw := e.cgw("203.0.113.30", 65010)
	v, err := e.vpn(cgw, tgw, false)
	if err != nil {
		t.Fatal(err)
	}
	p.set(matching(v, "203.0.113.30", 65010, 64700)...)
	got := e.fab.Snapshot(e.st)["peer#1"]
	if !got.BGP || len(got.Received) != 2 || got.Received[0].String() != "10.1.0.0/16" || got.Received[1].String() != "10.2.0.0/16" {
		t.Fatalf("peer sees %+v", got)
	}
}
