package aws

import (
	"slices"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

func tags(kv ...string) []types.Tag {
	var ts []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		ts = append(ts, types.Tag{Key: awssdk.String(kv[i]), Value: awssdk.String(kv[i+1])})
	}
	return ts
}

func tunnel(cidr, outside string) types.TunnelOption {
	return types.TunnelOption{TunnelInsideCidr: awssdk.String(cidr), OutsideIpAddress: awssdk.String(outside)}
}

// AWS lists a connection's tunnels in an order of its own; the slot tags
// map them back by inside CIDR.
func TestVPNObjectMapsTunnelsBySlotTags(t *testing.T) {
	key := plan.Key("aws", "a", "vpn_connection", "h-0")
	for _, order := range [][]types.TunnelOption{
		{tunnel("169.254.10.0/30", "3.0.0.1"), tunnel("169.254.11.0/30", "3.0.0.2")},
		{tunnel("169.254.11.0/30", "3.0.0.2"), tunnel("169.254.10.0/30", "3.0.0.1")},
	} {
		v := types.VpnConnection{VpnConnectionId: awssdk.String("vpn-1"), CustomerGatewayId: awssdk.String("cgw-1"),
			TransitGatewayId: awssdk.String("tgw-1"), State: types.VpnStateAvailable,
			Options: &types.VpnConnectionOptions{StaticRoutesOnly: awssdk.Bool(false), TunnelOptions: order},
			Tags: tags(tagKey, key, tagPSKEpoch, "3", slotTag(0), tunnelTag("a~h#1", "169.254.11.0/30"),
				slotTag(1), tunnelTag("a~h#0", "169.254.10.0/30"))}
		o := vpnObject(key, v, nil)
		want := map[string]string{"customer_gateway": "cgw-1", "gateway": "tgw-1", "static_routes_only": "false", "psk_epoch": "3",
			"tunnel.0.key": "a~h#1", "tunnel.0.inside_cidr": "169.254.11.0/30", "tunnel.0.outside_ip": "3.0.0.2",
			"tunnel.1.key": "a~h#0", "tunnel.1.inside_cidr": "169.254.10.0/30", "tunnel.1.outside_ip": "3.0.0.1"}
		if !mapsEqual(o.Attrs, want) {
			t.Fatalf("attrs %v\nwant  %v", o.Attrs, want)
		}
		if o.Kind != "aws_vpn_connection" || o.Site != "a" || o.Cloud != "aws" || o.ID != "vpn-1" {
			t.Fatalf("object %+v", o)
		}
	}
}

// A slot whose CIDR EC2 does not hold is left out, so the diff sees it.
func TestVPNObjectOmitsSlotsEC2DoesNotHold(t *testing.T) {
	v := types.VpnConnection{VpnConnectionId: awssdk.String("vpn-1"),
		Options: &types.VpnConnectionOptions{TunnelOptions: []types.TunnelOption{tunnel("169.254.99.0/30", "3.0.0.9")}},
		Tags:    tags(slotTag(0), tunnelTag("k", "169.254.10.0/30"))}
	o := vpnObject(plan.Key("aws", "a", "vpn_connection", "x"), v, nil)
	if _, ok := o.Attrs["tunnel.0.key"]; ok {
		t.Fatalf("slot reported: %v", o.Attrs)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func TestRegionViewObjects(t *testing.T) {
	vgwKey := plan.Key("aws", "a", "vpn_gateway", "main")
	cgwA := plan.Key("aws", "a", "customer_gateway", "h-0")
	cgwB := plan.Key("aws", "b", "customer_gateway", "h-0")
	v := &regionView{
		vgws: []types.VpnGateway{
			{VpnGatewayId: awssdk.String("vgw-1"), State: types.VpnStateAvailable, AmazonSideAsn: awssdk.Int64(64512), Tags: tags(tagMesh, "m", tagKey, vgwKey),
				VpcAttachments: []types.VpcAttachment{{VpcId: awssdk.String("vpc-a"), State: types.AttachmentStatusAttached}}},
			// Deleted ones and other sites' are not reported.
			{VpnGatewayId: awssdk.String("vgw-0"), State: types.VpnStateDeleted, Tags: tags(tagMesh, "m", tagKey, vgwKey)},
			{VpnGatewayId: awssdk.String("vgw-9"), State: types.VpnStateAvailable, Tags: tags(tagMesh, "m", tagKey, plan.Key("aws", "z", "vpn_gateway", "main"))},
		},
		rts: []types.RouteTable{
			{RouteTableId: awssdk.String("rtb-1"), VpcId: awssdk.String("vpc-a"), PropagatingVgws: []types.PropagatingVgw{{GatewayId: awssdk.String("vgw-1")}}},
			{RouteTableId: awssdk.String("rtb-2"), VpcId: awssdk.String("vpc-a"), PropagatingVgws: []types.PropagatingVgw{{GatewayId: awssdk.String("vgw-1")}}},
		},
		// One gateway two sites share (see customer_gateway.go).
		cgws: []types.CustomerGateway{{CustomerGatewayId: awssdk.String("cgw-1"), State: awssdk.String("available"),
			BgpAsn: awssdk.String("65000"), IpAddress: awssdk.String("198.51.100.7"), Type: awssdk.String("ipsec.1"),
			Tags: tags(tagMesh, "m", tagKey, cgwA, alsoTag(cgwB), cgwB)}},
		vpns: []types.VpnConnection{{VpnConnectionId: awssdk.String("vpn-1"), State: types.VpnStateAvailable,
			CustomerGatewayId: awssdk.String("cgw-1"), VpnGatewayId: awssdk.String("vgw-1"),
			Tags: tags(tagMesh, "m", tagKey, plan.Key("aws", "a", "vpn_connection", "h-0"))}},
	}
	objs := v.objects("us-east-1", map[string]bool{"a": true, "b": true})
	got := map[string]plan.Object{}
	for _, o := range objs {
		got[o.Key+"@"+o.ID] = o
	}
	for _, k := range []string{vgwKey + "@vgw-1", "aws/a/vpn_gateway_attachment/main@vgw-1/vpc-a",
		"aws/a/vpn_gateway_route_propagation/main@vgw-1/vpc-a", cgwA + "@cgw-1", cgwB + "@cgw-1", "aws/a/vpn_connection/h-0@vpn-1"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	if len(objs) != 6 {
		t.Errorf("%d objects, want 6: %v", len(objs), objs)
	}
	if o := got[vgwKey+"@vgw-1"]; o.Attrs["amazon_side_asn"] != "64512" || o.Attrs["region"] != "us-east-1" {
		t.Errorf("vgw attrs %v", o.Attrs)
	}
	if deps := got["aws/a/vpn_connection/h-0@vpn-1"].Deps; !slices.Equal(deps, []string{cgwA, vgwKey}) {
		t.Errorf("connection deps %v", deps)
	}

	// A route table that does not propagate makes the propagation absent.
	v.rts = append(v.rts, types.RouteTable{RouteTableId: awssdk.String("rtb-3"), VpcId: awssdk.String("vpc-a")})
	for _, o := range v.objects("us-east-1", map[string]bool{"a": true}) {
		if o.Kind == "aws_vpn_gateway_route_propagation" {
			t.Error("propagation reported while a route table lacks it")
		}
		if o.Site != "a" {
			t.Errorf("out-of-scope object %s", o.Key)
		}
	}
}
