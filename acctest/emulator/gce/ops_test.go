package gce

import (
	"net/http"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/proto"
)

func TestOperationWaitOnClock(t *testing.T) {
	e := newEnv(t, envOpt{o: Options{OpDelay: 30 * time.Second}})
	op, err := e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("gw"), Network: proto.String("global/networks/net")}})
	must(t, err)
	p := op.Proto()
	if p.GetStatus() != computepb.Operation_RUNNING || p.GetOperationType() != "insert" || p.GetProgress() != 0 ||
		p.GetTargetLink() != e.srv.URL+"/compute/v1/"+rel(r1, "vpnGateways", "gw") || p.GetTargetId() == 0 ||
		p.GetRegion() != e.srv.URL+"/compute/v1/projects/proj/regions/us-east1" || p.GetInsertTime() == "" || p.EndTime != nil {
		t.Fatalf("insert op: %v", p)
	}
	// Still running: a poll changes nothing.
	must(t, op.Poll(e.ctx))
	if op.Done() {
		t.Fatal("done before the clock moved")
	}
	// Wait polls (with its 1 s backoff) until the clock passes OpDelay.
	go func() {
		time.Sleep(50 * time.Millisecond)
		e.clk.Advance(30 * time.Second)
	}()
	must(t, op.Wait(e.ctx))
	if p := op.Proto(); p.GetProgress() != 100 || p.GetEndTime() == "" || p.GetName() != op.Name() {
		t.Fatalf("done op: %v", p)
	}
	// The operations.wait method returns the finished op too.
	w, err := e.rops.Wait(e.ctx, &computepb.WaitRegionOperationRequest{Project: proj, Region: r1, Operation: op.Name()})
	must(t, err)
	if w.GetStatus() != computepb.Operation_DONE {
		t.Fatalf("wait: %v", w)
	}

	// A tunnel is PROVISIONING until its insert op is done; a deleted
	// resource stays visible until its delete op is.
	e.extGateway("ext", "SINGLE_IP_INTERNALLY_REDUNDANT", "203.0.113.1") // e.done advances the clock by OpDelay
	e.router(r1, "rt", "net", 64512)
	v := extTunnel("tun", "gw", "ext", "rt")
	op, err = e.tuns.Insert(e.ctx, &computepb.InsertVpnTunnelRequest{Project: proj, Region: r1, VpnTunnelResource: v})
	must(t, err)
	got, err := e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"})
	must(t, err)
	if got.GetStatus() != "PROVISIONING" {
		t.Fatalf("status %s while the insert runs", got.GetStatus())
	}
	e.clk.Advance(30 * time.Second)
	must(t, op.Wait(e.ctx))
	dop, err := e.tuns.Delete(e.ctx, &computepb.DeleteVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"})
	must(t, err)
	got, err = e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"})
	must(t, err)
	if got.GetStatus() != "DEPROVISIONING" {
		t.Fatalf("status %s while deleting", got.GetStatus())
	}
	_, err = e.tuns.Insert(e.ctx, &computepb.InsertVpnTunnelRequest{Project: proj, Region: r1, VpnTunnelResource: v})
	apiErr(t, err, 409, "alreadyExists")
	e.clk.Advance(30 * time.Second)
	must(t, dop.Wait(e.ctx))
	_, err = e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"})
	apiErr(t, err, 404, "notFound")

	_, err = e.rops.Get(e.ctx, &computepb.GetRegionOperationRequest{Project: proj, Region: r1, Operation: "operation-nope"})
	apiErr(t, err, 404, "notFound")
}

func TestGlobalOperation(t *testing.T) {
	e := newEnv(t, envOpt{})
	op, err := e.exts.Insert(e.ctx, &computepb.InsertExternalVpnGatewayRequest{Project: proj,
		ExternalVpnGatewayResource: &computepb.ExternalVpnGateway{Name: proto.String("ext"),
			RedundancyType: proto.String("SINGLE_IP_INTERNALLY_REDUNDANT"),
			Interfaces:     []*computepb.ExternalVpnGatewayInterface{{Id: proto.Uint32(0), IpAddress: proto.String("203.0.113.1")}}}})
	e.done(op, err)
	p := op.Proto()
	if p.Region != nil || p.GetSelfLink() != e.srv.URL+"/compute/v1/projects/proj/global/operations/"+op.Name() {
		t.Fatalf("global op: %v", p)
	}
	g, err := e.gops.Get(e.ctx, &computepb.GetGlobalOperationRequest{Project: proj, Operation: op.Name()})
	must(t, err)
	if g.GetStatus() != computepb.Operation_DONE || g.GetOperationType() != "insert" {
		t.Fatalf("get: %v", g)
	}
	// A global op is not a regional one.
	_, err = e.rops.Get(e.ctx, &computepb.GetRegionOperationRequest{Project: proj, Region: r1, Operation: op.Name()})
	apiErr(t, err, 404, "notFound")
}

