package ec2

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestTransitGatewayLifecycle(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16", Subnet{ID: "subnet-0000000000000000a", AZ: "us-east-1a", CIDR: "10.1.0.0/24"})
	tgw := e.tgw(64600, "Name", "hub")
	describe := func() types.TransitGateway {
		out := must[*sdk.DescribeTransitGatewaysOutput](t)(e.c.DescribeTransitGateways(ctx(), &sdk.DescribeTransitGatewaysInput{TransitGatewayIds: []string{tgw}}))
		if len(out.TransitGateways) != 1 {
			t.Fatalf("%d TGWs", len(out.TransitGateways))
		}
		return out.TransitGateways[0]
	}
	if g := describe(); g.State != types.TransitGatewayStatePending || aws.ToInt64(g.Options.AmazonSideAsn) != 64600 ||
		g.Options.VpnEcmpSupport != types.VpnEcmpSupportValueEnable || tagsOf(g.Tags)["Name"] != "hub" {
		t.Fatalf("created %+v %+v", g, g.Options)
	}
	attach := func() (*types.TransitGatewayVpcAttachment, error) {
		out, err := e.c.CreateTransitGatewayVpcAttachment(ctx(), &sdk.CreateTransitGatewayVpcAttachmentInput{
			TransitGatewayId: &tgw, VpcId: &vpc, SubnetIds: []string{"subnet-0000000000000000a"},
			TagSpecifications: tagSpec(types.ResourceTypeTransitGatewayAttachment, "crosslink-key", "att")})
		if err != nil {
			return nil, err
		}
		return out.TransitGatewayVpcAttachment, nil
	}
	_, err := attach()
	wantCode(t, err, "IncorrectState") // the TGW is pending
	e.clock.Advance(delay)
	if g := describe(); g.State != types.TransitGatewayStateAvailable {
		t.Fatalf("state %s", g.State)
	}
	att, err := attach()
	if err != nil {
		t.Fatal(err)
	}
	if att.State != types.TransitGatewayAttachmentStatePending || tagsOf(att.Tags)["crosslink-key"] != "att" || len(att.SubnetIds) != 1 {
		t.Fatalf("attachment %+v", att)
	}
	e.clock.Advance(delay)
	vas := must[*sdk.DescribeTransitGatewayVpcAttachmentsOutput](t)(e.c.DescribeTransitGatewayVpcAttachments(ctx(), &sdk.DescribeTransitGatewayVpcAttachmentsInput{
		Filters: []types.Filter{filter("transit-gateway-id", tgw), filter("tag:crosslink-key", "att")}})).TransitGatewayVpcAttachments
	if len(vas) != 1 || vas[0].State != types.TransitGatewayAttachmentStateAvailable || aws.ToString(vas[0].VpcId) != vpc {
		t.Fatalf("vpc attachments %+v", vas)
	}
	_, err = e.c.DeleteTransitGateway(ctx(), &sdk.DeleteTransitGatewayInput{TransitGatewayId: &tgw})
	wantCode(t, err, "IncorrectState")
	del := must[*sdk.DeleteTransitGatewayVpcAttachmentOutput](t)(e.c.DeleteTransitGatewayVpcAttachment(ctx(), &sdk.DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentId: att.TransitGatewayAttachmentId}))
	if del.TransitGatewayVpcAttachment.State != types.TransitGatewayAttachmentStateDeleting {
		t.Fatalf("deleted attachment %+v", del.TransitGatewayVpcAttachment)
	}
	_, err = e.c.DeleteTransitGateway(ctx(), &sdk.DeleteTransitGatewayInput{TransitGatewayId: &tgw})
	wantCode(t, err, "IncorrectState") // the attachment is still deleting
	e.clock.Advance(delay)
	out := must[*sdk.DeleteTransitGatewayOutput](t)(e.c.DeleteTransitGateway(ctx(), &sdk.DeleteTransitGatewayInput{TransitGatewayId: &tgw}))
	if out.TransitGateway.State != types.TransitGatewayStateDeleting {
		t.Fatalf("deleted TGW %+v", out.TransitGateway)
	}
}

func TestTransitGatewayVpcAttachmentRules(t *testing.T) {
	e := newEnv(t, Options{})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16",
		Subnet{ID: "subnet-000000000000000a1", AZ: "us-east-1a", CIDR: "10.1.1.0/24"},
		Subnet{ID: "subnet-000000000000000a2", AZ: "us-east-1a", CIDR: "10.1.2.0/24"},
		Subnet{ID: "subnet-000000000000000b1", AZ: "us-east-1b", CIDR: "10.1.3.0/24"})
	e.seed("vpc-0000000000000000b", "10.2.0.0/16", Subnet{ID: "subnet-000000000000000c1", AZ: "us-east-1c", CIDR: "10.2.1.0/24"})
	tgw := e.tgw(64512)
	cases := []struct {
		name    string
		tgw     string
		vpc     string
		subnets []string
		code    string
	}{
		{"unknown tgw", "tgw-0000000000000000f", vpc, []string{"subnet-000000000000000a1"}, "InvalidTransitGatewayID.NotFound"},
		{"unknown vpc", tgw, "vpc-0000000000000000f", []string{"subnet-000000000000000a1"}, "InvalidVpcID.NotFound"},
		{"no subnets", tgw, vpc, []string{}, "MissingParameter"},
		{"unknown subnet", tgw, vpc, []string{"subnet-000000000000000ff"}, "InvalidSubnetID.NotFound"},
		{"foreign subnet", tgw, vpc, []string{"subnet-000000000000000c1"}, "InvalidParameterValue"},
		{"two in one AZ", tgw, vpc, []string{"subnet-000000000000000a1", "subnet-000000000000000a2"}, "DuplicateSubnetsInSameZone"},
		{"ok", tgw, vpc, []string{"subnet-000000000000000a1", "subnet-000000000000000b1"}, ""},
		{"again", tgw, vpc, []string{"subnet-000000000000000a2"}, "DuplicateTransitGatewayAttachment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.c.CreateTransitGatewayVpcAttachment(ctx(), &sdk.CreateTransitGatewayVpcAttachmentInput{
				TransitGatewayId: aws.String(c.tgw), VpcId: aws.String(c.vpc), SubnetIds: c.subnets})
			wantCode(t, err, c.code)
		})
	}
}

