package ec2

import (
	"encoding/xml"
	"net/netip"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

type createCase struct {
	name   string
	in     sdk.CreateVpnConnectionInput
	code   string
	noEcho string // must not appear in the error (a rejected PSK)
}

func opts(vgw, cidr, psk string) sdk.CreateVpnConnectionInput {
	return sdk.CreateVpnConnectionInput{VpnGatewayId: &vgw, Options: &types.VpnConnectionOptionsSpecification{TunnelOptions: tunnels(cidr, psk)}}
}

func TestCreateVpnConnectionRules(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	vpc := e.seed("vpc-0000000000000000a", "10.1.0.0/16")
	vgw := e.vgw(64512, vpc)
	cgw := e.cgw("203.0.113.1", 65001)
	tgw := e.tgw(64513)
	e.clock.Advance(delay)
	pending := aws.ToString(must[*sdk.CreateVpnGatewayOutput](t)(e.c.CreateVpnGateway(ctx(),
		&sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1})).VpnGateway.VpnGatewayId)
	const psk = "good.key_123"
	long := strings.Repeat("a", 65)
	cases := []createCase{
		{"both gateways", sdk.CreateVpnConnectionInput{VpnGatewayId: &vgw, TransitGatewayId: &tgw}, "InvalidParameterValue", ""},
		{"no gateway", sdk.CreateVpnConnectionInput{}, "InvalidParameterValue", ""},
		{"bad type", sdk.CreateVpnConnectionInput{VpnGatewayId: &vgw, Type: aws.String("ipsec.2")}, "InvalidParameterValue", ""},
		{"unknown cgw", sdk.CreateVpnConnectionInput{VpnGatewayId: &vgw, CustomerGatewayId: aws.String("cgw-0000000000000000f")}, "InvalidCustomerGatewayID.NotFound", ""},
		{"unknown vgw", sdk.CreateVpnConnectionInput{VpnGatewayId: aws.String("vgw-0000000000000000f")}, "InvalidVpnGatewayID.NotFound", ""},
		{"unknown tgw", sdk.CreateVpnConnectionInput{TransitGatewayId: aws.String("tgw-0000000000000000f")}, "InvalidTransitGatewayID.NotFound", ""},
		{"pending vgw", sdk.CreateVpnConnectionInput{VpnGatewayId: &pending}, "InvalidVpnGatewayState", ""},
		{"three tunnels", sdk.CreateVpnConnectionInput{VpnGatewayId: &vgw, Options: &types.VpnConnectionOptionsSpecification{
			TunnelOptions: tunnels("169.254.10.0/30", psk, "169.254.11.0/30", psk, "169.254.12.0/30", psk)}}, "InvalidParameterValue", ""},
		{"same inside twice", sdk.CreateVpnConnectionInput{VpnGatewayId: &vgw, Options: &types.VpnConnectionOptionsSpecification{
			TunnelOptions: tunnels("169.254.20.0/30", psk, "169.254.20.0/30", psk)}}, "InvalidParameterValue", ""},
		{"psk short", opts(vgw, "169.254.10.0/30", "abcd123"), "InvalidParameterValue", "abcd123"},
		{"psk long", opts(vgw, "169.254.10.0/30", long), "InvalidParameterValue", long},
		{"psk char", opts(vgw, "169.254.10.0/30", "abcd-1234"), "InvalidParameterValue", "abcd-1234"},
		{"psk zero", opts(vgw, "169.254.10.0/30", "0abcd1234"), "InvalidParameterValue", "0abcd1234"},
		{"psk space", opts(vgw, "169.254.10.0/30", "abcd 1234"), "InvalidParameterValue", "abcd 1234"},
		{"psk padded", opts(vgw, "169.254.10.0/30", " abcd1234"), "InvalidParameterValue", "abcd1234"},
		{"psk ok", opts(vgw, "169.254.10.0/30", "Zz09._ab"), "", ""},
		{"psk 64", opts(vgw, "169.254.10.0/30", long[:64]), "", ""},
		{"tgw", sdk.CreateVpnConnectionInput{TransitGatewayId: &tgw}, "", ""},
	}
	for _, cidr := range []string{"169.254.10.0/29", "169.254.10.4/31", "10.0.0.0/30", "169.254.10.1/30", "bogus",
		"169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30", "169.254.4.0/30", "169.254.5.0/30", "169.254.169.252/30"} {
		cases = append(cases, createCase{"inside " + cidr, opts(vgw, cidr, psk), "InvalidParameterValue", ""})
	}
	cases = append(cases, createCase{"inside ok", opts(vgw, "169.254.6.0/30", psk), "", ""})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.in.CustomerGatewayId == nil {
				c.in.CustomerGatewayId = &cgw
			}
			if c.in.Type == nil {
				c.in.Type = aws.String("ipsec.1")
			}
			out, err := e.c.CreateVpnConnection(ctx(), &c.in)
			wantCode(t, err, c.code)
			if c.noEcho != "" && strings.Contains(err.Error(), c.noEcho) {
				t.Fatalf("the error echoes the key: %v", err)
			}
			if err == nil {
				// Free the VGW/CGW pair for the next case.
				must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: out.VpnConnection.VpnConnectionId}))
				e.clock.Advance(delay)
			}
		})
	}
}

