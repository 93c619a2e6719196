package cloudcheck

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/api/iterator"
)

// Owned counts the live objects of the mesh per ownership key, read
// through the SDKs: a key counted twice is a duplicate.
func (c *Clients) Owned(ctx context.Context) (map[string]int, error) {
	n := map[string]int{}
	for region, cl := range c.ec2 {
		if err := c.ownedAWS(ctx, region, cl, n); err != nil {
			return nil, err
		}
	}
	if len(c.t.GCPRegions) > 0 {
		if err := c.ownedGCP(ctx, n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Duplicates lists keys held more than once.
func Duplicates(owned map[string]int) []string {
	var out []string
	for k, v := range owned {
		if v > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", k, v))
		}
	}
	sort.Strings(out)
	return out
}

func tagKey(tags []ec2types.Tag) string {
	for _, t := range tags {
		if awssdk.ToString(t.Key) == "crosslink-key" {
			return awssdk.ToString(t.Value)
		}
	}
	return "(untagged)"
}

func (c *Clients) ownedAWS(ctx context.Context, region string, cl *ec2.Client, n map[string]int) error {
	f := c.meshFilter()
	vgws, err := cl.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{Filters: f})
	if err != nil {
		return fmt.Errorf("describing VPN gateways in %s: %w", region, err)
	}
	for _, g := range vgws.VpnGateways {
		if g.State != ec2types.VpnStateDeleted && g.State != ec2types.VpnStateDeleting {
			n[tagKey(g.Tags)]++
		}
	}
	cgws, err := cl.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{Filters: f})
	if err != nil {
		return fmt.Errorf("describing customer gateways in %s: %w", region, err)
	}
	for _, g := range cgws.CustomerGateways {
		if s := awssdk.ToString(g.State); s != "deleted" && s != "deleting" {
			n[tagKey(g.Tags)]++
		}
	}
	vpns, err := cl.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{Filters: f})
	if err != nil {
		return fmt.Errorf("describing VPN connections in %s: %w", region, err)
	}
	for _, v := range vpns.VpnConnections {
		if v.State != ec2types.VpnStateDeleted && v.State != ec2types.VpnStateDeleting {
			n[tagKey(v.Tags)]++
		}
	}
	tgws := ec2.NewDescribeTransitGatewaysPaginator(cl, &ec2.DescribeTransitGatewaysInput{Filters: f})
	for tgws.HasMorePages() {
		p, err := tgws.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describing transit gateways in %s: %w", region, err)
		}
		for _, g := range p.TransitGateways {
			if g.State != ec2types.TransitGatewayStateDeleted && g.State != ec2types.TransitGatewayStateDeleting {
				n[tagKey(g.Tags)]++
			}
		}
	}
	return nil
}

func gcpKey(description string) string {
	if i := strings.Index(description, "key="); i >= 0 {
		return strings.Fields(description[i+len("key="):])[0]
	}
	return "(no key)"
}

// entryKey is the state key of a router interface or BGP peer named
// "<prefix><peer>-<n>": the tunnel key is "<a>~<b>#<n>" with a < b. An
// entry crosslink did not name keeps its name, so it shows as an orphan.
func entryKey(site, prefix, entry string) string {
	const kind = "router_bgp_peer"
	rest, ok := strings.CutPrefix(entry, prefix)
	dash := strings.LastIndexByte(rest, '-')
	if !ok || dash <= 0 {
		return "gcp/" + site + "/" + kind + "/(unnamed " + entry + ")"
	}
	a, b := site, rest[:dash]
	if b < a {
		a, b = b, a
	}
	return "gcp/" + site + "/" + kind + "/" + a + "~" + b + "#" + rest[dash+1:]
}

func (c *Clients) ownedGCP(ctx context.Context, n map[string]int) error {
	label := awssdk.String(fmt.Sprintf("labels.crosslink-mesh = %q", c.t.Mesh))
	p := c.t.GCPProject
	for _, region := range c.t.GCPRegions {
		tit := c.tunnels.List(ctx, &computepb.ListVpnTunnelsRequest{Project: p, Region: region, Filter: label})
		if err := each(tit.Next, func(t *computepb.VpnTunnel) { n[gcpKey(t.GetDescription())]++ }); err != nil {
			return fmt.Errorf("listing VPN tunnels in %s: %w", region, err)
		}
		git := c.gws.List(ctx, &computepb.ListVpnGatewaysRequest{Project: p, Region: region, Filter: label})
		if err := each(git.Next, func(g *computepb.VpnGateway) { n[gcpKey(g.GetDescription())]++ }); err != nil {
			return fmt.Errorf("listing VPN gateways in %s: %w", region, err)
		}
		rit := c.routers.List(ctx, &computepb.ListRoutersRequest{Project: p, Region: region})
		err := each(rit.Next, func(r *computepb.Router) {
			if !strings.Contains(r.GetDescription(), "mesh="+c.t.Mesh+" ") {
				return
			}
			key := gcpKey(r.GetDescription())
			n[key]++
			site := strings.Split(key, "/")[1]
			// A BGP peer object is two entries, the peer and its
			// interface: counted once per router.
			keys := map[string]bool{}
			for _, i := range r.GetInterfaces() {
				keys[entryKey(site, "if-", i.GetName())] = true
			}
			for _, b := range r.GetBgpPeers() {
				keys[entryKey(site, "bgp-", b.GetName())] = true
			}
			for k := range keys {
				n[k]++
			}
		})
		if err != nil {
			return fmt.Errorf("listing routers in %s: %w", region, err)
		}
	}
	eit := c.extGWs.List(ctx, &computepb.ListExternalVpnGatewaysRequest{Project: p, Filter: label})
	if err := each(eit.Next, func(g *computepb.ExternalVpnGateway) { n[gcpKey(g.GetDescription())]++ }); err != nil {
		return fmt.Errorf("listing external VPN gateways: %w", err)
	}
	return nil
}

// each drains an iterator.
func each[T any](next func() (T, error), fn func(T)) error {
	for {
		v, err := next()
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			return err
		}
		fn(v)
	}
}

// DeleteGCPTunnel deletes a tunnel behind crosslink's back (drift).
func (c *Clients) DeleteGCPTunnel(ctx context.Context, region, name string) error {
	op, err := c.tunnels.Delete(ctx, &computepb.DeleteVpnTunnelRequest{Project: c.t.GCPProject, Region: region, VpnTunnel: name})
	if err != nil {
		return err
	}
	return op.Wait(ctx)
}

// DeleteAWSVPN deletes a VPN connection behind crosslink's back (drift).
func (c *Clients) DeleteAWSVPN(ctx context.Context, region, id string) error {
	_, err := c.ec2[region].DeleteVpnConnection(ctx, &ec2.DeleteVpnConnectionInput{VpnConnectionId: awssdk.String(id)})
	return err
}
