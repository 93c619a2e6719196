package cloudbench

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/api/option"
)

// PerObjectReader refreshes a mesh's objects the way one-resource-per-object
// modules do (terraform-provider-aws and -google): every object read by
// its own ID, one SDK call each. It is the baseline the mesh's batched
// Observe is compared with.
type PerObjectReader struct {
	clouds *Clouds
	ec2    map[string]*ec2.Client // by region
	gws    *compute.VpnGatewaysClient
	exts   *compute.ExternalVpnGatewaysClient
	tuns   *compute.VpnTunnelsClient
	routes *compute.RoutersClient
}

// NewPerObjectReader builds the SDK clients on the emulator.
func NewPerObjectReader(ctx context.Context, c *Clouds) (*PerObjectReader, error) {
	r := &PerObjectReader{clouds: c, ec2: map[string]*ec2.Client{}}
	for _, region := range c.Mesh.Regions("aws") {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AWSKey, AWSSecret, "")))
		if err != nil {
			return nil, err
		}
		r.ec2[region] = ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = awssdk.String(c.Server.AWSURL) })
	}
	// The emulator speaks plain HTTP; the bearer transport carries the token.
	opts := []option.ClientOption{option.WithEndpoint(c.Server.GCPURL), option.WithHTTPClient(&http.Client{Transport: bearer{GCPToken}})}
	var err error
	if r.gws, err = compute.NewVpnGatewaysRESTClient(ctx, opts...); err == nil {
		if r.exts, err = compute.NewExternalVpnGatewaysRESTClient(ctx, opts...); err == nil {
			if r.tuns, err = compute.NewVpnTunnelsRESTClient(ctx, opts...); err == nil {
				r.routes, err = compute.NewRoutersRESTClient(ctx, opts...)
			}
		}
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close releases the GCP clients.
func (r *PerObjectReader) Close() {
	for _, c := range []interface{ Close() error }{r.gws, r.exts, r.tuns, r.routes} {
		if c != nil {
			_ = c.Close()
		}
	}
}

// Read reads every object by its ID and returns the calls made per object
// kind. Each read is what the per-object resource's Read calls:
//   - a VPN gateway, customer gateway or VPN connection: its Describe with
//     the one ID;
//   - a VGW attachment: DescribeVpnGateways of its VGW (the attachment is
//     an entry of the VGW, as aws_vpn_gateway_attachment reads it);
//   - a route propagation: DescribeRouteTables of its VPC
//     (aws_vpn_gateway_route_propagation reads the route table);
//   - a GCP gateway, external gateway, tunnel or router: its Get;
//   - a BGP peer: Get of its router twice, as the module's
//     google_compute_router_interface and google_compute_router_peer each
//     read it.
//
// It returns the reads made per kind.
func (r *PerObjectReader) Read(ctx context.Context, objs []StateObject) (map[string]int, error) {
	calls := map[string]int{}
	for _, o := range objs {
		if err := r.read(ctx, o); err != nil {
			return calls, fmt.Errorf("reading %s (%s): %w", o.Key, o.ID, err)
		}
		calls[o.Kind] += readsPer(o.Kind)
	}
	return calls, nil
}

// readsPer is how many reads refresh one object of kind: two for a BGP
// peer, which the modules hold as two resources.
func readsPer(kind string) int {
	if kind == "gcp_router_bgp_peer" {
		return 2
	}
	return 1
}

func (r *PerObjectReader) read(ctx context.Context, o StateObject) error {
	if o.Cloud == "aws" {
		return r.readAWS(ctx, o)
	}
	return r.readGCP(ctx, o)
}

func (r *PerObjectReader) readAWS(ctx context.Context, o StateObject) error {
	site, ok := r.clouds.Mesh.Topology().Site(o.Site)
	if !ok {
		return fmt.Errorf("site %q is not in the mesh", o.Site)
	}
	c := r.ec2[site.Region]
	vgw, vpc, _ := strings.Cut(o.ID, "/") // attachment and propagation IDs are "<vgw>/<vpc>"
	var err error
	switch o.Kind {
	case "aws_vpn_gateway", "aws_vpn_gateway_attachment":
		_, err = c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{VpnGatewayIds: []string{vgw}})
	case "aws_vpn_gateway_route_propagation":
		_, err = c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
			Filters: []types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{vpc}}}})
	case "aws_customer_gateway":
		_, err = c.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{CustomerGatewayIds: []string{o.ID}})
	case "aws_vpn_connection":
		_, err = c.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{o.ID}})
	default:
		err = fmt.Errorf("no per-object read for kind %q", o.Kind)
	}
	return err
}

func (r *PerObjectReader) readGCP(ctx context.Context, o StateObject) error {
	// IDs are "projects/P/regions/R/<collection>/N" (external gateways:
	// "projects/P/global/externalVpnGateways/N"); router entries append
	// "/interfaces/N" or "/bgpPeers/N" to their router's.
	p := strings.Split(o.ID, "/")
	var err error
	switch {
	case o.Kind == "gcp_external_vpn_gateway" && len(p) == 5:
		_, err = r.exts.Get(ctx, &computepb.GetExternalVpnGatewayRequest{Project: p[1], ExternalVpnGateway: p[4]})
	case len(p) < 6:
		err = fmt.Errorf("%q is not a regional resource ID", o.ID)
	case o.Kind == "gcp_ha_vpn_gateway":
		_, err = r.gws.Get(ctx, &computepb.GetVpnGatewayRequest{Project: p[1], Region: p[3], VpnGateway: p[5]})
	case o.Kind == "gcp_vpn_tunnel":
		_, err = r.tuns.Get(ctx, &computepb.GetVpnTunnelRequest{Project: p[1], Region: p[3], VpnTunnel: p[5]})
	case o.Kind == "gcp_router":
		_, err = r.routes.Get(ctx, &computepb.GetRouterRequest{Project: p[1], Region: p[3], Router: p[5]})
	case o.Kind == "gcp_router_bgp_peer":
		for range 2 {
			if _, err = r.routes.Get(ctx, &computepb.GetRouterRequest{Project: p[1], Region: p[3], Router: p[5]}); err != nil {
				break
			}
		}
	default:
		err = fmt.Errorf("no per-object read for kind %q", o.Kind)
	}
	return err
}

// bearer adds the static token to the emulator's plain-HTTP requests
// (option.WithHTTPClient bypasses the SDK's own authentication).
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