// Inside /30s are unique among the live connections of one gateway, and a
// VGW has one connection per customer gateway.
func TestInsideCIDRUniquePerGateway(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	g1, g2 := e.vgw(64512, ""), e.vgw(64513, "")
	c1, c2 := e.cgw("203.0.113.1", 65001), e.cgw("203.0.113.2", 65001)
	first, err := e.vpn(c1, g1, false, tunnels("169.254.10.0/30", "key.one_1", "169.254.11.0/30", "key.two_2")...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.vpn(c2, g1, false, tunnels("169.254.12.0/30", "key.one_1", "169.254.11.0/30", "key.two_2")...)
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.vpn(c1, g1, false, tunnels("169.254.12.0/30", "key.one_1", "169.254.13.0/30", "key.two_2")...)
	wantCode(t, err, "InvalidOption.Conflict")
	if _, err = e.vpn(c2, g2, false, tunnels("169.254.10.0/30", "key.one_1", "169.254.11.0/30", "key.two_2")...); err != nil {
		t.Fatalf("the same /30s on another gateway: %v", err)
	}
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: first.VpnConnectionId}))
	_, err = e.vpn(c2, g1, false, tunnels("169.254.10.0/30", "key.one_1")...)
	wantCode(t, err, "InvalidParameterValue") // still deleting
	e.clock.Advance(delay)
	if _, err = e.vpn(c2, g1, false, tunnels("169.254.10.0/30", "key.one_1")...); err != nil {
		t.Fatalf("after the first connection is deleted: %v", err)
	}
}

// cgwDoc is the part of customerGatewayConfiguration crosslink could read.
type cgwDoc struct {
	ID      string `xml:"id,attr"`
	CGW     string `xml:"customer_gateway_id"`
	VGW     string `xml:"vpn_gateway_id"`
	Tunnels []struct {
		CGW struct {
			Outside string `xml:"tunnel_outside_address>ip_address"`
			Inside  string `xml:"tunnel_inside_address>ip_address"`
			ASN     int64  `xml:"bgp>asn"`
		} `xml:"customer_gateway"`
		VGW struct {
			Outside string `xml:"tunnel_outside_address>ip_address"`
			Inside  string `xml:"tunnel_inside_address>ip_address"`
			ASN     int64  `xml:"bgp>asn"`
		} `xml:"vpn_gateway"`
		PSK string `xml:"ike>pre_shared_key"`
	} `xml:"ipsec_tunnel"`
}

