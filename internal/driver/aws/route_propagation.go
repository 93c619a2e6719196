package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Route propagation is a property of each route table, not an object: the
// driver enables it on every route table of the VPC, and Observe reports it
// present only when every one propagates the VGW, so a route table added to
// the VPC later shows as drift that the next apply fixes.

// routeTables lists the route tables of the given VPCs.
func routeTables(ctx context.Context, c *ec2.Client, vpcs []string) ([]types.RouteTable, error) {
	if len(vpcs) == 0 {
		return nil, nil
	}
	var out []types.RouteTable
	p := ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter("vpc-id", vpcs...)}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.RouteTables...)
	}
	return out, nil
}

func propagates(rt types.RouteTable, vgw string) bool {
	return slices.ContainsFunc(rt.PropagatingVgws, func(p types.PropagatingVgw) bool { return awssdk.ToString(p.GatewayId) == vgw })
}

// allPropagate: the VPC has route tables and each propagates the VGW.
func allPropagate(rts []types.RouteTable, vpc, vgw string) bool {
	n := 0
	for _, rt := range rts {
		if awssdk.ToString(rt.VpcId) != vpc {
			continue
		}
		if !propagates(rt, vgw) {
			return false
		}
		n++
	}
	return n > 0
}

func (d *Driver) createRoutePropagation(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	vgw, vpc, err := attachmentIDs(o)
	if err != nil {
		return plan.Object{}, err
	}
	rts, err := routeTables(ctx, s.ec2, []string{vpc})
	if err != nil {
		return plan.Object{}, fmt.Errorf("listing the route tables of VPC %s: %w", vpc, err)
	}
	if len(rts) == 0 {
		return plan.Object{}, fmt.Errorf("VPC %s has no route tables to propagate VGW routes to", vpc)
	}
	// Enabling is idempotent: full SDK retries are safe.
	for _, rt := range rts {
		if propagates(rt, vgw) {
			continue
		}
		id := awssdk.ToString(rt.RouteTableId)
		if _, err := s.ec2.EnableVgwRoutePropagation(ctx, &ec2.EnableVgwRoutePropagationInput{
			GatewayId: awssdk.String(vgw), RouteTableId: awssdk.String(id)}); err != nil {
			return plan.Object{}, fmt.Errorf("enabling propagation into route table %s: %w", id, err)
		}
	}
	return propagationObject(o.Key, vgw, vpc, nil), nil
}

func (d *Driver) deleteRoutePropagation(ctx context.Context, s *site, o plan.Object) error {
	vgw, vpc, err := attachmentIDs(o)
	if err != nil {
		return err
	}
	rts, err := routeTables(ctx, s.ec2, []string{vpc})
	if err != nil {
		return fmt.Errorf("listing the route tables of VPC %s: %w", vpc, err)
	}
	var errs []error
	for _, rt := range rts {
		if !propagates(rt, vgw) {
			continue
		}
		id := awssdk.ToString(rt.RouteTableId)
		_, err := s.ec2.DisableVgwRoutePropagation(ctx, &ec2.DisableVgwRoutePropagationInput{
			GatewayId: awssdk.String(vgw), RouteTableId: awssdk.String(id)})
		if err != nil && !isCode(err, codeRouteTableNotFound, codeVGWNotFound) {
			errs = append(errs, fmt.Errorf("disabling propagation into route table %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// propagationObject is what the plan sees of a propagation; deps, when
// known, are the keys of the VGW and its attachment.
func propagationObject(key, vgw, vpc string, deps []string) plan.Object {
	o := object(key, vgw+"/"+vpc)
	o.Attrs["vpn_gateway"] = vgw
	o.Attrs["vpc_id"] = vpc
	o.Deps = deps
	return o
}
