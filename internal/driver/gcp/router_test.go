package gcp

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// starMesh is one GCP site with n tunnels to a host, built in the
// compiler's shape: every tunnel's BGP peer (and interface) lives on one router.
func starMesh(n int) (*topology.Mesh, []plan.Object) {
	m := &topology.Mesh{Name: "star", Sites: []topology.Site{
		{Name: "gcp-a", Cloud: topology.GCP, Region: "europe-west1", NetworkID: "prod"},
		{Name: "host-c", Cloud: topology.Host, Agent: "https://203.0.113.10"},
	}}
	obj := func(kind, name string, deps []string, kv ...string) plan.Object {
		attrs := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			attrs[kv[i]] = kv[i+1]
		}
		return plan.Object{Key: plan.Key("gcp", "gcp-a", kind, name), Kind: "gcp_" + kind, Cloud: "gcp", Site: "gcp-a", Attrs: attrs, Deps: deps}
	}
	gw := obj("ha_vpn_gateway", "main", nil, "network", "prod", "region", "europe-west1")
	rt := obj("router", "main", nil, "network", "prod", "region", "europe-west1", "asn", "64512")
	ext := obj("external_vpn_gateway", "host-c", nil, "redundancy_type", "SINGLE_IP_INTERNALLY_REDUNDANT", "interface.0.ip", "203.0.113.10")
	out := []plan.Object{gw, rt, ext}
	for i := range n {
		tk := "gcp-a~host-c#" + strconv.Itoa(i)
		tun := obj("vpn_tunnel", tk, []string{gw.Key, rt.Key, ext.Key},
			"vpn_gateway", plan.Ref(gw.Key, "id"), "interface", strconv.Itoa(i%2), "router", plan.Ref(rt.Key, "id"),
			"psk_epoch", "1", "ike_version", "2", "region", "europe-west1",
			"peer_external_gateway", plan.Ref(ext.Key, "id"), "peer_interface", "0")
		ip := func(h int) string { return fmt.Sprintf("169.254.%d.%d", i/64, (i%64)*4+h) }
		peer := obj("router_bgp_peer", tk, []string{rt.Key, tun.Key},
			"router", plan.Ref(rt.Key, "id"), "ip_range", ip(1)+"/30", "vpn_tunnel", plan.Ref(tun.Key, "id"), "ip_address", ip(1),
			"peer_ip_address", ip(2), "peer_asn", "65000", "advertised_route_priority", "100")
		out = append(out, tun, peer)
	}
	return m, out
}

func without(objs []plan.Object, kinds ...string) []plan.Object {
	var out []plan.Object
	for _, o := range objs {
		drop := false
		for _, k := range kinds {
			drop = drop || o.Kind == k
		}
		if !drop {
			out = append(out, o)
		}
	}
	return out
}

// TestRouterGroupCommit: 40 BGP peers with their interfaces, created
// concurrently on one router, all land in far fewer writes than 40; and
// removing them all (the last one by PUT) leaves the router empty.
func TestRouterGroupCommit(t *testing.T) {
	const n = 40
	m, desired := starMesh(n)
	e := newEnv(t, m, gce.Options{OpDelay: 30 * time.Millisecond}, Config{})
	base := without(desired, kindPeer)
	e.converge(t, base)
	e.calls.reset()
	e.converge(t, desired)
	obs := e.inSync(t, desired)
	patches, puts := e.calls.get("PATCH routers"), e.calls.get("PUT routers")
	t.Logf("%d peers with their interfaces in %d PATCHes and %d PUTs; observed %s", n, patches, puts, countKinds(obs))
	if patches+puts == 0 || patches+puts > n/4 {
		t.Fatalf("%d router writes for %d peers: not group-committed", patches+puts, n)
	}

	e.calls.reset()
	e.converge(t, base)
	e.inSync(t, base)
	if got := len(e.observe(t)); got != len(base) {
		t.Fatalf("%d objects left, want %d", got, len(base))
	}
	if e.calls.get("PUT routers") == 0 {
		t.Fatal("removing the last interface and peer sent no PUT: a PATCH cannot carry empty lists")
	}
	t.Logf("removal: %d PATCHes, %d PUTs", e.calls.get("PATCH routers"), e.calls.get("PUT routers"))
}