func TestVpnConnectionDefaults(t *testing.T) {
	pool := netip.MustParsePrefix("192.0.2.0/24")
	e := newEnv(t, Options{PublicIPs: pool})
	g := e.vgw(64600, "")
	seenIPs := map[string]bool{}
	for i, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		cgw := e.cgw(ip, int32(65001+i))
		in := &sdk.CreateVpnConnectionInput{CustomerGatewayId: &cgw, VpnGatewayId: &g, Type: aws.String("ipsec.1"),
			TagSpecifications: tagSpec(types.ResourceTypeVpnConnection, "crosslink-mesh", "m", "crosslink-key", ip)}
		v := must[*sdk.CreateVpnConnectionOutput](t)(e.c.CreateVpnConnection(ctx(), in)).VpnConnection
		if tagsOf(v.Tags)["crosslink-key"] != ip || v.Options == nil || aws.ToBool(v.Options.StaticRoutesOnly) {
			t.Fatalf("connection %+v", v)
		}
		opts := v.Options.TunnelOptions
		if len(opts) != 2 || aws.ToString(opts[0].TunnelInsideCidr) == aws.ToString(opts[1].TunnelInsideCidr) ||
			aws.ToString(opts[0].PreSharedKey) == aws.ToString(opts[1].PreSharedKey) {
			t.Fatalf("tunnel options %+v", opts)
		}
		for j, o := range opts {
			if err := checkInside(aws.ToString(o.TunnelInsideCidr)); err != nil {
				t.Errorf("picked inside CIDR: %v", err)
			}
			if err := checkPSK(aws.ToString(o.PreSharedKey), j+1); err != nil {
				t.Errorf("generated PSK: %v", err)
			}
			out := aws.ToString(o.OutsideIpAddress)
			if a, err := netip.ParseAddr(out); err != nil || !pool.Contains(a) || seenIPs[out] {
				t.Errorf("outside IP %q not fresh from %s", out, pool)
			}
			seenIPs[out] = true
		}
		var doc cgwDoc
		if err := xml.Unmarshal([]byte(aws.ToString(v.CustomerGatewayConfiguration)), &doc); err != nil {
			t.Fatalf("customerGatewayConfiguration: %v", err)
		}
		if doc.ID != aws.ToString(v.VpnConnectionId) || doc.CGW != cgw || doc.VGW != g || len(doc.Tunnels) != 2 {
			t.Fatalf("config %+v", doc)
		}
		for j, tun := range doc.Tunnels {
			p := netip.MustParsePrefix(aws.ToString(opts[j].TunnelInsideCidr))
			if tun.VGW.Outside != aws.ToString(opts[j].OutsideIpAddress) || tun.CGW.Outside != ip ||
				tun.PSK != aws.ToString(opts[j].PreSharedKey) || tun.VGW.Inside != p.Addr().Next().String() ||
				tun.CGW.Inside != p.Addr().Next().Next().String() || tun.VGW.ASN != 64600 || tun.CGW.ASN != int64(65001+i) {
				t.Fatalf("config tunnel %d %+v disagrees with %+v", j, tun, opts[j])
			}
		}
	}
}

func TestVpnConnectionLifecycle(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	g := e.vgw(64512, "")
	cgw := e.cgw("203.0.113.1", 65001)
	v, err := e.vpn(cgw, g, true)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(v.VpnConnectionId)
	if v.State != types.VpnStatePending || !aws.ToBool(v.Options.StaticRoutesOnly) {
		t.Fatalf("created %+v", v)
	}
	e.clock.Advance(delay / 2)
	if s := e.describeVPN(id).State; s != types.VpnStatePending {
		t.Fatalf("state %s half way", s)
	}
	e.clock.Advance(delay / 2)
	if s := e.describeVPN(id).State; s != types.VpnStateAvailable {
		t.Fatalf("state %s after the delay", s)
	}
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: &id}))
	if s := e.describeVPN(id).State; s != types.VpnStateDeleting {
		t.Fatalf("state %s after delete", s)
	}
	e.clock.Advance(delay)
	// A deleted connection lingers, listed and describable by ID.
	list := func() []types.VpnConnection {
		return must[*sdk.DescribeVpnConnectionsOutput](t)(e.c.DescribeVpnConnections(ctx(), &sdk.DescribeVpnConnectionsInput{
			Filters: []types.Filter{filter("state", "deleted")}})).VpnConnections
	}
	if got := list(); len(got) != 1 || aws.ToString(got[0].VpnConnectionId) != id || got[0].State != types.VpnStateDeleted {
		t.Fatalf("deleted connections %+v", got)
	}
	// Deleting again is accepted.
	must[*sdk.DeleteVpnConnectionOutput](t)(e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: &id}))
	e.clock.Advance(keepDeleted)
	if got := list(); len(got) != 0 {
		t.Fatalf("still listed after %s: %+v", keepDeleted, got)
	}
	_, err = e.c.DescribeVpnConnections(ctx(), &sdk.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}})
	wantCode(t, err, "InvalidVpnConnectionID.NotFound")
	_, err = e.c.DeleteVpnConnection(ctx(), &sdk.DeleteVpnConnectionInput{VpnConnectionId: &id})
	wantCode(t, err, "InvalidVpnConnectionID.NotFound")
}

