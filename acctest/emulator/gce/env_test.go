package gce

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

const (
	proj = "proj"
	r1   = "us-east1"
	r2   = "europe-west1"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// env is one emulator behind an httptest server and the real REST
// clients pointed at it.
type env struct {
	t        *testing.T
	ctx      context.Context
	st       *store.Store
	clk      *store.ManualClock
	fab      *fabric.Fabric
	f        *Frontend
	srv      *httptest.Server
	requests atomic.Int64 // HTTP requests that reached the server

	gws  *compute.VpnGatewaysClient
	exts *compute.ExternalVpnGatewaysClient
	tuns *compute.VpnTunnelsClient
	rts  *compute.RoutersClient
	nets *compute.NetworksClient
	subs *compute.SubnetworksClient
	rops *compute.RegionOperationsClient
	gops *compute.GlobalOperationsClient
}

type envOpt struct {
	o    Options
	wrap func(*env, http.Handler) http.Handler // e.g. store.Middleware
	opts []option.ClientOption                 // instead of WithoutAuthentication
}

// newEnv seeds project "proj" with network "net" (subnets in us-east1
// and europe-west1) and network "other" (us-east1).
func newEnv(t *testing.T, eo envOpt) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clk: store.NewManualClock(t0), fab: fabric.New()}
	e.st = store.New(store.Options{Clock: e.clk, Seed: 7})
	e.f = New(e.st, e.fab, eo.o)
	var h http.Handler = e.f.Handler()
	if eo.wrap != nil {
		h = eo.wrap(e, h)
	}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	must(t, e.f.SeedNetwork(proj, Network{Name: "net", Subnets: []Subnet{
		{Name: "net-a", Region: r1, CIDR: "10.0.0.0/24"}, {Name: "net-b", Region: r2, CIDR: "10.0.1.0/24"}}}))
	must(t, e.f.SeedNetwork(proj, Network{Name: "other", Subnets: []Subnet{{Name: "other-a", Region: r1, CIDR: "10.5.0.0/24"}}}))
	opts := append([]option.ClientOption{option.WithEndpoint(e.srv.URL)}, eo.opts...)
	if len(eo.opts) == 0 {
		opts = append(opts, option.WithoutAuthentication())
	}
	var err error
	e.gws, err = compute.NewVpnGatewaysRESTClient(e.ctx, opts...)
	must(t, err)
	e.exts, err = compute.NewExternalVpnGatewaysRESTClient(e.ctx, opts...)
	must(t, err)
	e.tuns, err = compute.NewVpnTunnelsRESTClient(e.ctx, opts...)
	must(t, err)
	e.rts, err = compute.NewRoutersRESTClient(e.ctx, opts...)
	must(t, err)
	e.nets, err = compute.NewNetworksRESTClient(e.ctx, opts...)
	must(t, err)
	e.subs, err = compute.NewSubnetworksRESTClient(e.ctx, opts...)
	must(t, err)
	e.rops, err = compute.NewRegionOperationsRESTClient(e.ctx, opts...)
	must(t, err)
	e.gops, err = compute.NewGlobalOperationsRESTClient(e.ctx, opts...)
	must(t, err)
	t.Cleanup(func() {
		for _, c := range []interface{ Close() error }{e.gws, e.exts, e.tuns, e.rts, e.nets, e.subs, e.rops, e.gops} {
			_ = c.Close()
		}
	})
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// done waits for a mutation's operation (moving the clock past OpDelay)
// and fails the test on any error.
func (e *env) done(op *compute.Operation, err error) *compute.Operation {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	e.clk.Advance(e.f.o.OpDelay)
	if err := op.Wait(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return op
}

// apiErr asserts err is a GCE error with code and reason and returns it.
func apiErr(t *testing.T, err error, code int, reason string) *googleapi.Error {
	t.Helper()
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("want googleapi error %d %s, got %v", code, reason, err)
	}
	if ge.Code != code || len(ge.Errors) == 0 || ge.Errors[0].Reason != reason {
		t.Fatalf("want %d %s, got %d %+v: %s", code, reason, ge.Code, ge.Errors, ge.Message)
	}
	return ge
}

