package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestAmazonSideASN(t *testing.T) {
	e := newEnv(t, Options{Quotas: Quotas{VGWsPerRegion: 50, TransitGatewaysPerRegion: 50}}) // many gateways: raised quotas
	cases := []struct {
		asn  *int64
		want int64 // 0: refused
	}{
		{nil, 64512}, {aws.Int64(64511), 0}, {aws.Int64(64512), 64512}, {aws.Int64(65534), 65534},
		{aws.Int64(65535), 0}, {aws.Int64(64999), 64999}, {aws.Int64(4199999999), 0},
		{aws.Int64(4200000000), 4200000000}, {aws.Int64(4294967294), 4294967294}, {aws.Int64(4294967295), 0},
		{aws.Int64(7224), 0},
	}
	for _, c := range cases {
		vgw, err := e.c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1, AmazonSideAsn: c.asn})
		tgw, terr := e.c.CreateTransitGateway(ctx(), &sdk.CreateTransitGatewayInput{Options: &types.TransitGatewayRequestOptions{AmazonSideAsn: c.asn}})
		if c.want == 0 {
			wantCode(t, err, "InvalidParameterValue")
			wantCode(t, terr, "InvalidParameterValue")
			continue
		}
		if err != nil || terr != nil {
			t.Fatalf("asn %v: %v / %v", aws.ToInt64(c.asn), err, terr)
		}
		if got := aws.ToInt64(vgw.VpnGateway.AmazonSideAsn); got != c.want {
			t.Errorf("VGW asn %d, want %d", got, c.want)
		}
		if got := aws.ToInt64(tgw.TransitGateway.Options.AmazonSideAsn); got != c.want {
			t.Errorf("TGW asn %d, want %d", got, c.want)
		}
	}
}

func vgwState(t *testing.T, e *env, id string) (state string, atts []types.VpcAttachment) {
	t.Helper()
	out := must[*sdk.DescribeVpnGatewaysOutput](t)(e.c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{VpnGatewayIds: []string{id}}))
	if len(out.VpnGateways) != 1 {
		t.Fatalf("%d gateways", len(out.VpnGateways))
	}
	return string(out.VpnGateways[0].State), out.VpnGateways[0].VpcAttachments
}

func TestVpnGatewayLifecycle(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	out := must[*sdk.CreateVpnGatewayOutput](t)(e.c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1,
		TagSpecifications: tagSpec(types.ResourceTypeVpnGateway, "Name", "gw")}))
	id := aws.ToString(out.VpnGateway.VpnGatewayId)
	if out.VpnGateway.State != types.VpnStatePending || tagsOf(out.VpnGateway.Tags)["Name"] != "gw" {
		t.Fatalf("created %+v", out.VpnGateway)
	}
	// Attaching needs an available gateway.
	_, err := e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &id, VpcId: &vpc})
	wantCode(t, err, "IncorrectState")
	e.clock.Advance(delay - 1)
	if s, _ := vgwState(t, e, id); s != "pending" {
		t.Fatalf("state %s before the delay", s)
	}
	e.clock.Advance(1)
	if s, _ := vgwState(t, e, id); s != "available" {
		t.Fatalf("state %s after the delay", s)
	}

	att := must[*sdk.AttachVpnGatewayOutput](t)(e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &id, VpcId: &vpc}))
	if att.VpcAttachment.State != types.AttachmentStatusAttaching || aws.ToString(att.VpcAttachment.VpcId) != vpc {
		t.Fatalf("attach: %+v", att.VpcAttachment)
	}
	// Attaching the same pair again is a no-op.
	if again := must[*sdk.AttachVpnGatewayOutput](t)(e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &id, VpcId: &vpc})); again.VpcAttachment.State != types.AttachmentStatusAttaching {
		t.Fatalf("re-attach: %+v", again.VpcAttachment)
	}
	_, err = e.c.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &id})
	wantCode(t, err, "IncorrectState")
	e.clock.Advance(delay)
	if _, atts := vgwState(t, e, id); len(atts) != 1 || atts[0].State != types.AttachmentStatusAttached {
		t.Fatalf("attachments %+v", atts)
	}
	_, err = e.c.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &id})
	wantCode(t, err, "IncorrectState")

	must[*sdk.DetachVpnGatewayOutput](t)(e.c.DetachVpnGateway(ctx(), &sdk.DetachVpnGatewayInput{VpnGatewayId: &id, VpcId: &vpc}))
	if _, atts := vgwState(t, e, id); len(atts) != 1 || atts[0].State != types.AttachmentStatusDetaching {
		t.Fatalf("attachments %+v", atts)
	}
	_, err = e.c.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &id})
	wantCode(t, err, "IncorrectState") // still detaching
	e.clock.Advance(delay)
	if _, atts := vgwState(t, e, id); len(atts) != 0 {
		t.Fatalf("detached attachment still listed: %+v", atts)
	}
	_, err = e.c.DetachVpnGateway(ctx(), &sdk.DetachVpnGatewayInput{VpnGatewayId: &id, VpcId: &vpc})
	wantCode(t, err, "InvalidVpnGatewayAttachment.NotFound")

	must[*sdk.DeleteVpnGatewayOutput](t)(e.c.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &id}))
	if s, _ := vgwState(t, e, id); s != "deleting" {
		t.Fatalf("state %s after delete", s)
	}
	e.clock.Advance(delay)
	if s, _ := vgwState(t, e, id); s != "deleted" {
		t.Fatalf("state %s after deleting", s)
	}
	e.clock.Advance(keepDeleted)
	_, err = e.c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{VpnGatewayIds: []string{id}})
	wantCode(t, err, "InvalidVpnGatewayID.NotFound")
}

