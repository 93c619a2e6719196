package ec2

import (
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