func rel(region, coll, name string) string {
	if region == "" {
		return "projects/" + proj + "/global/" + coll + "/" + name
	}
	return "projects/" + proj + "/regions/" + region + "/" + coll + "/" + name
}

func (e *env) haGateway(region, name string, labels map[string]string) *computepb.VpnGateway {
	e.t.Helper()
	e.done(e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: region,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String(name), Labels: labels,
			Network: proto.String("projects/" + proj + "/global/networks/net")}}))
	g, err := e.gws.Get(e.ctx, &computepb.GetVpnGatewayRequest{Project: proj, Region: region, VpnGateway: name})
	must(e.t, err)
	return g
}

func (e *env) extGateway(name, redundancy string, ips ...string) *computepb.ExternalVpnGateway {
	e.t.Helper()
	g := &computepb.ExternalVpnGateway{Name: proto.String(name), RedundancyType: proto.String(redundancy)}
	for i, ip := range ips {
		g.Interfaces = append(g.Interfaces, &computepb.ExternalVpnGatewayInterface{Id: proto.Uint32(uint32(i)), IpAddress: proto.String(ip)})
	}
	e.done(e.exts.Insert(e.ctx, &computepb.InsertExternalVpnGatewayRequest{Project: proj, ExternalVpnGatewayResource: g}))
	out, err := e.exts.Get(e.ctx, &computepb.GetExternalVpnGatewayRequest{Project: proj, ExternalVpnGateway: name})
	must(e.t, err)
	return out
}

func (e *env) router(region, name, network string, asn uint32) {
	e.t.Helper()
	e.done(e.rts.Insert(e.ctx, &computepb.InsertRouterRequest{Project: proj, Region: region, RouterResource: &computepb.Router{
		Name: proto.String(name), Network: proto.String("projects/" + proj + "/global/networks/" + network),
		Bgp: &computepb.RouterBgp{Asn: proto.Uint32(asn)}}}))
}

// extTunnel is a valid tunnel from HA gateway gw (interface 0) to
// external gateway ext (interface 0) over router rt, all in region r1.
func extTunnel(name, gw, ext, rt string) *computepb.VpnTunnel {
	return &computepb.VpnTunnel{Name: proto.String(name), VpnGateway: proto.String(rel(r1, "vpnGateways", gw)),
		VpnGatewayInterface: proto.Int32(0), PeerExternalGateway: proto.String(rel("", "externalVpnGateways", ext)),
		PeerExternalGatewayInterface: proto.Int32(0), Router: proto.String(rel(r1, "routers", rt)),
		SharedSecret: proto.String("s3cret-psk")}
}

func (e *env) tunnel(region string, t *computepb.VpnTunnel) {
	e.t.Helper()
	e.done(e.tuns.Insert(e.ctx, &computepb.InsertVpnTunnelRequest{Project: proj, Region: region, VpnTunnelResource: t}))
}

func (e *env) getRouter(region, name string) *computepb.Router {
	e.t.Helper()
	rt, err := e.rts.Get(e.ctx, &computepb.GetRouterRequest{Project: proj, Region: region, Router: name})
	must(e.t, err)
	return rt
}

func (e *env) patchRouter(region, name string, rt *computepb.Router) (*compute.Operation, error) {
	return e.rts.Patch(e.ctx, &computepb.PatchRouterRequest{Project: proj, Region: region, Router: name, RouterResource: rt})
}

// base sets up gateway "gw", external gateway "ext" (two interfaces),
// router "rt" (ASN 64512) and tunnel "tun" in r1.
func (e *env) base() {
	e.t.Helper()
	e.haGateway(r1, "gw", nil)
	e.extGateway("ext", "TWO_IPS_REDUNDANCY", "203.0.113.1", "203.0.113.2")
	e.router(r1, "rt", "net", 64512)
	e.tunnel(r1, extTunnel("tun", "gw", "ext", "rt"))
}

func contains(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}
