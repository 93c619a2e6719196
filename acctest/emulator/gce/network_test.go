package gce

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/proto"
)

func TestSeededNetworks(t *testing.T) {
	e := newEnv(t, envOpt{})
	n, err := e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: proj, Network: "net"})
	must(t, err)
	if n.GetKind() != "compute#network" || n.GetAutoCreateSubnetworks() || len(n.GetSubnetworks()) != 2 ||
		n.GetSelfLink() != e.srv.URL+"/compute/v1/projects/proj/global/networks/net" ||
		n.GetSubnetworks()[0] != e.srv.URL+"/compute/v1/"+rel(r1, "subnetworks", "net-a") {
		t.Fatalf("network: %v", n)
	}
	var names []string
	it := e.nets.List(e.ctx, &computepb.ListNetworksRequest{Project: proj})
	for g, err := it.Next(); err != iterator.Done; g, err = it.Next() {
		must(t, err)
		names = append(names, g.GetName())
	}
	if !slices.Equal(names, []string{"net", "other"}) {
		t.Fatalf("networks %v", names)
	}
	sit := e.subs.List(e.ctx, &computepb.ListSubnetworksRequest{Project: proj, Region: r1})
	var cidrs []string
	for s, err := sit.Next(); err != iterator.Done; s, err = sit.Next() {
		must(t, err)
		cidrs = append(cidrs, s.GetName()+"="+s.GetIpCidrRange())
	}
	if !slices.Equal(cidrs, []string{"net-a=10.0.0.0/24", "other-a=10.5.0.0/24"}) {
		t.Fatalf("subnetworks in %s: %v", r1, cidrs)
	}
	_, err = e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: proj, Network: "nope"})
	contains(t, apiErr(t, err, 404, "notFound").Message, "The resource 'projects/proj/global/networks/nope' was not found")
	// An unknown project is a 404 naming the project.
	_, err = e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: "ghost", Network: "net"})
	contains(t, apiErr(t, err, 404, "notFound").Message, "The resource 'projects/ghost' was not found")
	_, err = e.gws.Get(e.ctx, &computepb.GetVpnGatewayRequest{Project: proj, Region: "nowhere", VpnGateway: "x"})
	apiErr(t, err, 404, "notFound")

	// Seeding again adds subnetworks and refuses conflicting ones.
	must(t, e.f.SeedNetwork(proj, Network{Name: "net", Subnets: []Subnet{{Name: "net-a", Region: r1, CIDR: "10.0.0.0/24"},
		{Name: "net-c", Region: "asia-east1", CIDR: "10.0.2.0/24"}}}))
	if n, _ := e.nets.Get(e.ctx, &computepb.GetNetworkRequest{Project: proj, Network: "net"}); len(n.GetSubnetworks()) != 3 {
		t.Fatalf("subnetworks after reseed: %v", n.GetSubnetworks())
	}
	for _, bad := range []Network{
		{Name: "net", Subnets: []Subnet{{Name: "net-a", Region: r1, CIDR: "10.9.0.0/24"}}},
		{Name: "Net"},
		{Name: "x", Subnets: []Subnet{{Name: "s", Region: r1, CIDR: "10.0.0.1/24"}}},
		{Name: "x", Subnets: []Subnet{{Name: "s", Region: "mars", CIDR: "10.0.0.0/24"}}},
		{Name: "x", Subnets: []Subnet{{Name: "s", Region: r1, CIDR: "10.0.0.0/16"}, {Name: "t", Region: r2, CIDR: "10.0.1.0/24"}}},
	} {
		if err := e.f.SeedNetwork(proj, bad); err == nil {
			t.Errorf("seeding %+v succeeded", bad)
		}
	}
	// Networks are read-only.
	_, err = e.nets.Insert(e.ctx, &computepb.InsertNetworkRequest{Project: proj, NetworkResource: &computepb.Network{Name: proto.String("n2")}})
	apiErr(t, err, 405, "methodNotAllowed")
	// The control API sends Network as JSON.
	var nw Network
	must(t, json.Unmarshal([]byte(`{"name":"n","subnets":[{"name":"s","region":"us-east1","cidr":"10.0.0.0/24"}]}`), &nw))
	if nw.Subnets[0].CIDR != "10.0.0.0/24" {
		t.Fatalf("decoded %+v", nw)
	}
}

// The wire format itself: strict request decoding and GCE's error shape.
func TestWireFormat(t *testing.T) {
	e := newEnv(t, envOpt{})
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(e.srv.URL+"/compute/v1/projects/proj/regions/us-east1/vpnGateways", "application/json", strings.NewReader(body))
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		must(t, json.Unmarshal(b, &out))
		return resp.StatusCode, out
	}
	code, out := post(`{"name":"gw","network":"global/networks/net","bogus":1}`)
	errObj, _ := out["error"].(map[string]any)
	items, _ := errObj["errors"].([]any)
	if code != 400 || errObj["code"] != 400.0 || len(items) != 1 || errObj["status"] != "INVALID_ARGUMENT" {
		t.Fatalf("unknown field: %d %v", code, out)
	}
	if it := items[0].(map[string]any); it["reason"] != "invalid" || it["domain"] != "global" || !strings.Contains(it["message"].(string), "bogus") {
		t.Fatalf("error item %v", it)
	}
	if code, _ := post(`{"name":"gw","network":"global/networks/net","vpnInterfaces":"x"}`); code != 400 {
		t.Fatalf("wrong type: %d", code)
	}
	// Server fields sent by the client are ignored, not trusted.
	code, out = post(`{"name":"gw","network":"global/networks/net","id":"7","selfLink":"http://evil/x","labelFingerprint":"x"}`)
	if code != 200 || out["kind"] != "compute#operation" {
		t.Fatalf("insert: %d %v", code, out)
	}
	g, err := e.gws.Get(e.ctx, &computepb.GetVpnGatewayRequest{Project: proj, Region: r1, VpnGateway: "gw"})
	must(t, err)
	if g.GetId() == 7 || !strings.HasPrefix(g.GetSelfLink(), e.srv.URL) {
		t.Fatalf("client-sent server fields kept: %v", g)
	}
	for _, p := range []string{"/compute/v1/nothing/here", "/compute/v1/projects/proj/aggregated/externalVpnGateways",
		"/compute/v1/projects/proj/global/vpnTunnels", "/compute/v1/projects/proj/regions/us-east1/instances"} {
		resp, err := http.Get(e.srv.URL + p)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}
