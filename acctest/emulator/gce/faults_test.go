package gce

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// bearer adds a fixed Authorization header, as an OAuth2 transport would.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []option.ClientOption
		ok   bool
	}{
		{"none", []option.ClientOption{option.WithoutAuthentication()}, false},
		{"wrong", []option.ClientOption{option.WithHTTPClient(&http.Client{Transport: bearer{"nope"}})}, false},
		{"good", []option.ClientOption{option.WithHTTPClient(&http.Client{Transport: bearer{"tok-2"}})}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOpt{o: Options{Tokens: []string{"tok-1", "tok-2"}}, opts: c.opts})
			_, err := e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: proj, Network: "net"})
			if c.ok {
				must(t, err)
				return
			}
			contains(t, apiErr(t, err, 401, "authError").Message, "Request had invalid authentication credentials")
		})
	}
}

func TestMiddlewareFaults(t *testing.T) {
	var in *store.Injector
	var served atomic.Int64
	e := newEnv(t, envOpt{wrap: func(e *env, h http.Handler) http.Handler {
		in = store.NewInjector(store.Faults{}, e.clk)
		in.Account = e.f.Account
		// Each injected 5xx switches faults off, so exactly one request
		// fails and the client's retry gets through.
		write5xx := func(w http.ResponseWriter) {
			e.f.Write5xx(w)
			in.Set(store.Faults{})
		}
		return store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served.Add(1)
			h.ServeHTTP(w, r)
		}), in, e.f.Classify, e.f.WriteThrottle, write5xx)
	}})
	e.haGateway(r1, "gw", nil)

	// The first Get fails with 503; the client retries it and succeeds.
	in.Set(store.Faults{ErrorRate5xx: 1})
	in.ResetCounters()
	if _, err := e.gws.Get(e.ctx, &computepb.GetVpnGatewayRequest{Project: proj, Region: r1, VpnGateway: "gw"}); err != nil {
		t.Fatalf("Get was not retried through a 503: %v", err)
	}
	if c := in.CountersFor("vpnGateways.get"); c.Failed5xx != 1 || c.Requests != 2 {
		t.Fatalf("counters %+v", c)
	}

	// List pages are NOT retried by default: the REST iterators of
	// compute/apiv1 v1.75.0 do not apply the client's default call
	// options (vpn_gateways_client.go List has no CallOptions.List
	// append). A caller's own retry option works.
	in.Set(store.Faults{ErrorRate5xx: 1})
	_, err := e.gatewayNames("", 0)
	apiErr(t, err, 503, "backendError")
	in.Set(store.Faults{ErrorRate5xx: 1})
	retry := gax.WithRetry(func() gax.Retryer {
		return gax.OnHTTPCodes(gax.Backoff{Initial: 10 * time.Millisecond}, http.StatusServiceUnavailable)
	})
	it := e.gws.List(e.ctx, &computepb.ListVpnGatewaysRequest{Project: proj, Region: r1}, retry)
	g, err := it.Next()
	if c := in.CountersFor("vpnGateways.list"); err != nil || g.GetName() != "gw" || c.Failed5xx != 2 || c.Requests != 3 {
		t.Fatalf("list with a retry option through a 503: %v %v %+v", g, err, c)
	}

	// A mutation answered 503 is not retried by the client and not applied.
	in.Set(store.Faults{ErrorRate5xx: 1})
	before := served.Load()
	_, err = e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("gw2"), Network: proto.String("global/networks/net")}})
	apiErr(t, err, 503, "backendError")
	if served.Load() != before {
		t.Fatal("a failed insert reached the front-end")
	}

	// Throttling is GCE's 403 rateLimitExceeded, per project, not retried.
	in.Set(store.Faults{ThrottleRate: 0.001, ThrottleBurst: 1})
	_, err = e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: proj, Network: "net"})
	must(t, err)
	_, err = e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: proj, Network: "net"})
	contains(t, apiErr(t, err, 403, "rateLimitExceeded").Message, "Rate Limit Exceeded")
	must(t, e.f.SeedNetwork("proj-b", Network{Name: "net"}))
	_, err = e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: "proj-b", Network: "net"})
	must(t, err) // another project, another bucket

	// A dropped reply: the insert is applied, the client sees a transport
	// error, and the retry with the same requestId returns the same op.
	in.Set(store.Faults{DropReplyRate: 1})
	const rid = "3d1f6b52-8a8e-4a5f-bb1e-2b0d3c4e5f60"
	req := &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1, RequestId: proto.String(rid),
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("gw3"), Network: proto.String("global/networks/net")}}
	if _, err := e.gws.Insert(e.ctx, req); err == nil {
		t.Fatal("the reply was not dropped")
	}
	in.Set(store.Faults{})
	e.done(e.gws.Insert(e.ctx, req))
	names, err := e.gatewayNames("", 0)
	if err != nil || len(names) != 2 || names[1] != "gw3" {
		t.Fatalf("after a dropped reply and a retry: %v %v", names, err)
	}
}

func TestClassifyAndAccount(t *testing.T) {
	f := New(store.New(store.Options{}), nil, Options{})
	for _, c := range []struct {
		method, path, op string
		mutating         bool
	}{
		{"POST", "/compute/v1/projects/p/regions/us-east1/vpnTunnels", "vpnTunnels.insert", true},
		{"GET", "/compute/v1/projects/p/regions/us-east1/vpnTunnels", "vpnTunnels.list", false},
		{"GET", "/compute/v1/projects/p/regions/us-east1/vpnTunnels/t", "vpnTunnels.get", false},
		{"DELETE", "/compute/v1/projects/p/regions/us-east1/vpnTunnels/t", "vpnTunnels.delete", true},
		{"POST", "/compute/v1/projects/p/regions/us-east1/vpnTunnels/t/setLabels", "vpnTunnels.setLabels", true},
		{"PATCH", "/compute/v1/projects/p/regions/us-east1/routers/r", "routers.patch", true},
		{"PUT", "/compute/v1/projects/p/regions/us-east1/routers/r", "routers.update", true},
		{"GET", "/compute/v1/projects/p/regions/us-east1/routers/r/getRouterStatus", "routers.getRouterStatus", false},
		{"GET", "/compute/v1/projects/p/regions/us-east1/vpnGateways/g/getStatus", "vpnGateways.getStatus", false},
		{"GET", "/compute/v1/projects/p/regions/us-east1/operations/op-1", "regionOperations.get", false},
		{"POST", "/compute/v1/projects/p/regions/us-east1/operations/op-1/wait", "regionOperations.wait", false},
		{"GET", "/compute/v1/projects/p/global/operations/op-1", "globalOperations.get", false},
		{"POST", "/compute/v1/projects/p/global/externalVpnGateways", "externalVpnGateways.insert", true},
		{"GET", "/compute/v1/projects/p/aggregated/vpnTunnels", "vpnTunnels.aggregatedList", false},
		{"GET", "/compute/v1/projects/p/global/networks/n", "networks.get", false},
		{"GET", "/elsewhere", "unknown", false},
		{"POST", "/elsewhere", "unknown", true},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		if op, mut := f.Classify(r); op != c.op || mut != c.mutating {
			t.Errorf("%s %s: %s %v, want %s %v", c.method, c.path, op, mut, c.op, c.mutating)
		}
		if want := map[bool]string{true: "p", false: ""}[c.op != "unknown"]; f.Account(r) != want {
			t.Errorf("%s: account %q, want %q", c.path, f.Account(r), want)
		}
	}
}