func TestModifyVpnTunnelOptions(t *testing.T) {
	e := newEnv(t, Options{Delay: delay})
	g := e.vgw(64512, "")
	c1, c2 := e.cgw("203.0.113.1", 65001), e.cgw("203.0.113.2", 65002)
	v, err := e.vpn(c1, g, false, tunnels("169.254.10.0/30", "first.key_1", "169.254.11.0/30", "second.key_2")...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.vpn(c2, g, false, tunnels("169.254.12.0/30", "first.key_1", "169.254.13.0/30", "second.key_2")...); err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(v.VpnConnectionId)
	ip0, ip1 := aws.ToString(v.Options.TunnelOptions[0].OutsideIpAddress), aws.ToString(v.Options.TunnelOptions[1].OutsideIpAddress)
	modify := func(outside string, o types.ModifyVpnTunnelOptionsSpecification) (*types.VpnConnection, error) {
		out, err := e.c.ModifyVpnTunnelOptions(ctx(), &sdk.ModifyVpnTunnelOptionsInput{VpnConnectionId: &id,
			VpnTunnelOutsideIpAddress: &outside, TunnelOptions: &o})
		if err != nil {
			return nil, err
		}
		return out.VpnConnection, nil
	}
	_, err = modify(ip0, types.ModifyVpnTunnelOptionsSpecification{PreSharedKey: aws.String("new.key_0")})
	wantCode(t, err, "IncorrectState") // still pending
	e.clock.Advance(delay)

	for _, c := range []struct {
		name    string
		outside string
		o       types.ModifyVpnTunnelOptionsSpecification
		code    string
	}{
		{"unknown outside ip", "192.0.2.77", types.ModifyVpnTunnelOptionsSpecification{PreSharedKey: aws.String("new.key_0")}, "InvalidParameterValue"},
		{"bad psk", ip0, types.ModifyVpnTunnelOptionsSpecification{PreSharedKey: aws.String("0secret.key")}, "InvalidParameterValue"},
		{"reserved inside", ip0, types.ModifyVpnTunnelOptionsSpecification{TunnelInsideCidr: aws.String("169.254.169.252/30")}, "InvalidParameterValue"},
		{"other tunnel's inside", ip0, types.ModifyVpnTunnelOptionsSpecification{TunnelInsideCidr: aws.String("169.254.11.0/30")}, "InvalidParameterValue"},
		{"other connection's inside", ip0, types.ModifyVpnTunnelOptionsSpecification{TunnelInsideCidr: aws.String("169.254.13.0/30")}, "InvalidParameterValue"},
		{"unknown connection", ip0, types.ModifyVpnTunnelOptionsSpecification{}, "InvalidVpnConnectionID.NotFound"},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := id
			if c.code == "InvalidVpnConnectionID.NotFound" {
				target = "vpn-0000000000000000f"
			}
			_, err := e.c.ModifyVpnTunnelOptions(ctx(), &sdk.ModifyVpnTunnelOptionsInput{VpnConnectionId: &target,
				VpnTunnelOutsideIpAddress: &c.outside, TunnelOptions: &c.o})
			wantCode(t, err, c.code)
			if strings.Contains(err.Error(), "0secret.key") {
				t.Fatalf("the error echoes the key: %v", err)
			}
		})
	}

	got, err := modify(ip1, types.ModifyVpnTunnelOptionsSpecification{PreSharedKey: aws.String("rotated.key_2"), TunnelInsideCidr: aws.String("169.254.14.0/30")})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != types.VpnState(stateModifying) {
		t.Fatalf("state %s after modify", got.State)
	}
	_, err = modify(ip0, types.ModifyVpnTunnelOptionsSpecification{PreSharedKey: aws.String("new.key_0")})
	wantCode(t, err, "IncorrectState") // the first modification still runs
	e.clock.Advance(delay)
	after := e.describeVPN(id)
	if after.State != types.VpnStateAvailable {
		t.Fatalf("state %s after the delay", after.State)
	}
	to := after.Options.TunnelOptions
	if aws.ToString(to[1].PreSharedKey) != "rotated.key_2" || aws.ToString(to[1].TunnelInsideCidr) != "169.254.14.0/30" ||
		aws.ToString(to[0].PreSharedKey) != "first.key_1" || aws.ToString(to[1].OutsideIpAddress) != ip1 {
		t.Fatalf("tunnels after modify %+v", to)
	}
	if !strings.Contains(aws.ToString(after.CustomerGatewayConfiguration), "rotated.key_2") {
		t.Fatal("customerGatewayConfiguration does not carry the new key")
	}
}

