package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Routes toward a transit gateway in a VPC's route tables. A transit
// gateway propagates nothing into VPC route tables (AWS Transit Gateway
// Guide: "you must add a route to your subnet route table"), so each remote
// prefix is one plan object, a route in every route table of the VPC.
// Routes carry no tags: a route is the mesh's when it targets the mesh's
// transit gateway (which does). Observe reports route_tables "all" when
// every table has it and "partial" otherwise, so a table added later is
// drift the next apply repairs in place. A destination another target
// already holds is refused, never replaced.

const codeRouteExists = "RouteAlreadyExists"
const codeRouteNotFound = "InvalidRoute.NotFound"

// routeTo reports the static route for dest in rt, if any. Routes a VGW
// propagates do not count: a static route for the same prefix may exist
// beside them (and wins).
func routeTo(rt types.RouteTable, dest string) (types.Route, bool) {
	for _, r := range rt.Routes {
		if r.Origin == types.RouteOriginEnableVgwRoutePropagation {
			continue
		}
		if awssdk.ToString(r.DestinationCidrBlock) == dest {
			return r, true
		}
	}
	return types.Route{}, false
}

func vpcRouteIDs(o plan.Object) (vpc, dest, tgw string, err error) {
	vpc, dest, tgw = o.Attrs["vpc_id"], o.Attrs["destination"], o.Attrs["transit_gateway"]
	if vpc == "" || dest == "" || tgw == "" {
		return "", "", "", fmt.Errorf("route %s needs vpc_id, destination and transit_gateway", o.Key)
	}
	return vpc, dest, tgw, nil
}

func (d *Driver) createVPCRoute(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	vpc, dest, tgw, err := vpcRouteIDs(o)
	if err != nil {
		return plan.Object{}, err
	}
	rts, err := routeTables(ctx, s.ec2, []string{vpc})
	if err != nil {
		return plan.Object{}, fmt.Errorf("listing the route tables of VPC %s: %w", vpc, err)
	}
	if len(rts) == 0 {
		return plan.Object{}, fmt.Errorf("VPC %s has no route tables to route %s to transit gateway %s in", vpc, dest, tgw)
	}
	for _, rt := range rts {
		id := awssdk.ToString(rt.RouteTableId)
		if r, ok := routeTo(rt, dest); ok {
			if awssdk.ToString(r.TransitGatewayId) == tgw {
				continue
			}
			return plan.Object{}, foreignRoute(id, dest, r)
		}
		// CreateRoute is idempotent for the same target (EC2 answers an
		// identical route with success), so SDK retries are safe.
		_, err := s.ec2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: awssdk.String(id),
			DestinationCidrBlock: awssdk.String(dest), TransitGatewayId: awssdk.String(tgw)})
		if isCode(err, codeRouteExists) {
			err = d.checkRouteOwner(ctx, s, id, dest, tgw)
		}
		if err != nil {
			return plan.Object{}, fmt.Errorf("adding route %s via %s to route table %s: %w", dest, tgw, id, err)
		}
	}
	return vpcRouteObject(o.Key, vpc, dest, tgw, "all", nil), nil
}

// checkRouteOwner reads a route that already exists: fine if it targets
// the transit gateway, refused otherwise.
func (d *Driver) checkRouteOwner(ctx context.Context, s *site, rtb, dest, tgw string) error {
	out, err := s.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rtb}})
	if err != nil {
		return err
	}
	for _, rt := range out.RouteTables {
		if r, ok := routeTo(rt, dest); ok && awssdk.ToString(r.TransitGatewayId) != tgw {
			return foreignRoute(rtb, dest, r)
		}
	}
	return nil
}

func foreignRoute(rtb, dest string, r types.Route) error {
	target := "another target"
	for _, t := range []*string{r.GatewayId, r.TransitGatewayId, r.NatGatewayId, r.NetworkInterfaceId, r.VpcPeeringConnectionId, r.InstanceId} {
		if t != nil {
			target = *t
			break
		}
	}
	return fmt.Errorf("route table %s already routes %s to %s; crosslink does not replace routes it did not create: remove that route, or give the sites cidrs that do not overlap it", rtb, dest, target)
}

// updateVPCRoute adds the route to the tables that lack it.
func (d *Driver) updateVPCRoute(ctx context.Context, s *site, desired, _ plan.Object, _ driver.Secrets) (plan.Object, error) {
	return d.createVPCRoute(ctx, s, desired)
}

func (d *Driver) deleteVPCRoute(ctx context.Context, s *site, o plan.Object) error {
	vpc, dest, tgw, err := vpcRouteIDs(o)
	if err != nil {
		return err
	}
	rts, err := routeTables(ctx, s.ec2, []string{vpc})
	if err != nil {
		return fmt.Errorf("listing the route tables of VPC %s: %w", vpc, err)
	}
	var errs []error
	for _, rt := range rts {
		id := awssdk.ToString(rt.RouteTableId)
		if r, ok := routeTo(rt, dest); !ok || awssdk.ToString(r.TransitGatewayId) != tgw {
			continue
		}
		_, err := s.ec2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: awssdk.String(id), DestinationCidrBlock: awssdk.String(dest)})
		if err != nil && !isCode(err, codeRouteNotFound, codeRouteTableNotFound) {
			errs = append(errs, fmt.Errorf("deleting route %s from route table %s: %w", dest, id, err))
		}
	}
	return errors.Join(errs...)
}

// vpcRouteObject is what the plan sees of one destination's routes.
func vpcRouteObject(key, vpc, dest, tgw, tables string, deps []string) plan.Object {
	o := object(key, tgw+"/"+vpc+"/"+dest)
	o.Attrs["vpc_id"], o.Attrs["destination"], o.Attrs["transit_gateway"], o.Attrs["route_tables"] = vpc, dest, tgw, tables
	o.Deps = deps
	return o
}

// vpcRouteObjects finds, in the route tables of a TGW site's VPC, the
// routes that target the site's transit gateway, one object per
// destination.
func vpcRouteObjects(site, vpc, tgw string, rts []types.RouteTable, deps []string) []plan.Object {
	tables := 0
	have := map[string]int{}
	for _, rt := range rts {
		if awssdk.ToString(rt.VpcId) != vpc {
			continue
		}
		tables++
		for _, r := range rt.Routes {
			if awssdk.ToString(r.TransitGatewayId) == tgw && r.DestinationCidrBlock != nil {
				have[*r.DestinationCidrBlock]++
			}
		}
	}
	dests := make([]string, 0, len(have))
	for dest := range have {
		dests = append(dests, dest)
	}
	sort.Strings(dests)
	var out []plan.Object
	for _, dest := range dests {
		state := "partial"
		if have[dest] == tables {
			state = "all"
		}
		out = append(out, vpcRouteObject(plan.Key(string(topology.AWS), site, "vpc_route", dest), vpc, dest, tgw, state, deps))
	}
	return out
}