func TestRequestIDDeduplication(t *testing.T) {
	e := newEnv(t, envOpt{})
	const rid = "6f1c1c7e-2b7a-4c55-9d3e-0a8b5c1e2f30"
	ins := func(name, id string) (string, error) {
		op, err := e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1, RequestId: proto.String(id),
			VpnGatewayResource: &computepb.VpnGateway{Name: proto.String(name), Network: proto.String("global/networks/net")}})
		if err != nil {
			return "", err
		}
		return op.Name(), op.Wait(e.ctx)
	}
	first, err := ins("gw", rid)
	must(t, err)
	// The same requestId returns the first op and applies nothing, even
	// with another body (GCE ignores the repeat); no 409 either.
	for _, name := range []string{"gw", "gw-other"} {
		again, err := ins(name, rid)
		must(t, err)
		if again != first {
			t.Fatalf("repeat returned op %s, want %s", again, first)
		}
	}
	it := e.gws.List(e.ctx, &computepb.ListVpnGatewaysRequest{Project: proj, Region: r1})
	n := 0
	for _, err := it.Next(); err != iterator.Done; _, err = it.Next() {
		must(t, err)
		n++
	}
	if n != 1 {
		t.Fatalf("%d gateways, want 1", n)
	}
	// A new requestId is a new request: the name is taken.
	_, err = ins("gw", "6f1c1c7e-2b7a-4c55-9d3e-0a8b5c1e2f31")
	contains(t, apiErr(t, err, 409, "alreadyExists").Message, "The resource '"+rel(r1, "vpnGateways", "gw")+"' already exists")

	// Delete de-duplicates too: the repeat is not a 404.
	const did = "0b8a4a35-0d7e-4bd4-a4c2-39e8f3d2d001"
	del := func() string {
		op, err := e.gws.Delete(e.ctx, &computepb.DeleteVpnGatewayRequest{Project: proj, Region: r1, VpnGateway: "gw", RequestId: proto.String(did)})
		e.done(op, err)
		return op.Name()
	}
	if a, b := del(), del(); a != b {
		t.Fatalf("delete repeat: %s then %s", a, b)
	}
	_, err = e.gws.Delete(e.ctx, &computepb.DeleteVpnGatewayRequest{Project: proj, Region: r1, VpnGateway: "gw"})
	apiErr(t, err, 404, "notFound")

	// A failed request is not remembered: its retry is validated afresh.
	const fid = "0b8a4a35-0d7e-4bd4-a4c2-39e8f3d2d002"
	_, err = e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1, RequestId: proto.String(fid),
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("gw2"), Network: proto.String("global/networks/nope")}})
	apiErr(t, err, 404, "notFound")
	_, err = ins("gw2", fid)
	must(t, err)

	for _, bad := range []string{"not-a-uuid", "00000000-0000-0000-0000-000000000000", "{6f1c1c7e-2b7a-4c55-9d3e-0a8b5c1e2f30}"} {
		_, err := ins("gw3", bad)
		contains(t, apiErr(t, err, 400, "invalid").Message, "'requestId'")
	}
}

// TestCustomMethodsTakeTheirHTTPMethod: operations.wait and setLabels are
// POSTs, getStatus and getRouterStatus GETs; any other method is a 405,
// so a client calling them wrongly fails here as on GCE.
func TestCustomMethodsTakeTheirHTTPMethod(t *testing.T) {
	e := newEnv(t, envOpt{})
	base := e.srv.URL + "/compute/v1/projects/" + proj + "/regions/" + r1
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/operations/op-1/wait"},
		{http.MethodPost, "/vpnGateways/gw/getStatus"},
		{http.MethodPost, "/routers/rt/getRouterStatus"},
		{http.MethodGet, "/vpnTunnels/tun/setLabels"},
	} {
		req, err := http.NewRequestWithContext(e.ctx, tc.method, base+tc.path, nil)
		must(t, err)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", tc.method, tc.path, resp.StatusCode)
		}
	}
}
