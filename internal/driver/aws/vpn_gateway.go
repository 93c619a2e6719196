package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Timeouts as terraform-provider-aws's for VPN gateways.
const (
	vgwCreateTimeout = 10 * time.Minute
	vgwDeleteTimeout = 10 * time.Minute
)

// live reports whether a VPN object (gateway, customer gateway, connection)
// still counts: deleting and deleted ones are on their way out.
func live(state string) bool {
	return state != string(types.VpnStateDeleting) && state != string(types.VpnStateDeleted)
}

func describeVPNGateways(ctx context.Context, c *ec2.Client, in *ec2.DescribeVpnGatewaysInput) ([]types.VpnGateway, error) {
	out, err := c.DescribeVpnGateways(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.VpnGateways, nil
}

// findVPNGatewayByKey returns the live VGW tagged with key, the lowest ID
// when a past duplicate left two; nil when there is none.
func findVPNGatewayByKey(ctx context.Context, s *site, mesh, key string) (*types.VpnGateway, error) {
	vs, err := describeVPNGateways(ctx, s.ec2, &ec2.DescribeVpnGatewaysInput{Filters: keyFilters(mesh, key)})
	if err != nil {
		return nil, err
	}
	vs = slices.DeleteFunc(vs, func(v types.VpnGateway) bool { return !live(string(v.State)) })
	slices.SortFunc(vs, func(a, b types.VpnGateway) int {
		return strings.Compare(awssdk.ToString(a.VpnGatewayId), awssdk.ToString(b.VpnGatewayId))
	})
	if len(vs) == 0 {
		return nil, nil
	}
	return &vs[0], nil
}

// findVPNGatewayByID returns the VGW, nil when EC2 does not know it; the
// read is batched (idreads.go).
func (d *Driver) findVPNGatewayByID(ctx context.Context, c *ec2.Client, id string) (*types.VpnGateway, error) {
	return d.reads.vgws.read(ctx, c, id)
}

func (d *Driver) statusVPNGateway(c *ec2.Client, id string) stateFunc {
	return func(ctx context.Context) (string, bool, error) {
		v, err := d.findVPNGatewayByID(ctx, c, id)
		if err != nil || v == nil {
			return "", false, err
		}
		return string(v.State), true, nil
	}
}

// waitVPNGatewayAvailable returns the VGW as its last poll saw it.
func (d *Driver) waitVPNGatewayAvailable(ctx context.Context, s *site, id string) (*types.VpnGateway, error) {
	var seen *types.VpnGateway
	_, err := d.wait(ctx, waitSpec{what: "EC2 VPN Gateway " + id, pending: []string{string(types.VpnStatePending)},
		target: []string{string(types.VpnStateAvailable)}, timeout: vgwCreateTimeout, batched: true}, func(ctx context.Context) (string, bool, error) {
		v, err := d.findVPNGatewayByID(ctx, s.ec2, id)
		if err != nil || v == nil {
			return "", false, err
		}
		seen = v
		return string(v.State), true, nil
	})
	return seen, err
}

func (d *Driver) waitVPNGatewayDeleted(ctx context.Context, s *site, id string) error {
	_, err := d.wait(ctx, waitSpec{what: "EC2 VPN Gateway " + id,
		pending: []string{string(types.VpnStatePending), string(types.VpnStateAvailable), string(types.VpnStateDeleting)},
		target:  []string{string(types.VpnStateDeleted)}, goneOK: true, timeout: vgwDeleteTimeout, batched: true}, d.statusVPNGateway(s.ec2, id))
	return err
}

func (d *Driver) createVPNGateway(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	asn, err := strconv.ParseInt(o.Attrs["amazon_side_asn"], 10, 64)
	if err != nil {
		return plan.Object{}, fmt.Errorf("amazon_side_asn %q is not a number", o.Attrs["amazon_side_asn"])
	}
	v, err := createOrAdopt(ctx, d,
		func(ctx context.Context) (*types.VpnGateway, error) {
			return findVPNGatewayByKey(ctx, s, d.mesh.Name, o.Key)
		},
		func(ctx context.Context) (*types.VpnGateway, error) {
			out, err := s.ec2.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{
				Type:              types.GatewayTypeIpsec1,
				AmazonSideAsn:     awssdk.Int64(asn),
				TagSpecifications: tagSpec(types.ResourceTypeVpnGateway, ownerTags(d.mesh.Name, o)),
			}, d.forCreate)
			if err != nil {
				return nil, err
			}
			return out.VpnGateway, nil
		})
	if err != nil {
		return plan.Object{}, err
	}
	id := awssdk.ToString(v.VpnGatewayId)
	if v, err = d.waitVPNGatewayAvailable(ctx, s, id); err != nil {
		return plan.Object{}, err
	}
	return vgwObject(o.Key, s.region, *v), nil
}

func (d *Driver) deleteVPNGateway(ctx context.Context, s *site, o plan.Object) error {
	// A detach takes a while to settle: EC2 refuses the delete with
	// IncorrectState until it has.
	err := d.retryWhileSettling(ctx, vgwDeleteTimeout, func(ctx context.Context) error {
		_, err := s.ec2.DeleteVpnGateway(ctx, &ec2.DeleteVpnGatewayInput{VpnGatewayId: awssdk.String(o.ID)})
		return err
	})
	if isCode(err, codeVGWNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return d.waitVPNGatewayDeleted(ctx, s, o.ID)
}

// vgwObject is what the plan sees of a VGW.
func vgwObject(key, region string, v types.VpnGateway) plan.Object {
	o := object(key, awssdk.ToString(v.VpnGatewayId))
	o.Attrs["region"] = region
	if v.AmazonSideAsn != nil {
		o.Attrs["amazon_side_asn"] = strconv.FormatInt(*v.AmazonSideAsn, 10)
	}
	return o
}

// object starts an observed object from its key.
func object(key, id string) plan.Object {
	cloud, site, kind, _, _ := plan.SplitKey(key)
	return plan.Object{Key: key, Kind: cloud + "_" + kind, Cloud: cloud, Site: site, ID: id, Attrs: map[string]string{}}
}
