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

// Timeouts as terraform-provider-aws's for transit gateways.
const (
	tgwCreateTimeout = 10 * time.Minute
	tgwDeleteTimeout = 10 * time.Minute
)

func liveTGW(s types.TransitGatewayState) bool {
	return s != types.TransitGatewayStateDeleting && s != types.TransitGatewayStateDeleted
}

// describeTransitGateways pages through every match.
func describeTransitGateways(ctx context.Context, c *ec2.Client, in *ec2.DescribeTransitGatewaysInput) ([]types.TransitGateway, error) {
	var out []types.TransitGateway
	p := ec2.NewDescribeTransitGatewaysPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.TransitGateways...)
	}
	return out, nil
}

func findTransitGatewayByKey(ctx context.Context, s *site, mesh, key string) (*types.TransitGateway, error) {
	ts, err := describeTransitGateways(ctx, s.ec2, &ec2.DescribeTransitGatewaysInput{Filters: keyFilters(mesh, key)})
	if err != nil {
		return nil, err
	}
	ts = slices.DeleteFunc(ts, func(t types.TransitGateway) bool { return !liveTGW(t.State) })
	if len(ts) == 0 {
		return nil, nil
	}
	slices.SortFunc(ts, func(a, b types.TransitGateway) int {
		return strings.Compare(awssdk.ToString(a.TransitGatewayId), awssdk.ToString(b.TransitGatewayId))
	})
	return &ts[0], nil
}

func findTransitGatewayByID(ctx context.Context, c *ec2.Client, id string) (*types.TransitGateway, error) {
	ts, err := describeTransitGateways(ctx, c, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{id}})
	if isCode(err, codeTGWNotFound) || (err == nil && len(ts) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &ts[0], nil
}

func statusTransitGateway(c *ec2.Client, id string) stateFunc {
	return func(ctx context.Context) (string, bool, error) {
		t, err := findTransitGatewayByID(ctx, c, id)
		if err != nil || t == nil {
			return "", false, err
		}
		return string(t.State), true, nil
	}
}

func (d *Driver) createTransitGateway(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	asn, err := strconv.ParseInt(o.Attrs["amazon_side_asn"], 10, 64)
	if err != nil {
		return plan.Object{}, fmt.Errorf("amazon_side_asn %q is not a number", o.Attrs["amazon_side_asn"])
	}
	t, err := createOrAdopt(ctx, d,
		func(ctx context.Context) (*types.TransitGateway, error) {
			return findTransitGatewayByKey(ctx, s, d.mesh.Name, o.Key)
		},
		func(ctx context.Context) (*types.TransitGateway, error) {
			out, err := s.ec2.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{
				Description: awssdk.String("crosslink mesh " + d.mesh.Name + ", site " + s.name),
				Options: &types.TransitGatewayRequestOptions{
					AmazonSideAsn: awssdk.Int64(asn),
					// ECMP lets the two tunnels of each VPN connection (and
					// several connections) carry traffic at once; default
					// association and propagation put VPN routes where the
					// VPC attachment sees them.
					VpnEcmpSupport:               types.VpnEcmpSupportValueEnable,
					DefaultRouteTableAssociation: types.DefaultRouteTableAssociationValueEnable,
					DefaultRouteTablePropagation: types.DefaultRouteTablePropagationValueEnable,
				},
				TagSpecifications: tagSpec(types.ResourceTypeTransitGateway, ownerTags(d.mesh.Name, o)),
			}, d.forCreate)
			if err != nil {
				return nil, err
			}
			return out.TransitGateway, nil
		})
	if err != nil {
		return plan.Object{}, err
	}
	id := awssdk.ToString(t.TransitGatewayId)
	if _, err := d.wait(ctx, waitSpec{what: "EC2 Transit Gateway " + id,
		pending: []string{string(types.TransitGatewayStatePending), string(types.TransitGatewayStateModifying)},
		target:  []string{string(types.TransitGatewayStateAvailable)}, timeout: tgwCreateTimeout},
		statusTransitGateway(s.ec2, id)); err != nil {
		return plan.Object{}, err
	}
	if t, err = findTransitGatewayByID(ctx, s.ec2, id); err != nil || t == nil {
		return plan.Object{}, fmt.Errorf("reading EC2 Transit Gateway %s: %w", id, orGone(err))
	}
	return tgwObject(o.Key, s.region, *t), nil
}

func (d *Driver) deleteTransitGateway(ctx context.Context, s *site, o plan.Object) error {
	// Attachments being deleted hold the TGW: IncorrectState until they go.
	err := d.retryWhileSettling(ctx, tgwDeleteTimeout, func(ctx context.Context) error {
		_, err := s.ec2.DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: awssdk.String(o.ID)})
		return err
	})
	if isCode(err, codeTGWNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = d.wait(ctx, waitSpec{what: "EC2 Transit Gateway " + o.ID,
		pending: []string{string(types.TransitGatewayStateAvailable), string(types.TransitGatewayStateDeleting),
			string(types.TransitGatewayStateModifying), string(types.TransitGatewayStatePending)},
		target: []string{string(types.TransitGatewayStateDeleted)}, goneOK: true, timeout: tgwDeleteTimeout},
		statusTransitGateway(s.ec2, o.ID))
	return err
}

func tgwObject(key, region string, t types.TransitGateway) plan.Object {
	o := object(key, awssdk.ToString(t.TransitGatewayId))
	o.Attrs["region"] = region
	if t.Options != nil && t.Options.AmazonSideAsn != nil {
		o.Attrs["amazon_side_asn"] = strconv.FormatInt(*t.Options.AmazonSideAsn, 10)
	}
	return o
}
