package ec2

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Routes toward a transit gateway, through the SDK: they need the TGW
// attached to the table's VPC, one per destination (the VPC's own CIDR
// included), show in DescribeRouteTables, go blackhole when the attachment
// goes, and DeleteRoute of a missing one is InvalidRoute.NotFound.
func TestStaticRoutes(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16", Subnet{ID: "subnet-0000000000000000a", AZ: "us-east-1a", CIDR: "10.1.0.0/24"})
	tgw := e.tgw(64600)
	other := e.tgw(64601)
	e.clock.Advance(delay)
	tables := func() []types.RouteTable {
		return must[*sdk.DescribeRouteTablesOutput](t)(e.c.DescribeRouteTables(ctx(), &sdk.DescribeRouteTablesInput{
			Filters: []types.Filter{filter("vpc-id", vpc)}})).RouteTables
	}
	rtb := aws.ToString(tables()[0].RouteTableId)
	create := func(dest, gw string) error {
		_, err := e.c.CreateRoute(ctx(), &sdk.CreateRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String(dest), TransitGatewayId: aws.String(gw)})
		return err
	}
	wantCode(t, create("10.9.0.0/16", tgw), "InvalidTransitGatewayID.NotFound") // not attached yet
	wantCode(t, create("10.9.0.0/16", "tgw-0000000000000000f"), "InvalidTransitGatewayID.NotFound")
	att := must[*sdk.CreateTransitGatewayVpcAttachmentOutput](t)(e.c.CreateTransitGatewayVpcAttachment(ctx(), &sdk.CreateTransitGatewayVpcAttachmentInput{
		TransitGatewayId: &tgw, VpcId: &vpc, SubnetIds: []string{"subnet-0000000000000000a"}})).TransitGatewayVpcAttachment
	e.clock.Advance(delay)
	wantCode(t, create("10.9.1.0/16", tgw), "InvalidParameterValue")
	wantCode(t, create("10.1.0.0/16", tgw), "RouteAlreadyExists") // the local route
	if err := create("10.9.0.0/16", tgw); err != nil {
		t.Fatal(err)
	}
	if err := create("10.9.0.0/16", tgw); err != nil {
		t.Fatalf("the same route again: %v", err)
	}
	wantCode(t, create("10.9.0.0/16", other), "RouteAlreadyExists")
	routes := func() map[string]string {
		out := map[string]string{}
		for _, r := range tables()[0].Routes {
			target := aws.ToString(r.GatewayId) + aws.ToString(r.TransitGatewayId)
			out[aws.ToString(r.DestinationCidrBlock)] = target + " " + string(r.State)
		}
		return out
	}
	if got := routes(); len(got) != 2 || got["10.1.0.0/16"] != "local active" || got["10.9.0.0/16"] != tgw+" active" {
		t.Fatalf("routes %v", got)
	}
	must[*sdk.DeleteTransitGatewayVpcAttachmentOutput](t)(e.c.DeleteTransitGatewayVpcAttachment(ctx(), &sdk.DeleteTransitGatewayVpcAttachmentInput{
		TransitGatewayAttachmentId: att.TransitGatewayAttachmentId}))
	if got := routes()["10.9.0.0/16"]; got != tgw+" blackhole" {
		t.Fatalf("after detaching: %q", got)
	}
	must[*sdk.DeleteRouteOutput](t)(e.c.DeleteRoute(ctx(), &sdk.DeleteRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("10.9.0.0/16")}))
	_, err := e.c.DeleteRoute(ctx(), &sdk.DeleteRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("10.9.0.0/16")})
	wantCode(t, err, "InvalidRoute.NotFound")
	if got := routes(); len(got) != 1 {
		t.Fatalf("after delete: %v", got)
	}
}

// The account's quotas, through the SDK: an eleventh VPN connection on one
// VGW is VpnConnectionLimitExceeded by default, and fine with the quota
// raised; a sixth VGW in a region is VpnGatewayLimitExceeded.
func TestQuotas(t *testing.T) {
	for _, raised := range []bool{false, true} {
		o := Options{}
		if raised {
			o.Quotas = Quotas{VPNConnectionsPerVGW: 11}
		}
		e := newEnv(t, o)
		vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
		vgw := e.vgw(64512, vpc)
		var err error
		for i := range 11 {
			cgw := e.cgw(fmt.Sprintf("203.0.113.%d", i+1), 65001)
			if _, err = e.vpn(cgw, vgw, false); err != nil && i < 10 {
				t.Fatalf("connection %d: %v", i+1, err)
			}
		}
		if raised && err != nil {
			t.Fatalf("raised quota: %v", err)
		}
		if !raised {
			wantCode(t, err, "VpnConnectionLimitExceeded")
		}
	}
	e := newEnv(t, Options{})
	for i := range 5 {
		e.vgw(64512, e.seed(fmt.Sprintf("vpc-000000000000000%02d", i), fmt.Sprintf("10.%d.0.0/16", i)))
	}
	_, err := e.c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1})
	wantCode(t, err, "VpnGatewayLimitExceeded")
}

// SearchTransitGatewayRoutes: an unknown table is
// InvalidRouteTableID.NotFound; an attached VPC's CIDR is a propagated
// route of the TGW's table.
func TestSearchTransitGatewayRoutes(t *testing.T) {
	e := newEnv(t, Options{})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16", Subnet{ID: "subnet-0000000000000000a", AZ: "us-east-1a", CIDR: "10.1.0.0/24"})
	tgw := e.tgw(64600)
	must[*sdk.CreateTransitGatewayVpcAttachmentOutput](t)(e.c.CreateTransitGatewayVpcAttachment(ctx(), &sdk.CreateTransitGatewayVpcAttachmentInput{
		TransitGatewayId: &tgw, VpcId: &vpc, SubnetIds: []string{"subnet-0000000000000000a"}}))
	rtb := aws.String("tgw-rtb-" + tgw[len("tgw-"):])
	typ := []types.Filter{filter("type", "propagated")}
	// (The SDK itself refuses a search without filters, as the API does.)
	_, err := e.c.SearchTransitGatewayRoutes(ctx(), &sdk.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: aws.String("tgw-rtb-0000000000000000f"), Filters: typ})
	wantCode(t, err, "InvalidRouteTableID.NotFound")
	out := must[*sdk.SearchTransitGatewayRoutesOutput](t)(e.c.SearchTransitGatewayRoutes(ctx(), &sdk.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: rtb, Filters: typ}))
	if len(out.Routes) != 1 || aws.ToString(out.Routes[0].DestinationCidrBlock) != "10.1.0.0/16" || out.Routes[0].Type != types.TransitGatewayRouteTypePropagated {
		t.Fatalf("routes %+v", out.Routes)
	}
}
