package cloudcheck

import (
	"context"
	"fmt"
	"net/http"

	compute "cloud.google.com/go/compute/apiv1"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"golang.org/x/oauth2"
	"google.golang.org/api/option"
)

// Target says where a mesh lives and how to reach it.
type Target struct {
	Mesh string
	// AWS: endpoint ("" for AWS itself), static credentials (empty: the
	// default chain) and the regions the mesh's AWS sites use.
	AWSEndpoint, AWSAccessKey, AWSSecretKey string
	AWSRegions                              []string
	// GCP: endpoint ("" for Google), token (empty: ADC), project and the
	// regions of the mesh's GCP sites.
	GCPEndpoint, GCPToken, GCPProject string
	GCPRegions                        []string
}

// Clients are the SDK clients of a Target.
type Clients struct {
	t       Target
	ec2     map[string]*ec2.Client
	tunnels *compute.VpnTunnelsClient
	routers *compute.RoutersClient
	gws     *compute.VpnGatewaysClient
	extGWs  *compute.ExternalVpnGatewaysClient
}

// Dial builds the clients.
func Dial(ctx context.Context, t Target) (*Clients, error) {
	c := &Clients{t: t, ec2: map[string]*ec2.Client{}}
	for _, r := range t.AWSRegions {
		opts := []func(*config.LoadOptions) error{config.WithRegion(r)}
		if t.AWSAccessKey != "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(t.AWSAccessKey, t.AWSSecretKey, "")))
		}
		cfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("AWS config for %s: %w", r, err)
		}
		c.ec2[r] = ec2.NewFromConfig(cfg, func(o *ec2.Options) {
			if t.AWSEndpoint != "" {
				o.BaseEndpoint = awssdk.String(t.AWSEndpoint)
			}
		})
	}
	if len(t.GCPRegions) == 0 {
		return c, nil
	}
	var opts []option.ClientOption
	if t.GCPEndpoint != "" {
		opts = append(opts, option.WithEndpoint(t.GCPEndpoint))
	}
	switch {
	case t.GCPToken != "":
		opts = append(opts, option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: t.GCPToken})))
		if t.GCPEndpoint != "" {
			// The emulator speaks plain HTTP: the token still travels.
			opts = append(opts, option.WithHTTPClient(&http.Client{Transport: bearer{t.GCPToken}}))
		}
	case t.GCPEndpoint != "":
		opts = append(opts, option.WithoutAuthentication())
	}
	var err error
	if c.tunnels, err = compute.NewVpnTunnelsRESTClient(ctx, opts...); err != nil {
		return nil, err
	}
	if c.routers, err = compute.NewRoutersRESTClient(ctx, opts...); err != nil {
		return nil, err
	}
	if c.gws, err = compute.NewVpnGatewaysRESTClient(ctx, opts...); err != nil {
		return nil, err
	}
	if c.extGWs, err = compute.NewExternalVpnGatewaysRESTClient(ctx, opts...); err != nil {
		return nil, err
	}
	return c, nil
}

// Close releases the GCP clients.
func (c *Clients) Close() {
	for _, cl := range []interface{ Close() error }{c.tunnels, c.routers, c.gws, c.extGWs} {
		if cl != nil {
			_ = cl.Close()
		}
	}
}

// bearer adds a static token to plain-HTTP requests (option.WithHTTPClient
// bypasses the SDK's own auth transport).
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
