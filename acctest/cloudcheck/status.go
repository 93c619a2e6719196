package cloudcheck

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/api/iterator"
)

// Tunnels is what the SDKs report of a mesh's tunnels.
type Tunnels struct {
	// AWS maps "<vpn id>/<outside ip>" to the telemetry status (UP/DOWN)
	// and message; GCP maps a tunnel name to its status, and
	// "<router>/<peer>" to the BGP peer status.
	AWS, GCP, GCPBGP map[string]string
	// AWSConnections maps each VPN connection id to its tunnels' PSKs (in
	// outside-IP order), so tests can see a rotation happen in place.
	AWSConnections map[string][]string
	GCPTunnelIDs   map[string]uint64
	// GCPPairs maps a GCP tunnel name to the site pair ("a~b") of the
	// tunnel key in its description.
	GCPPairs map[string]string
}

// UpPairs counts, per site pair with a GCP end, the tunnels GCP reports
// ESTABLISHED: a GCP tunnel is established only once both of its halves
// agree on the key, so this is the pair's working tunnels as a cloud
// reports them.
func (t Tunnels) UpPairs() map[string]int {
	out := map[string]int{}
	for name, pair := range t.GCPPairs {
		if _, ok := out[pair]; !ok {
			out[pair] = 0
		}
		if strings.HasPrefix(t.GCP[name], "ESTABLISHED") {
			out[pair]++
		}
	}
	return out
}

// Down lists every tunnel or session that is not up, sorted.
func (t Tunnels) Down() []string {
	var out []string
	for k, v := range t.AWS {
		if !strings.HasPrefix(v, "UP") {
			out = append(out, "aws "+k+": "+v)
		}
	}
	for k, v := range t.GCP {
		if !strings.HasPrefix(v, "ESTABLISHED") {
			out = append(out, "gcp tunnel "+k+": "+v)
		}
	}
	for k, v := range t.GCPBGP {
		if !strings.HasPrefix(v, "UP") {
			out = append(out, "gcp bgp "+k+": "+v)
		}
	}
	sort.Strings(out)
	return out
}

// Count is the number of tunnels and BGP sessions seen.
func (t Tunnels) Count() (aws, gcp, gcpBGP int) { return len(t.AWS), len(t.GCP), len(t.GCPBGP) }

// ReadTunnels reads every tunnel of the mesh and its status.
func (c *Clients) ReadTunnels(ctx context.Context) (Tunnels, error) {
	t := Tunnels{AWS: map[string]string{}, GCP: map[string]string{}, GCPBGP: map[string]string{},
		AWSConnections: map[string][]string{}, GCPTunnelIDs: map[string]uint64{}, GCPPairs: map[string]string{}}
	for region, cl := range c.ec2 {
		out, err := cl.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{Filters: c.meshFilter()})
		if err != nil {
			return t, fmt.Errorf("describing VPN connections in %s: %w", region, err)
		}
		for _, v := range out.VpnConnections {
			if v.State == ec2types.VpnStateDeleted || v.State == ec2types.VpnStateDeleting {
				continue
			}
			id := awssdk.ToString(v.VpnConnectionId)
			for _, tel := range v.VgwTelemetry {
				t.AWS[id+"/"+awssdk.ToString(tel.OutsideIpAddress)] = fmt.Sprintf("%s %s", tel.Status, awssdk.ToString(tel.StatusMessage))
			}
			var psks []string
			if v.Options != nil {
				opts := append([]ec2types.TunnelOption(nil), v.Options.TunnelOptions...)
				sort.Slice(opts, func(i, j int) bool {
					return awssdk.ToString(opts[i].OutsideIpAddress) < awssdk.ToString(opts[j].OutsideIpAddress)
				})
				for _, o := range opts {
					psks = append(psks, awssdk.ToString(o.PreSharedKey))
				}
			}
			t.AWSConnections[id] = psks
		}
	}
	for _, region := range c.t.GCPRegions {
		it := c.tunnels.List(ctx, &computepb.ListVpnTunnelsRequest{Project: c.t.GCPProject, Region: region,
			Filter: awssdk.String(fmt.Sprintf("labels.crosslink-mesh = %q", c.t.Mesh))})
		for {
			tun, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return t, fmt.Errorf("listing VPN tunnels in %s: %w", region, err)
			}
			t.GCP[tun.GetName()] = tun.GetStatus() + " " + tun.GetDetailedStatus()
			t.GCPTunnelIDs[tun.GetName()] = tun.GetId()
			if _, key, ok := strings.Cut(tun.GetDescription(), " key="); ok {
				if i := strings.LastIndexByte(key, '/'); i >= 0 {
					pair, _, _ := strings.Cut(key[i+1:], "#")
					t.GCPPairs[tun.GetName()] = pair
				}
			}
		}
		rit := c.routers.List(ctx, &computepb.ListRoutersRequest{Project: c.t.GCPProject, Region: region})
		for {
			r, err := rit.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return t, fmt.Errorf("listing routers in %s: %w", region, err)
			}
			if !strings.Contains(r.GetDescription(), "mesh="+c.t.Mesh+" ") {
				continue
			}
			st, err := c.routers.GetRouterStatus(ctx, &computepb.GetRouterStatusRouterRequest{Project: c.t.GCPProject, Region: region, Router: r.GetName()})
			if err != nil {
				return t, fmt.Errorf("router status of %s: %w", r.GetName(), err)
			}
			for _, p := range st.GetResult().GetBgpPeerStatus() {
				t.GCPBGP[r.GetName()+"/"+p.GetName()] = p.GetStatus() + " " + p.GetState() + " " + p.GetStatusReason()
			}
		}
	}
	return t, nil
}

