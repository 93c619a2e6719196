package aws

import (
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// A transit gateway site's VPC routes every other site's prefixes to the
// TGW, in every route table, as DescribeRouteTables shows; a route removed
// behind crosslink's back is put back in place; deleting the mesh leaves
// no route toward the TGW.
func TestEmulatorTGWRoutes(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(1)
	d := newDriver(m, e.url, nil)
	desired := desiredAWS(t, m)
	if _, err := converge(ctx, t, d, m, desired, secrets{1}); err != nil {
		t.Fatal(err)
	}
	assertConverged(ctx, t, d, m, desired)
	raw := e.raw()
	tgwRoutes := func() (rtb string, dests []string) {
		out, err := raw.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{vpcTGW}}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range out.RouteTables {
			rtb = awssdk.ToString(rt.RouteTableId)
			for _, r := range rt.Routes {
				if r.TransitGatewayId != nil && r.State == types.RouteStateActive {
					dests = append(dests, awssdk.ToString(r.DestinationCidrBlock))
				}
			}
		}
		slices.Sort(dests)
		return rtb, dests
	}
	rtb, got := tgwRoutes()
	if want := []string{"10.1.0.0/16", "10.10.0.0/16"}; !slices.Equal(got, want) {
		t.Fatalf("TGW routes in the VPC %v, want %v", got, want)
	}
	if _, err := raw.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtb, DestinationCidrBlock: awssdk.String("10.10.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	rep, err := converge(ctx, t, d, m, desired, secrets{1})
	if err != nil {
		t.Fatal(err)
	}
	var work []string
	for _, dn := range rep.Done {
		if dn.Action.Op != plan.OpAdopt {
			work = append(work, dn.Action.ID)
		}
	}
	if want := []string{"create:aws/aws-tgw/vpc_route/10.10.0.0/16"}; !slices.Equal(work, want) {
		t.Errorf("repair did %v, want %v", work, want)
	}
	if _, got = tgwRoutes(); len(got) != 2 {
		t.Fatalf("after the repair: %v", got)
	}
	// The TGW's own route table, as SearchTransitGatewayRoutes reads it:
	// the attached VPC's CIDR, propagated from the VPC attachment (the
	// host peer has no tunnel half here, so no VPN routes).
	var tgwID string
	for _, o := range assertConverged(ctx, t, d, m, desired) {
		if o.Kind == "aws_transit_gateway" {
			tgwID = o.ID
		}
	}
	search, err := raw.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{
		TransitGatewayRouteTableId: awssdk.String("tgw-rtb-" + strings.TrimPrefix(tgwID, "tgw-")),
		Filters:                    []types.Filter{{Name: awssdk.String("type"), Values: []string{"propagated"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(search.Routes) != 1 || awssdk.ToString(search.Routes[0].DestinationCidrBlock) != "10.2.0.0/16" ||
		len(search.Routes[0].TransitGatewayAttachments) != 1 || search.Routes[0].TransitGatewayAttachments[0].ResourceType != types.TransitGatewayAttachmentResourceTypeVpc {
		t.Errorf("TGW routes %+v", search.Routes)
	}
	convergeRetrying(ctx, t, d, m, nil, secrets{1})
	if _, got = tgwRoutes(); len(got) != 0 {
		t.Fatalf("routes toward the TGW left after delete: %v", got)
	}
}
