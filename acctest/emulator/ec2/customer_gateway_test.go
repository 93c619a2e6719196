package ec2

import (
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

func TestCustomerGatewayValidation(t *testing.T) {
	e := newEnv(t, Options{})
	cases := []struct {
		name string
		in   sdk.CreateCustomerGatewayInput
		code string
	}{
		{"ok", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.1"), BgpAsn: aws.Int32(65001)}, ""},
		{"default asn", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.2")}, ""},
		{"asn max", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.3"), BgpAsn: aws.Int32(2147483647)}, ""},
		{"asn zero", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.4"), BgpAsn: aws.Int32(0)}, "InvalidParameterValue"},
		{"asn negative", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.4"), BgpAsn: aws.Int32(-5)}, "InvalidParameterValue"},
		{"extended", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.5"), BgpAsnExtended: aws.Int64(4200000001)}, ""},
		{"extended too small", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.6"), BgpAsnExtended: aws.Int64(65001)}, "InvalidParameterValue"},
		{"extended too big", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.6"), BgpAsnExtended: aws.Int64(4294967296)}, "InvalidParameterValue"},
		{"both asns", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.6"), BgpAsn: aws.Int32(1), BgpAsnExtended: aws.Int64(4200000001)}, "InvalidParameterValue"},
		{"bad ip", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("203.0.113.300"), BgpAsn: aws.Int32(65001)}, "InvalidParameterValue"},
		{"ipv6", sdk.CreateCustomerGatewayInput{IpAddress: aws.String("2001:db8::1"), BgpAsn: aws.Int32(65001)}, "InvalidParameterValue"},
		{"no ip", sdk.CreateCustomerGatewayInput{BgpAsn: aws.Int32(65001)}, "InvalidParameterValue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Type = types.GatewayTypeIpsec1
			_, err := e.c.CreateCustomerGateway(ctx(), &c.in)
			wantCode(t, err, c.code)
		})
	}
	out := must[*sdk.DescribeCustomerGatewaysOutput](t)(e.c.DescribeCustomerGateways(ctx(), &sdk.DescribeCustomerGatewaysInput{
		Filters: []types.Filter{filter("ip-address", "203.0.113.2", "203.0.113.5")}}))
	got := map[string]types.CustomerGateway{}
	for _, g := range out.CustomerGateways {
		got[aws.ToString(g.IpAddress)] = g
	}
	if len(got) != 2 || aws.ToString(got["203.0.113.2"].BgpAsn) != "65000" ||
		aws.ToString(got["203.0.113.5"].BgpAsnExtended) != "4200000001" || got["203.0.113.5"].BgpAsn != nil {
		t.Fatalf("gateways: %+v", got)
	}
}

// An identical (type, ip, asn) create returns the existing live gateway;
// anything different is a new one.
func TestCustomerGatewayIdempotent(t *testing.T) {
	e := newEnv(t, Options{})
	create := func(ip string, asn int32, device string) *types.CustomerGateway {
		in := &sdk.CreateCustomerGatewayInput{Type: types.GatewayTypeIpsec1, IpAddress: &ip, BgpAsn: &asn,
			TagSpecifications: tagSpec(types.ResourceTypeCustomerGateway, "crosslink-key", ip)}
		if device != "" {
			in.DeviceName = &device
		}
		return must[*sdk.CreateCustomerGatewayOutput](t)(e.c.CreateCustomerGateway(ctx(), in)).CustomerGateway
	}
	a := create("198.51.100.1", 65001, "")
	if aws.ToString(a.State) != "available" || tagsOf(a.Tags)["crosslink-key"] != "198.51.100.1" {
		t.Fatalf("created %+v", a)
	}
	if b := create("198.51.100.1", 65001, ""); aws.ToString(b.CustomerGatewayId) != aws.ToString(a.CustomerGatewayId) {
		t.Fatalf("identical create made %s, want %s", aws.ToString(b.CustomerGatewayId), aws.ToString(a.CustomerGatewayId))
	}
	ids := map[string]bool{aws.ToString(a.CustomerGatewayId): true}
	for _, g := range []*types.CustomerGateway{create("198.51.100.1", 65002, ""), create("198.51.100.2", 65001, ""), create("198.51.100.1", 65001, "router")} {
		ids[aws.ToString(g.CustomerGatewayId)] = true
	}
	if len(ids) != 4 {
		t.Fatalf("different gateways share ids: %v", ids)
	}
	// Once deleted, an identical create makes a new gateway.
	must[*sdk.DeleteCustomerGatewayOutput](t)(e.c.DeleteCustomerGateway(ctx(), &sdk.DeleteCustomerGatewayInput{CustomerGatewayId: a.CustomerGatewayId}))
	if c := create("198.51.100.1", 65001, ""); ids[aws.ToString(c.CustomerGatewayId)] {
		t.Fatalf("create after delete returned %s", aws.ToString(c.CustomerGatewayId))
	}
}

func TestDeleteCustomerGatewayInUse(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	vgw := e.vgw(64512, vpc)
	cgw := e.cgw("203.0.113.9", 65001)
	v, err := e.vpn(cgw, vgw, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DeleteCustomerGateway(ctx(), &sdk.DeleteCustomerGatewayInput{CustomerGatewayId: &cgw})
	wantCode(t, err, "IncorrectState")
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: v.VpnConnectionId}))
	_, err = e.c.DeleteCustomerGateway(ctx(), &sdk.DeleteCustomerGatewayInput{CustomerGatewayId: &cgw})
	wantCode(t, err, "IncorrectState") // the connection is still deleting
	e.clock.Advance(delay)
	must[*sdk.DeleteCustomerGatewayOutput](t)(e.c.DeleteCustomerGateway(ctx(), &sdk.DeleteCustomerGatewayInput{CustomerGatewayId: &cgw}))
	out := must[*sdk.DescribeCustomerGatewaysOutput](t)(e.c.DescribeCustomerGateways(ctx(), &sdk.DescribeCustomerGatewaysInput{CustomerGatewayIds: []string{cgw}}))
	if len(out.CustomerGateways) != 1 || aws.ToString(out.CustomerGateways[0].State) != "deleted" {
		t.Fatalf("after delete: %+v", out.CustomerGateways)
	}
	_, err = e.c.DescribeCustomerGateways(ctx(), &sdk.DescribeCustomerGatewaysInput{CustomerGatewayIds: []string{"cgw-0123456789abcdef0"}})
	wantCode(t, err, "InvalidCustomerGatewayID.NotFound")
}

// Concurrent identical creates still yield one gateway (the store rule
// decides under its lock, not the handler's look-then-create).
func TestCustomerGatewayIdempotentConcurrent(t *testing.T) {
	e := newEnv(t, Options{})
	const n = 16
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			out, err := e.c.CreateCustomerGateway(ctx(), &sdk.CreateCustomerGatewayInput{Type: types.GatewayTypeIpsec1,
				IpAddress: aws.String("198.51.100.7"), BgpAsn: aws.Int32(65007)})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- aws.ToString(out.CustomerGateway.CustomerGatewayId)
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	all := must[*sdk.DescribeCustomerGatewaysOutput](t)(e.c.DescribeCustomerGateways(ctx(), &sdk.DescribeCustomerGatewaysInput{}))
	if len(seen) != 1 || len(all.CustomerGateways) != 1 {
		t.Fatalf("%d ids returned, %d gateways exist", len(seen), len(all.CustomerGateways))
	}
	// The race the handler cannot see: a create that passed its look-up
	// is refused by the rule because an identical gateway now exists.
	_, _, err := e.st.Create(store.CreateRequest{Cloud: "aws", Kind: kCGW.name, Scope: "us-east-1",
		Attrs: map[string]any{"cgw": cgwAttrs{Type: "ipsec.1", IP: "198.51.100.7", ASN: 65007}}})
	if !errors.Is(err, errDuplicateCGW) {
		t.Fatalf("direct create of a duplicate: %v", err)
	}
}