func TestAttachRules(t *testing.T) {
	e := newEnv(t, Options{})
	vpcA := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	vpcB := e.seed("vpc-0000000000000000b", "10.2.0.0/16")
	g1 := e.vgw(64512, vpcA)
	g2 := e.vgw(64513, "")
	attach := func(g, vpc string) error {
		_, err := e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &g, VpcId: &vpc})
		return err
	}
	wantCode(t, attach(g2, "vpc-0000000000000000f"), "InvalidVpcID.NotFound")
	wantCode(t, attach("vgw-0000000000000000f", vpcB), "InvalidVpnGatewayID.NotFound")
	wantCode(t, attach(g1, vpcB), "VpnGatewayAttachmentLimitExceeded")
	wantCode(t, attach(g2, vpcA), "InvalidVpcState")
	wantCode(t, attach(g2, vpcB), "")
	_, err := e.c.DetachVpnGateway(ctx(), &sdk.DetachVpnGatewayInput{VpnGatewayId: &g1, VpcId: &vpcB})
	wantCode(t, err, "InvalidVpnGatewayAttachment.NotFound")
	// Filters over attachments.
	out := must[*sdk.DescribeVpnGatewaysOutput](t)(e.c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{
		Filters: []types.Filter{filter("attachment.vpc-id", vpcB), filter("attachment.state", "attached")}}))
	if len(out.VpnGateways) != 1 || aws.ToString(out.VpnGateways[0].VpnGatewayId) != g2 {
		t.Fatalf("filtered: %+v", out.VpnGateways)
	}
}

func TestDeleteVpnGatewayUsedByConnection(t *testing.T) {
	e := newEnv(t, Options{})
	g := e.vgw(64512, "")
	cgw := e.cgw("203.0.113.7", 65001)
	v, err := e.vpn(cgw, g, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &g})
	wantCode(t, err, "IncorrectState")
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: v.VpnConnectionId}))
	must[*sdk.DeleteVpnGatewayOutput](t)(e.c.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &g}))
}

func TestRoutePropagation(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	other := e.seed("vpc-0000000000000000b", "10.2.0.0/16")
	rt := func(vpc string) types.RouteTable {
		out := must[*sdk.DescribeRouteTablesOutput](t)(e.c.DescribeRouteTables(ctx(), &sdk.DescribeRouteTablesInput{
			Filters: []types.Filter{filter("vpc-id", vpc), filter("association.main", "true")}}))
		if len(out.RouteTables) != 1 {
			t.Fatalf("%d main route tables in %s", len(out.RouteTables), vpc)
		}
		return out.RouteTables[0]
	}
	table := aws.ToString(rt(vpc).RouteTableId)
	g := e.vgw(64512, "")
	enable := func(g, table string) error {
		_, err := e.c.EnableVgwRoutePropagation(ctx(), &sdk.EnableVgwRoutePropagationInput{GatewayId: &g, RouteTableId: &table})
		return err
	}
	wantCode(t, enable(g, table), "Gateway.NotAttached")
	wantCode(t, enable(g, "rtb-0000000000000000f"), "InvalidRouteTableID.NotFound")
	wantCode(t, enable("vgw-0000000000000000f", table), "InvalidVpnGatewayID.NotFound")
	must[*sdk.AttachVpnGatewayOutput](t)(e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &g, VpcId: &vpc}))
	wantCode(t, enable(g, table), "Gateway.NotAttached") // still attaching
	e.clock.Advance(delay)
	wantCode(t, enable(g, aws.ToString(rt(other).RouteTableId)), "Gateway.NotAttached")
	wantCode(t, enable(g, table), "")
	wantCode(t, enable(g, table), "") // idempotent
	got := rt(vpc)
	if len(got.PropagatingVgws) != 1 || aws.ToString(got.PropagatingVgws[0].GatewayId) != g {
		t.Fatalf("propagating %+v", got.PropagatingVgws)
	}
	if len(got.Routes) != 1 || aws.ToString(got.Routes[0].DestinationCidrBlock) != "10.1.0.0/16" {
		t.Fatalf("routes %+v", got.Routes)
	}
	must[*sdk.DisableVgwRoutePropagationOutput](t)(e.c.DisableVgwRoutePropagation(ctx(), &sdk.DisableVgwRoutePropagationInput{GatewayId: &g, RouteTableId: &table}))
	if got := rt(vpc); len(got.PropagatingVgws) != 0 {
		t.Fatalf("still propagating %+v", got.PropagatingVgws)
	}
}
