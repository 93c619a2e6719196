package gce

import (
	"fmt"
	"slices"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/proto"
)

// gatewayNames lists HA gateways in r1 through the SDK iterator.
func (e *env) gatewayNames(filter string, pageSize uint32) ([]string, error) {
	req := &computepb.ListVpnGatewaysRequest{Project: proj, Region: r1}
	if filter != "" {
		req.Filter = proto.String(filter)
	}
	if pageSize > 0 {
		req.MaxResults = proto.Uint32(pageSize)
	}
	var out []string
	it := e.gws.List(e.ctx, req)
	for {
		g, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, g.GetName())
	}
}

func TestListFiltersAndPages(t *testing.T) {
	e := newEnv(t, envOpt{})
	for i := range 5 {
		labels := map[string]string{"crosslink-mesh": "a"}
		if i >= 3 {
			labels["crosslink-mesh"] = "b"
		}
		e.haGateway(r1, fmt.Sprintf("gw-%d", i), labels)
	}
	e.haGateway(r2, "gw-elsewhere", map[string]string{"crosslink-mesh": "a"})
	e.done(e.gws.Insert(e.ctx, &computepb.InsertVpnGatewayRequest{Project: proj, Region: r1,
		VpnGatewayResource: &computepb.VpnGateway{Name: proto.String("described"), Description: proto.String("crosslink mesh=a key=x"),
			Network: proto.String("global/networks/net")}}))
	cases := []struct {
		filter string
		want   []string
	}{
		{``, []string{"gw-0", "gw-1", "gw-2", "gw-3", "gw-4", "described"}},
		{`name = "gw-1"`, []string{"gw-1"}},
		{`name="gw-1"`, []string{"gw-1"}},
		{`name = gw-1`, []string{"gw-1"}},
		{`name != "gw-1"`, []string{"gw-0", "gw-2", "gw-3", "gw-4", "described"}},
		{`labels.crosslink-mesh = "a"`, []string{"gw-0", "gw-1", "gw-2"}},
		{`labels.crosslink-mesh:*`, []string{"gw-0", "gw-1", "gw-2", "gw-3", "gw-4"}},
		{`name eq "gw-[12]"`, []string{"gw-1", "gw-2"}},
		{`name eq gw-.*`, []string{"gw-0", "gw-1", "gw-2", "gw-3", "gw-4"}},
		{`name ne "gw-.*"`, []string{"described"}},
		{`name eq "gw"`, nil}, // regexes match the whole value
		{`description = "crosslink mesh=a key=x"`, []string{"described"}},
		{`(labels.crosslink-mesh = "a") AND (name != "gw-0")`, []string{"gw-1", "gw-2"}},
		{`(labels.crosslink-mesh = "b") (name = "gw-4")`, []string{"gw-4"}},
		{`name = "gw-0" OR name = "gw-4"`, []string{"gw-0", "gw-4"}},
		{`NOT (name eq "gw-.*")`, []string{"described"}},
		{`name = "gw-*"`, []string{"gw-0", "gw-1", "gw-2", "gw-3", "gw-4"}},
		{`network = "` + e.srv.URL + `/compute/v1/projects/proj/global/networks/net" AND name = "gw-3"`, []string{"gw-3"}},
	}
	for _, c := range cases {
		for _, size := range []uint32{0, 2} {
			t.Run(fmt.Sprintf("%s/%d", c.filter, size), func(t *testing.T) {
				got, err := e.gatewayNames(c.filter, size)
				must(t, err)
				if !slices.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
	}
	// maxResults=2 over six gateways is three pages, each one request.
	before := e.requests.Load()
	got, err := e.gatewayNames("", 2)
	must(t, err)
	if n := e.requests.Load() - before; len(got) != 6 || n != 3 {
		t.Fatalf("%d items in %d requests, want 6 in 3", len(got), n)
	}
	for _, bad := range []string{`name =`, `name = "x`, `(name = "x"`, `name > "x"`, `name eq "("`, `= "x"`, `name = "x" AND`} {
		_, err := e.gatewayNames(bad, 0)
		contains(t, apiErr(t, err, 400, "invalid").Message, "'filter'")
	}
	// A page token is bound to its filter, and maxResults is capped at 500.
	it := e.gws.List(e.ctx, &computepb.ListVpnGatewaysRequest{Project: proj, Region: r1, MaxResults: proto.Uint32(1)})
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = e.gatewayNames("", 0)
	must(t, err)
	it2 := e.gws.List(e.ctx, &computepb.ListVpnGatewaysRequest{Project: proj, Region: r1, MaxResults: proto.Uint32(1),
		Filter: proto.String(`name != "z"`), PageToken: proto.String(it.PageInfo().Token)})
	_, err = it2.Next()
	contains(t, apiErr(t, err, 400, "invalid").Message, "'pageToken'")
	_, err = e.gatewayNames("", 501)
	contains(t, apiErr(t, err, 400, "invalid").Message, "'maxResults'")
}

func TestAggregatedLists(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.extGateway("ext", "SINGLE_IP_INTERNALLY_REDUNDANT", "203.0.113.1")
	want := map[string][]string{}
	for _, region := range []string{r1, r2} {
		for i := range 3 {
			name := fmt.Sprintf("gw-%s-%d", region, i)
			e.haGateway(region, name, map[string]string{"crosslink-mesh": "m"})
			want["regions/"+region] = append(want["regions/"+region], name)
		}
		e.router(region, "rt-"+region, "net", 64512)
		v := extTunnel("tun-"+region, "gw-"+region+"-0", "ext", "rt-"+region)
		v.VpnGateway, v.Router = proto.String(rel(region, "vpnGateways", "gw-"+region+"-0")), proto.String(rel(region, "routers", "rt-"+region))
		e.tunnel(region, v)
	}
	e.haGateway(r1, "unlabelled", nil)

	before := e.requests.Load()
	got := map[string][]string{}
	it := e.gws.AggregatedList(e.ctx, &computepb.AggregatedListVpnGatewaysRequest{Project: proj, MaxResults: proto.Uint32(2),
		Filter: proto.String(`labels.crosslink-mesh = "m"`)})
	for {
		pair, err := it.Next()
		if err == iterator.Done {
			break
		}
		must(t, err)
		for _, g := range pair.Value.GetVpnGateways() {
			if g.GetRegion() != e.srv.URL+"/compute/v1/projects/proj/"+pair.Key {
				t.Fatalf("gateway %s under %s has region %s", g.GetName(), pair.Key, g.GetRegion())
			}
			got[pair.Key] = append(got[pair.Key], g.GetName())
		}
	}
	if len(got) != 2 || !slices.Equal(got["regions/"+r1], want["regions/"+r1]) || !slices.Equal(got["regions/"+r2], want["regions/"+r2]) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if n := e.requests.Load() - before; n != 3 {
		t.Fatalf("6 gateways at 2 a page took %d requests, want 3", n)
	}

	tunnels := map[string]string{}
	tit := e.tuns.AggregatedList(e.ctx, &computepb.AggregatedListVpnTunnelsRequest{Project: proj})
	for {
		pair, err := tit.Next()
		if err == iterator.Done {
			break
		}
		must(t, err)
		for _, v := range pair.Value.GetVpnTunnels() {
			tunnels[v.GetName()] = pair.Key
			if v.SharedSecret != nil {
				t.Fatal("aggregated list returned a shared secret")
			}
		}
	}
	if len(tunnels) != 2 || tunnels["tun-"+r1] != "regions/"+r1 || tunnels["tun-"+r2] != "regions/"+r2 {
		t.Fatalf("tunnels %v", tunnels)
	}
	routers := map[string]string{}
	rit := e.rts.AggregatedList(e.ctx, &computepb.AggregatedListRoutersRequest{Project: proj, Filter: proto.String(`name eq "rt-.*"`)})
	for {
		pair, err := rit.Next()
		if err == iterator.Done {
			break
		}
		must(t, err)
		for _, r := range pair.Value.GetRouters() {
			routers[r.GetName()] = pair.Key
		}
	}
	if len(routers) != 2 || routers["rt-"+r1] != "regions/"+r1 {
		t.Fatalf("routers %v", routers)
	}
}