// A VPN connection on a TGW gets the attachment AWS creates for it, which
// goes with the connection.
func TestVpnAttachmentOnTransitGateway(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	tgw := e.tgw(64512)
	e.clock.Advance(delay)
	cgw := e.cgw("203.0.113.1", 65001)
	v, err := e.vpn(cgw, tgw, false)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(v.VpnConnectionId)
	find := func() []types.TransitGatewayAttachment {
		return must[*sdk.DescribeTransitGatewayAttachmentsOutput](t)(e.c.DescribeTransitGatewayAttachments(ctx(), &sdk.DescribeTransitGatewayAttachmentsInput{
			Filters: []types.Filter{filter("resource-type", "vpn"), filter("resource-id", id)}})).TransitGatewayAttachments
	}
	atts := find()
	if len(atts) != 1 || aws.ToString(atts[0].TransitGatewayId) != tgw || atts[0].ResourceType != types.TransitGatewayAttachmentResourceTypeVpn {
		t.Fatalf("attachments %+v", atts)
	}
	e.clock.Advance(delay)
	if atts = find(); atts[0].State != types.TransitGatewayAttachmentStateAvailable || atts[0].Association == nil {
		t.Fatalf("attachment %+v", atts[0])
	}
	// Not a VPC attachment: the VPC-attachment calls do not see it.
	vas := must[*sdk.DescribeTransitGatewayVpcAttachmentsOutput](t)(e.c.DescribeTransitGatewayVpcAttachments(ctx(), &sdk.DescribeTransitGatewayVpcAttachmentsInput{}))
	if len(vas.TransitGatewayVpcAttachments) != 0 {
		t.Fatalf("vpc attachments %+v", vas.TransitGatewayVpcAttachments)
	}
	_, err = e.c.DeleteTransitGatewayVpcAttachment(ctx(), &sdk.DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentId: atts[0].TransitGatewayAttachmentId})
	wantCode(t, err, "InvalidTransitGatewayAttachmentID.NotFound")
	_, err = e.c.DeleteTransitGateway(ctx(), &sdk.DeleteTransitGatewayInput{TransitGatewayId: &tgw})
	wantCode(t, err, "IncorrectState")
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: &id}))
	e.clock.Advance(delay)
	if atts = find(); len(atts) != 1 || atts[0].State != types.TransitGatewayAttachmentStateDeleted {
		t.Fatalf("attachment after the connection's delete %+v", atts)
	}
	must[*sdk.DeleteTransitGatewayOutput](t)(e.c.DeleteTransitGateway(ctx(), &sdk.DeleteTransitGatewayInput{TransitGatewayId: &tgw}))
}

// The TGW describes page with MaxResults/NextToken; tokens are bound to
// their query.
func TestTransitGatewayPagination(t *testing.T) {
	e := newEnv(t, Options{Quotas: Quotas{TransitGatewaysPerRegion: 20}}) // 13 TGWs: a raised quota
	want := map[string]bool{}
	for i := range 12 {
		want[e.tgw(64512, "crosslink-mesh", "m", "n", fmt.Sprint(i))] = true
	}
	e.tgw(64512, "crosslink-mesh", "other")
	in := &sdk.DescribeTransitGatewaysInput{Filters: []types.Filter{filter("tag:crosslink-mesh", "m")}, MaxResults: aws.Int32(5)}
	p := sdk.NewDescribeTransitGatewaysPaginator(e.c, in)
	var sizes []int
	got := map[string]bool{}
	var firstToken *string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		if firstToken == nil {
			firstToken = out.NextToken
		}
		sizes = append(sizes, len(out.TransitGateways))
		for _, g := range out.TransitGateways {
			if got[aws.ToString(g.TransitGatewayId)] {
				t.Fatalf("%s on two pages", aws.ToString(g.TransitGatewayId))
			}
			got[aws.ToString(g.TransitGatewayId)] = true
		}
	}
	if fmt.Sprint(sizes) != "[5 5 2]" || len(got) != len(want) {
		t.Fatalf("pages %v, %d of %d TGWs", sizes, len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("%s missing", id)
		}
	}
	_, err := e.c.DescribeTransitGateways(ctx(), &sdk.DescribeTransitGatewaysInput{MaxResults: aws.Int32(5), NextToken: firstToken,
		Filters: []types.Filter{filter("tag:crosslink-mesh", "other")}})
	wantCode(t, err, "InvalidNextToken")
	_, err = e.c.DescribeTransitGateways(ctx(), &sdk.DescribeTransitGatewaysInput{MaxResults: aws.Int32(4)})
	wantCode(t, err, "InvalidParameterValue")
	// Without MaxResults everything comes in one page.
	all := must[*sdk.DescribeTransitGatewaysOutput](t)(e.c.DescribeTransitGateways(ctx(), &sdk.DescribeTransitGatewaysInput{}))
	if len(all.TransitGateways) != 13 || all.NextToken != nil {
		t.Fatalf("%d TGWs, token %v", len(all.TransitGateways), all.NextToken)
	}
}
