package ec2

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// vgwIDs lists the VGWs a describe with these filters returns.
func vgwIDs(t *testing.T, c *sdk.Client, fs ...types.Filter) []string {
	t.Helper()
	out := must[*sdk.DescribeVpnGatewaysOutput](t)(c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{Filters: fs}))
	var ids []string
	for _, g := range out.VpnGateways {
		ids = append(ids, aws.ToString(g.VpnGatewayId))
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string { s := slices.Clone(ids); slices.Sort(s); return s }

// Ownership filters: how a driver finds what its mesh owns.
func TestTagFilters(t *testing.T) {
	e := newEnv(t, Options{})
	mk := func(kv ...string) string {
		out := must[*sdk.CreateVpnGatewayOutput](t)(e.c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{
			Type: types.GatewayTypeIpsec1, TagSpecifications: tagSpec(types.ResourceTypeVpnGateway, kv...)}))
		return aws.ToString(out.VpnGateway.VpnGatewayId)
	}
	a1 := mk("crosslink-mesh", "a", "crosslink-key", "aws/s1/vpn_gateway/main")
	a2 := mk("crosslink-mesh", "a", "crosslink-key", "aws/s2/vpn_gateway/main")
	b1 := mk("crosslink-mesh", "b", "crosslink-key", "aws/s1/vpn_gateway/main")
	none := mk()
	cases := []struct {
		name string
		fs   []types.Filter
		want []string
	}{
		{"mesh", []types.Filter{filter("tag:crosslink-mesh", "a")}, sorted(a1, a2)},
		{"values OR", []types.Filter{filter("tag:crosslink-mesh", "a", "b")}, sorted(a1, a2, b1)},
		{"filters AND", []types.Filter{filter("tag:crosslink-mesh", "a"), filter("tag:crosslink-key", "aws/s1/vpn_gateway/main")}, []string{a1}},
		{"tag-key", []types.Filter{filter("tag-key", "crosslink-mesh")}, sorted(a1, a2, b1)},
		{"wildcard", []types.Filter{filter("tag:crosslink-key", "aws/s1/*")}, sorted(a1, b1)},
		{"question mark", []types.Filter{filter("tag:crosslink-key", "aws/s?/vpn_gateway/main"), filter("tag:crosslink-mesh", "a")}, sorted(a1, a2)},
		{"no match", []types.Filter{filter("tag:crosslink-mesh", "c")}, nil},
		{"none", nil, sorted(a1, a2, b1, none)},
		{"id and state", []types.Filter{filter("vpn-gateway-id", a2, none), filter("state", "available")}, sorted(a2, none)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := vgwIDs(t, e.c, c.fs...); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	_, err := e.c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{Filters: []types.Filter{filter("colour", "red")}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{VpnGatewayIds: []string{a1, "vgw-0000000000000000f"}})
	wantCode(t, err, "InvalidVpnGatewayID.NotFound")
}

func TestCreateDeleteTags(t *testing.T) {
	e := newEnv(t, Options{})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	g := e.vgw(64512, "")
	cgw := e.cgw("203.0.113.1", 65001)
	v, err := e.vpn(cgw, g, false)
	if err != nil {
		t.Fatal(err)
	}
	tgw := e.tgw(64512)
	ids := []string{vpc, g, cgw, aws.ToString(v.VpnConnectionId), tgw}
	must[*sdk.CreateTagsOutput](t)(e.c.CreateTags(ctx(), &sdk.CreateTagsInput{Resources: ids, Tags: []types.Tag{
		{Key: aws.String("crosslink-mesh"), Value: aws.String("m")}, {Key: aws.String("Name"), Value: aws.String("x")}}}))
	check := func(want map[string]string) {
		t.Helper()
		tags := []map[string]string{
			tagsOf(must[*sdk.DescribeVpcsOutput](t)(e.c.DescribeVpcs(ctx(), &sdk.DescribeVpcsInput{VpcIds: []string{vpc}})).Vpcs[0].Tags),
			tagsOf(must[*sdk.DescribeVpnGatewaysOutput](t)(e.c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{VpnGatewayIds: []string{g}})).VpnGateways[0].Tags),
			tagsOf(must[*sdk.DescribeCustomerGatewaysOutput](t)(e.c.DescribeCustomerGateways(ctx(), &sdk.DescribeCustomerGatewaysInput{CustomerGatewayIds: []string{cgw}})).CustomerGateways[0].Tags),
			tagsOf(e.describeVPN(aws.ToString(v.VpnConnectionId)).Tags),
			tagsOf(must[*sdk.DescribeTransitGatewaysOutput](t)(e.c.DescribeTransitGateways(ctx(), &sdk.DescribeTransitGatewaysInput{TransitGatewayIds: []string{tgw}})).TransitGateways[0].Tags),
		}
		for i, got := range tags {
			if len(got) != len(want) {
				t.Fatalf("%s tags %v, want %v", ids[i], got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("%s tags %v, want %v", ids[i], got, want)
				}
			}
		}
	}
	check(map[string]string{"crosslink-mesh": "m", "Name": "x"})
	// DeleteTags with a value removes only a matching tag.
	must[*sdk.DeleteTagsOutput](t)(e.c.DeleteTags(ctx(), &sdk.DeleteTagsInput{Resources: ids, Tags: []types.Tag{
		{Key: aws.String("Name"), Value: aws.String("other")}, {Key: aws.String("crosslink-mesh")}}}))
	check(map[string]string{"Name": "x"})

	for _, c := range []struct {
		id, code string
	}{
		{"vpn-0000000000000000f", "InvalidVpnConnectionID.NotFound"},
		{"tgw-attach-0000000000000000f", "InvalidTransitGatewayAttachmentID.NotFound"},
		{"i-0000000000000000f", "InvalidID"},
	} {
		_, err := e.c.CreateTags(ctx(), &sdk.CreateTagsInput{Resources: []string{g, c.id}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantCode(t, err, c.code)
	}
	_, err = e.c.CreateTags(ctx(), &sdk.CreateTagsInput{Resources: []string{g}, Tags: []types.Tag{{Key: aws.String("aws:reserved"), Value: aws.String("v")}}})
	wantCode(t, err, "InvalidParameterValue")
	check(map[string]string{"Name": "x"}) // nothing half-applied
}

// Objects are scoped by the region of the credential scope.
func TestRegionIsolation(t *testing.T) {
	e := newEnv(t, Options{})
	g := e.vgw(64512, "")
	if err := e.f.SeedVPC("eu-west-1", VPC{ID: "vpc-0000000000000000e", CIDR: "10.9.0.0/16",
		Subnets: []Subnet{{ID: "subnet-0000000000000000e", CIDR: "10.9.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	eu := e.client("eu-west-1", testKey, testSecret)
	if ids := vgwIDs(t, eu); len(ids) != 0 {
		t.Fatalf("eu-west-1 sees %v", ids)
	}
	_, err := eu.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{VpnGatewayIds: []string{g}})
	wantCode(t, err, "InvalidVpnGatewayID.NotFound")
	_, err = eu.DeleteVpnGateway(ctx(), &sdk.DeleteVpnGatewayInput{VpnGatewayId: &g})
	wantCode(t, err, "InvalidVpnGatewayID.NotFound")
	_, err = e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &g, VpcId: aws.String("vpc-0000000000000000e")})
	wantCode(t, err, "InvalidVpcID.NotFound")
	if ids := vgwIDs(t, e.c); !slices.Equal(ids, []string{g}) {
		t.Fatalf("us-east-1 sees %v", ids)
	}
	subs := must[*sdk.DescribeSubnetsOutput](t)(eu.DescribeSubnets(ctx(), &sdk.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", "vpc-0000000000000000e")}}))
	if len(subs.Subnets) != 1 || aws.ToString(subs.Subnets[0].AvailabilityZone) != "eu-west-1a" || aws.ToInt32(subs.Subnets[0].AvailableIpAddressCount) != 251 {
		t.Fatalf("subnets %+v", subs.Subnets)
	}
	_, err = e.c.DescribeVpcs(ctx(), &sdk.DescribeVpcsInput{VpcIds: []string{"vpc-0000000000000000e"}})
	wantCode(t, err, "InvalidVpcID.NotFound")
}

func TestSeedVPC(t *testing.T) {
	e := newEnv(t, Options{})
	for _, bad := range []VPC{
		{CIDR: "10.0.0.1/16"},
		{CIDR: "nonsense"},
		{ID: "x-123", CIDR: "10.0.0.0/16"},
		{CIDR: "10.0.0.0/16", Subnets: []Subnet{{CIDR: "10.1.0.0/24"}}},
	} {
		if err := e.f.SeedVPC("us-east-1", bad); err == nil {
			t.Errorf("SeedVPC(%+v) accepted", bad)
		}
	}
	if err := e.f.SeedVPC("us-east-1", VPC{CIDR: "10.3.0.0/16", Subnets: []Subnet{{AZ: "us-east-1b", CIDR: "10.3.1.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	vpcs := must[*sdk.DescribeVpcsOutput](t)(e.c.DescribeVpcs(ctx(), &sdk.DescribeVpcsInput{Filters: []types.Filter{filter("cidr", "10.3.0.0/16")}})).Vpcs
	if len(vpcs) != 1 || len(aws.ToString(vpcs[0].VpcId)) != len("vpc-0123456789abcdef0") || vpcs[0].State != types.VpcStateAvailable {
		t.Fatalf("vpcs %+v", vpcs)
	}
	subs := must[*sdk.DescribeSubnetsOutput](t)(e.c.DescribeSubnets(ctx(), &sdk.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", *vpcs[0].VpcId)}})).Subnets
	if len(subs) != 1 || aws.ToString(subs[0].CidrBlock) != "10.3.1.0/24" || aws.ToString(subs[0].AvailabilityZone) != "us-east-1b" {
		t.Fatalf("subnets %+v", subs)
	}
	if err := e.f.SeedVPC("us-east-1", VPC{ID: aws.ToString(vpcs[0].VpcId), CIDR: "10.4.0.0/16"}); err == nil {
		t.Fatal("a duplicate VPC ID was accepted")
	}
}