func (c *Clients) meshFilter() []ec2types.Filter {
	return []ec2types.Filter{{Name: awssdk.String("tag:crosslink-mesh"), Values: []string{c.t.Mesh}}}
}

// MeshRoutes is what the clouds hold toward the mesh: per AWS VPC the
// destinations its route tables send to a VPN or transit gateway (the
// smallest set over its tables: every table must have a route), and per
// GCP router the destinations of its best routes.
type MeshRoutes struct {
	AWS map[string][]string // VPC id → destinations
	GCP map[string][]string // router name → destinations
}

// ReadRoutes reads the route tables of the given VPCs and the status of the
// mesh's Cloud Routers.
func (c *Clients) ReadRoutes(ctx context.Context, vpcs []string) (MeshRoutes, error) {
	out := MeshRoutes{AWS: map[string][]string{}, GCP: map[string][]string{}}
	for region, cl := range c.ec2 {
		if len(vpcs) == 0 {
			break
		}
		rts, err := cl.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: vpcs}}})
		if err != nil {
			return out, fmt.Errorf("describing route tables in %s: %w", region, err)
		}
		count := map[string]map[string]int{}
		tables := map[string]int{}
		for _, rt := range rts.RouteTables {
			vpc := awssdk.ToString(rt.VpcId)
			tables[vpc]++
			if count[vpc] == nil {
				count[vpc] = map[string]int{}
			}
			for _, r := range rt.Routes {
				gw := awssdk.ToString(r.GatewayId)
				if r.State == ec2types.RouteStateActive && (strings.HasPrefix(gw, "vgw-") || r.TransitGatewayId != nil) {
					count[vpc][awssdk.ToString(r.DestinationCidrBlock)]++
				}
			}
		}
		for vpc, dests := range count {
			var all []string
			for d, n := range dests {
				if n == tables[vpc] {
					all = append(all, d)
				}
			}
			sort.Strings(all)
			out.AWS[vpc] = all
		}
	}
	for _, region := range c.t.GCPRegions {
		rit := c.routers.List(ctx, &computepb.ListRoutersRequest{Project: c.t.GCPProject, Region: region})
		for {
			r, err := rit.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return out, fmt.Errorf("listing routers in %s: %w", region, err)
			}
			if !strings.Contains(r.GetDescription(), "mesh="+c.t.Mesh+" ") {
				continue
			}
			st, err := c.routers.GetRouterStatus(ctx, &computepb.GetRouterStatusRouterRequest{Project: c.t.GCPProject, Region: region, Router: r.GetName()})
			if err != nil {
				return out, fmt.Errorf("router status of %s: %w", r.GetName(), err)
			}
			var dests []string
			for _, b := range st.GetResult().GetBestRoutes() {
				dests = append(dests, b.GetDestRange())
			}
			sort.Strings(dests)
			out.GCP[r.GetName()] = slices.Compact(dests)
		}
	}
	return out, nil
}