func TestModifyVpnConnection(t *testing.T) {
	e := newEnv(t, Options{})
	g := e.vgw(64512, "")
	tgw := e.tgw(64513)
	c1, c2 := e.cgw("203.0.113.1", 65001), e.cgw("203.0.113.2", 65002)
	v, err := e.vpn(c1, g, false)
	if err != nil {
		t.Fatal(err)
	}
	id := v.VpnConnectionId
	vpnAttachments := func() []types.TransitGatewayAttachment {
		return must[*sdk.DescribeTransitGatewayAttachmentsOutput](t)(e.c.DescribeTransitGatewayAttachments(ctx(), &sdk.DescribeTransitGatewayAttachmentsInput{
			Filters: []types.Filter{filter("resource-id", *id), filter("state", "pending", "available")}})).TransitGatewayAttachments
	}
	out := must[*sdk.ModifyVpnConnectionOutput](t)(e.c.ModifyVpnConnection(ctx(), &sdk.ModifyVpnConnectionInput{VpnConnectionId: id, CustomerGatewayId: &c2}))
	if aws.ToString(out.VpnConnection.CustomerGatewayId) != c2 {
		t.Fatalf("customer gateway %s", aws.ToString(out.VpnConnection.CustomerGatewayId))
	}
	out = must[*sdk.ModifyVpnConnectionOutput](t)(e.c.ModifyVpnConnection(ctx(), &sdk.ModifyVpnConnectionInput{VpnConnectionId: id, TransitGatewayId: &tgw}))
	if aws.ToString(out.VpnConnection.TransitGatewayId) != tgw || out.VpnConnection.VpnGatewayId != nil {
		t.Fatalf("after moving to the TGW: %+v", out.VpnConnection)
	}
	if atts := vpnAttachments(); len(atts) != 1 || aws.ToString(atts[0].TransitGatewayId) != tgw {
		t.Fatalf("vpn attachments %+v", atts)
	}
	must[*sdk.ModifyVpnConnectionOutput](t)(e.c.ModifyVpnConnection(ctx(), &sdk.ModifyVpnConnectionInput{VpnConnectionId: id, VpnGatewayId: &g}))
	if atts := vpnAttachments(); len(atts) != 0 {
		t.Fatalf("vpn attachment left on the TGW: %+v", atts)
	}
	_, err = e.c.ModifyVpnConnection(ctx(), &sdk.ModifyVpnConnectionInput{VpnConnectionId: id, VpnGatewayId: aws.String("vgw-0000000000000000f")})
	wantCode(t, err, "InvalidVpnGatewayID.NotFound")
}
