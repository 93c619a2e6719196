package ec2

import (
	"net/netip"
	"slices"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Static routes of a route table (CreateRoute, DeleteRoute), toward a
// transit gateway: the one target crosslink uses. Rules from the EC2 API
// reference and the Transit Gateway Guide: the destination is an IPv4 CIDR;
// one route per destination in a table (RouteAlreadyExists), including the
// VPC's own local route; the transit gateway must exist and be attached to
// the table's VPC; DeleteRoute of a destination the table does not hold is
// InvalidRoute.NotFound. A route whose transit gateway is gone or no
// longer attached shows as a blackhole.

// staticRoute is one route a caller created.
type staticRoute struct {
	Dest string
	TGW  string
}

func routesOf(r *store.Resource) []staticRoute {
	s, _ := r.Attrs["routes"].([]staticRoute)
	return s
}

// createRoute adds a route toward a transit gateway.
func (c *call) createRoute() ([]node, error) {
	rtb, err := c.required("RouteTableId")
	if err != nil {
		return nil, err
	}
	dest, err := c.required("DestinationCidrBlock")
	if err != nil {
		return nil, err
	}
	p, perr := netip.ParsePrefix(dest)
	if perr != nil || !p.Addr().Is4() || p != p.Masked() {
		return nil, apiErr("InvalidParameterValue", "Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", dest)
	}
	tgw := c.str("TransitGatewayId")
	if tgw == "" {
		return nil, apiErr("InvalidParameterCombination", "No route target specified: this emulator supports TransitGatewayId only")
	}
	_, err = c.update(kRTB, rtb, func(r *store.Resource) error {
		rs := routesOf(r)
		for _, x := range rs {
			if x.Dest == dest {
				if x.TGW == tgw {
					return nil // the same route again: EC2 accepts it
				}
				return apiErr("RouteAlreadyExists", "The route identified by %s already exists.", dest)
			}
		}
		r.Attrs["routes"] = append(slices.Clone(rs), staticRoute{Dest: dest, TGW: tgw})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []node{flag("return", true)}, nil
}

// deleteRoute removes a table's route for a destination.
func (c *call) deleteRoute() ([]node, error) {
	rtb, err := c.required("RouteTableId")
	if err != nil {
		return nil, err
	}
	dest, err := c.required("DestinationCidrBlock")
	if err != nil {
		return nil, err
	}
	_, err = c.update(kRTB, rtb, func(r *store.Resource) error {
		rs := routesOf(r)
		i := slices.IndexFunc(rs, func(x staticRoute) bool { return x.Dest == dest })
		if i < 0 {
			return apiErr("InvalidRoute.NotFound", "no route with destination-cidr-block %s in route table %s", dest, rtb)
		}
		r.Attrs["routes"] = slices.Delete(slices.Clone(rs), i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []node{flag("return", true)}, nil
}

// staticRouteRule checks routes new in an update of a route table: not the
// VPC's own CIDR, toward a transit gateway attached to the table's VPC.
func staticRouteRule(v store.View, old, nw *store.Resource) error {
	vpcID := rtbOf(nw).VpcID
	for _, x := range routesOf(nw) {
		if slices.Contains(routesOf(old), x) {
			continue
		}
		if vpc, ok := view(v, kVPC, nw.Scope, vpcID); ok && vpcOf(&vpc).CIDR == x.Dest {
			return apiErr("RouteAlreadyExists", "The route identified by %s already exists.", x.Dest)
		}
		if g, ok := view(v, kTGW, nw.Scope, x.TGW); !ok || gone(g.State) {
			return kTGW.missing(x.TGW)
		}
		if !tgwAttachedTo(v, x.TGW, vpcID) {
			return apiErr("InvalidTransitGatewayID.NotFound", "The transitGateway ID '%s' does not exist in the VPC %s: attach it to the VPC first.", x.TGW, vpcID)
		}
	}
	return nil
}

// tgwAttachedTo reports whether tgw has an available attachment to vpc.
func tgwAttachedTo(v store.View, tgw, vpc string) bool {
	for _, a := range v.Find(store.ByKind(kTGWAtt.name)) {
		if aa := tgwAttOf(&a); aa.TGW == tgw && aa.ResourceType == "vpc" && aa.ResourceID == vpc && a.State == stateAvailable {
			return true
		}
	}
	return false
}

// renderStaticRoutes is a table's routes as DescribeRouteTables shows them.
func renderStaticRoutes(v store.View, r *store.Resource) []node {
	var out []node
	vpc := rtbOf(r).VpcID
	for _, x := range routesOf(r) {
		state := "active"
		if !tgwAttachedTo(v, x.TGW, vpc) {
			state = "blackhole"
		}
		out = append(out, el("item", tx("destinationCidrBlock", x.Dest), tx("transitGatewayId", x.TGW),
			tx("state", state), tx("origin", "CreateRoute")))
	}
	return out
}
