package ec2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// env is one emulator behind an httptest server, on a manual clock.
type env struct {
	t     *testing.T
	clock *store.ManualClock
	st    *store.Store
	fab   *fabric.Fabric
	f     *Frontend
	url   string
	c     *sdk.Client // us-east-1, no retries
}

const (
	testKey    = "AKIDTEST"
	testSecret = "secret-key"
	delay      = 2 * time.Minute
)

func newEnv(t *testing.T, o Options) *env {
	t.Helper()
	clock := store.NewManualClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	st := store.New(store.Options{Clock: clock, Seed: 1})
	fab := fabric.New()
	f := New(st, fab, o)
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, clock: clock, st: st, fab: fab, f: f, url: srv.URL}
	e.c = e.client("us-east-1", testKey, testSecret)
	return e
}

// client is an SDK client pointed at the emulator. Retries are off: each
// test is about one reply.
func (e *env) client(region, key, secret string) *sdk.Client {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
	return sdk.NewFromConfig(cfg, func(o *sdk.Options) {
		o.BaseEndpoint = aws.String(e.url)
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = httpClient()
	})
}

// httpClient works around a client-side race between smithy-go and
// net/http (aws/aws-sdk-go-v2#2737): smithy closes the request body as
// soon as the response headers arrive, and against a server as fast as
// this one about 1% of replies then fail with "use of closed network
// connection" while their body is read. Handing the transport its own
// copy of the body removes the race; the SDK's retryer would otherwise
// hide it, but these tests run without retries.
func httpClient() *http.Client {
	return &http.Client{Transport: ownBody{http.DefaultTransport.(*http.Transport).Clone()}}
}

type ownBody struct{ next http.RoundTripper }

func (o ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return o.next.RoundTrip(r)
}

func ctx() context.Context { return context.Background() }

// seed creates a VPC in us-east-1 and returns its ID.
func (e *env) seed(id, cidr string, subnets ...Subnet) string {
	e.t.Helper()
	if err := e.f.SeedVPC("us-east-1", VPC{ID: id, CIDR: cidr, Subnets: subnets}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// code returns the EC2 error code of err ("" for nil).
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Fatalf("error code %q (%v), want %q", got, err, want)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func tagSpec(rt types.ResourceType, kv ...string) []types.TagSpecification {
	var tags []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []types.TagSpecification{{ResourceType: rt, Tags: tags}}
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func tagsOf(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// vgw creates a VGW, lets it become available and attaches it to vpc
// (waiting for attached) unless vpc is empty.
func (e *env) vgw(asn int64, vpc string) string {
	e.t.Helper()
	out := must[*sdk.CreateVpnGatewayOutput](e.t)(e.c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{
		Type: types.GatewayTypeIpsec1, AmazonSideAsn: aws.Int64(asn)}))
	id := aws.ToString(out.VpnGateway.VpnGatewayId)
	e.clock.Advance(delay)
	if vpc != "" {
		must[*sdk.AttachVpnGatewayOutput](e.t)(e.c.AttachVpnGateway(ctx(), &sdk.AttachVpnGatewayInput{VpnGatewayId: &id, VpcId: &vpc}))
		e.clock.Advance(delay)
	}
	return id
}

func (e *env) cgw(ip string, asn int32) string {
	e.t.Helper()
	out := must[*sdk.CreateCustomerGatewayOutput](e.t)(e.c.CreateCustomerGateway(ctx(), &sdk.CreateCustomerGatewayInput{
		Type: types.GatewayTypeIpsec1, IpAddress: aws.String(ip), BgpAsn: aws.Int32(asn)}))
	return aws.ToString(out.CustomerGateway.CustomerGatewayId)
}

func (e *env) tgw(asn int64, tags ...string) string {
	e.t.Helper()
	out := must[*sdk.CreateTransitGatewayOutput](e.t)(e.c.CreateTransitGateway(ctx(), &sdk.CreateTransitGatewayInput{
		Options:           &types.TransitGatewayRequestOptions{AmazonSideAsn: aws.Int64(asn)},
		TagSpecifications: tagSpec(types.ResourceTypeTransitGateway, tags...)}))
	return aws.ToString(out.TransitGateway.TransitGatewayId)
}

// tunnels builds TunnelOptions from (cidr, psk) pairs.
func tunnels(kv ...string) []types.VpnTunnelOptionsSpecification {
	var out []types.VpnTunnelOptionsSpecification
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.VpnTunnelOptionsSpecification{TunnelInsideCidr: aws.String(kv[i]), PreSharedKey: aws.String(kv[i+1])})
	}
	return out
}

func (e *env) vpn(cgw, gateway string, static bool, t ...types.VpnTunnelOptionsSpecification) (*types.VpnConnection, error) {
	in := &sdk.CreateVpnConnectionInput{CustomerGatewayId: &cgw, Type: aws.String("ipsec.1"),
		Options: &types.VpnConnectionOptionsSpecification{StaticRoutesOnly: aws.Bool(static), TunnelOptions: t}}
	if strings.HasPrefix(gateway, "tgw-") {
		in.TransitGatewayId = &gateway
	} else {
		in.VpnGatewayId = &gateway
	}
	out, err := e.c.CreateVpnConnection(ctx(), in)
	if err != nil {
		return nil, err
	}
	return out.VpnConnection, nil
}

func (e *env) describeVPN(id string) types.VpnConnection {
	e.t.Helper()
	out := must[*sdk.DescribeVpnConnectionsOutput](e.t)(e.c.DescribeVpnConnections(ctx(), &sdk.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}}))
	if len(out.VpnConnections) != 1 {
		e.t.Fatalf("%d connections for %s", len(out.VpnConnections), id)
	}
	return out.VpnConnections[0]
}
