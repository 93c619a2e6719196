package aws

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Observe lists, per region of the scope's sites, one tag-filtered describe
// per kind (VPC attachments and route propagation are read off the VGWs and
// the route tables of the sites' VPCs), and checks that every site's VPC
// exists, so a wrong network_id stops the apply before anything is made.
func (d *Driver) Observe(ctx context.Context, scope driver.Scope) ([]plan.Object, error) {
	mesh := scope.Mesh
	if mesh == "" {
		mesh = d.mesh.Name
	}
	byRegion := map[string][]topology.Site{}
	for _, name := range scope.Sites {
		s, ok := d.mesh.Site(name)
		if !ok || s.Cloud != topology.AWS {
			return nil, fmt.Errorf("site %q is not an AWS site of mesh %q", name, d.mesh.Name)
		}
		byRegion[s.Region] = append(byRegion[s.Region], s)
	}
	regions := slices.Sorted(maps.Keys(byRegion))
	lists := make([][]plan.Object, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	for i, region := range regions {
		g.Go(func() error {
			objs, err := d.observeRegion(gctx, mesh, region, byRegion[region])
			lists[i] = objs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := slices.Concat(lists...)
	slices.SortFunc(out, func(a, b plan.Object) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// regionView is everything one region holds for the mesh.
type regionView struct {
	vpcs map[string]bool
	// vpcCIDRs holds each VPC's associated IPv4 CIDR blocks: what its
	// gateway announces.
	vpcCIDRs map[string][]netip.Prefix
	vgws     []types.VpnGateway
	cgws     []types.CustomerGateway
	vpns     []types.VpnConnection
	tgws     []types.TransitGateway
	tgas     []types.TransitGatewayVpcAttachment
	rts      []types.RouteTable
}

func (d *Driver) observeRegion(ctx context.Context, mesh, region string, sites []topology.Site) ([]plan.Object, error) {
	names := make([]string, len(sites))
	vpcs := make([]string, 0, len(sites))
	for i, s := range sites {
		names[i] = fmt.Sprintf("%q", s.Name)
		if s.NetworkID != "" && !slices.Contains(vpcs, s.NetworkID) {
			vpcs = append(vpcs, s.NetworkID)
		}
	}
	where := fmt.Sprintf("site %s (%s)", strings.Join(names, ", "), region)
	if len(sites) > 1 {
		where = fmt.Sprintf("sites %s (%s)", strings.Join(names, ", "), region)
	}
	c, err := d.client(ctx, region)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	v, err := describeRegion(ctx, c, mesh, vpcs)
	if err != nil {
		return nil, fmt.Errorf("listing EC2 objects of %s: %w", where, explain(err))
	}
	var missing []error
	for _, s := range sites {
		if !v.vpcs[s.NetworkID] {
			missing = append(missing, fmt.Errorf("site %q: VPC %s does not exist in %s", s.Name, s.NetworkID, region))
			continue
		}
		if err := cidrsWithin(s, v.vpcCIDRs[s.NetworkID]); err != nil {
			missing = append(missing, err)
		}
	}
	if len(missing) > 0 {
		return nil, errors.Join(missing...)
	}
	inScope := map[string]bool{}
	for _, s := range sites {
		inScope[s.Name] = true
	}
	return v.objects(region, inScope), nil
}

// describeRegion makes the region's describes, a few at a time (the
// region's pacer orders them anyway).
func describeRegion(ctx context.Context, c *ec2.Client, mesh string, vpcs []string) (*regionView, error) {
	v := &regionView{vpcs: map[string]bool{}, vpcCIDRs: map[string][]netip.Prefix{}}
	mf := []types.Filter{meshFilter(mesh)}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	g.Go(func() error {
		if len(vpcs) == 0 {
			return nil
		}
		// A filter, not VpcIds: a missing ID then is an absent row, which
		// can be blamed on its site, rather than an error for the call.
		p := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("vpc-id", vpcs...)}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, x := range page.Vpcs {
				id := awssdk.ToString(x.VpcId)
				v.vpcs[id] = true
				v.vpcCIDRs[id] = vpcCIDRs(x)
			}
		}
		return nil
	})
	g.Go(func() (err error) {
		v.vgws, err = describeVPNGateways(ctx, c, &ec2.DescribeVpnGatewaysInput{Filters: mf})
		return err
	})
	g.Go(func() (err error) {
		v.cgws, err = describeCustomerGateways(ctx, c, &ec2.DescribeCustomerGatewaysInput{Filters: mf})
		return err
	})
	g.Go(func() (err error) {
		v.vpns, err = describeVPNConnections(ctx, c, &ec2.DescribeVpnConnectionsInput{Filters: mf})
		return err
	})
	g.Go(func() (err error) {
		v.tgws, err = describeTransitGateways(ctx, c, &ec2.DescribeTransitGatewaysInput{Filters: mf})
		return err
	})
	g.Go(func() (err error) {
		v.tgas, err = describeTGWVPCAttachments(ctx, c, &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: mf})
		return err
	})
	g.Go(func() (err error) {
		v.rts, err = routeTables(ctx, c, vpcs)
		return err
	})
	return v, g.Wait()
}

// owned parses an object's ownership key and says whether it is an AWS
// object of kind at a site in scope.
func owned(key, kind string, inScope map[string]bool) (site string, ok bool) {
	cloud, site, k, _, ok := plan.SplitKey(key)
	return site, ok && cloud == string(topology.AWS) && k == kind && inScope[site]
}

// objects turns the region's listings into plan objects of in-scope sites,
// with Deps from the IDs they reference, so deletes of objects no longer
// wanted run in a working order.
func (v *regionView) objects(region string, inScope map[string]bool) []plan.Object {
	var out []plan.Object
	keyOf := map[string]string{} // EC2 ID → key, for Deps
	cgwKeys := map[string][]string{}
	for _, g := range v.vgws {
		key := tagMap(g.Tags)[tagKey]
		site, ok := owned(key, "vpn_gateway", inScope)
		if !ok || !live(string(g.State)) {
			continue
		}
		id := awssdk.ToString(g.VpnGatewayId)
		keyOf[id] = key
		out = append(out, vgwObject(key, region, g))
		for _, a := range g.VpcAttachments {
			if a.State != types.AttachmentStatusAttaching && a.State != types.AttachmentStatusAttached {
				continue
			}
			vpc := awssdk.ToString(a.VpcId)
			attKey := plan.Key(string(topology.AWS), site, "vpn_gateway_attachment", "main")
			out = append(out, vgwAttachmentObject(attKey, id, vpc, key))
			if allPropagate(v.rts, vpc, id) {
				out = append(out, propagationObject(plan.Key(string(topology.AWS), site, "vpn_gateway_route_propagation", "main"),
					id, vpc, []string{key, attKey}))
			}
		}
	}
	for _, t := range v.tgws {
		key := tagMap(t.Tags)[tagKey]
		if _, ok := owned(key, "transit_gateway", inScope); !ok || !liveTGW(t.State) {
			continue
		}
		keyOf[awssdk.ToString(t.TransitGatewayId)] = key
		out = append(out, tgwObject(key, region, t))
	}
	for _, a := range v.tgas {
		key := tagMap(a.Tags)[tagKey]
		site, ok := owned(key, "transit_gateway_vpc_attachment", inScope)
		if !ok || !liveTGWAttachment(a.State) {
			continue
		}
		tgw := awssdk.ToString(a.TransitGatewayId)
		out = append(out, tgwAttachmentObject(key, a, keyOf[tgw]))
		out = append(out, vpcRouteObjects(site, awssdk.ToString(a.VpcId), tgw, v.rts, []string{key})...)
	}
	for _, g := range v.cgws {
		if !liveCGW(g) {
			continue
		}
		id := awssdk.ToString(g.CustomerGatewayId)
		for _, key := range ownerKeys(tagMap(g.Tags)) {
			if _, ok := owned(key, "customer_gateway", inScope); ok {
				cgwKeys[id] = append(cgwKeys[id], key)
				out = append(out, cgwObject(key, g))
			}
		}
	}
	for _, c := range v.vpns {
		key := tagMap(c.Tags)[tagKey]
		site, ok := owned(key, "vpn_connection", inScope)
		if !ok || !liveVPN(c) {
			continue
		}
		var deps []string
		if k := cgwKeyFor(cgwKeys[awssdk.ToString(c.CustomerGatewayId)], site); k != "" {
			deps = append(deps, k)
		}
		if k := keyOf[vpnGateway(c)]; k != "" {
			deps = append(deps, k)
		}
		out = append(out, vpnObject(key, c, deps))
	}
	return out
}

// cgwKeyFor picks, among a shared customer gateway's owner keys, the one of
// the connection's own site.
func cgwKeyFor(keys []string, site string) string {
	for _, k := range keys {
		if _, s, _, _, _ := plan.SplitKey(k); s == site {
			return k
		}
	}
	if len(keys) > 0 {
		return keys[0]
	}
	return ""
}

// vpcCIDRs lists a VPC's IPv4 CIDR blocks in the associated state (the
// primary one included).
func vpcCIDRs(x types.Vpc) []netip.Prefix {
	var out []netip.Prefix
	add := func(c string) {
		if p, err := netip.ParsePrefix(c); err == nil && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(awssdk.ToString(x.CidrBlock))
	for _, a := range x.CidrBlockAssociationSet {
		if a.CidrBlockState == nil || a.CidrBlockState.State == types.VpcCidrBlockStateCodeAssociated {
			add(awssdk.ToString(a.CidrBlock))
		}
	}
	return out
}

// cidrsWithin checks that a site's cidrs lie inside its VPC's CIDR blocks.
// An AWS gateway announces the VPC's CIDRs, not the site's (docs/design.md,
// routing model), so a cidr outside them would be planned and never
// announced: the peers would have no route to it.
func cidrsWithin(s topology.Site, blocks []netip.Prefix) error {
	var outside []string
	for _, c := range s.CIDRs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			continue // validation reports it
		}
		in := false
		for _, b := range blocks {
			if b.Bits() <= p.Bits() && b.Contains(p.Addr()) {
				in = true
				break
			}
		}
		if !in {
			outside = append(outside, c)
		}
	}
	if len(outside) == 0 {
		return nil
	}
	have := make([]string, len(blocks))
	for i, b := range blocks {
		have[i] = b.String()
	}
	return fmt.Errorf("site %q: cidrs %s are not within the CIDR blocks of VPC %s (%s); AWS announces the VPC's CIDR blocks, not the site's cidrs, "+
		"so no peer would learn a route to them: give the site cidrs inside the VPC's, or associate those CIDR blocks with the VPC",
		s.Name, strings.Join(outside, ", "), s.NetworkID, strings.Join(have, ", "))
}
