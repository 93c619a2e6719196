package plan

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// obj builds an object of a registered kind at site s1; attrs alternate
// name, value.
func obj(kind, name string, deps []string, attrs ...string) Object {
	s, _ := Spec(kind)
	o := Object{Key: Key(s.Cloud, "s1", kind, name), Kind: kind, Cloud: s.Cloud, Site: "s1", Attrs: map[string]string{}, Deps: deps}
	for i := 0; i+1 < len(attrs); i += 2 {
		o.Attrs[attrs[i]] = attrs[i+1]
	}
	return o
}

func withID(o Object, id string) Object { o.ID = id; return o }

func withAttr(o Object, kv ...string) Object {
	c := o
	c.Attrs = map[string]string{}
	for k, v := range o.Attrs {
		c.Attrs[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Attrs[kv[i]] = kv[i+1]
	}
	return c
}

func keys(os ...Object) map[string]bool {
	m := map[string]bool{}
	for _, o := range os {
		m[o.Key] = true
	}
	return m
}

func mustDiff(t *testing.T, desired, observed []Object, known map[string]bool) *Graph {
	t.Helper()
	g, err := Diff(desired, observed, known)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// waitsFor reports whether a transitively waits for b.
func waitsFor(g *Graph, a, b string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(id string) bool {
		for _, d := range g.Deps(id) {
			if d == b || (!seen[d] && walk(d)) {
				return true
			}
			seen[d] = true
		}
		return false
	}
	return walk(a)
}

func TestDiffOps(t *testing.T) {
	router := obj("gcp_router", "r", nil, "network", "prod", "bgp_asn", "64512")
	routerObs := withAttr(withID(router, "r-1"), "self_link", "x") // extra observed attrs are ignored
	for _, c := range []struct {
		name     string
		observed []Object
		known    map[string]bool
		want     Op
	}{
		{"create", nil, nil, OpCreate},
		{"equal and known", []Object{routerObs}, keys(router), ""},
		{"equal, not in state: adopt", []Object{routerObs}, nil, OpAdopt},
		{"in-place change", []Object{withAttr(routerObs, "bgp_asn", "64513")}, keys(router), OpUpdate},
		{"in-place change, not in state", []Object{withAttr(routerObs, "bgp_asn", "64513")}, nil, OpUpdate},
		{"identity change", []Object{withAttr(routerObs, "network", "dev")}, keys(router), OpReplace},
		{"both", []Object{withAttr(routerObs, "network", "dev", "bgp_asn", "1")}, keys(router), OpReplace},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := mustDiff(t, []Object{router}, c.observed, c.known)
			if got := g.Changes()[router.Key]; got != c.want {
				t.Fatalf("op = %q, want %q (actions %s)", got, c.want, ids(g.Actions()))
			}
		})
	}

	// A desired attribute the cloud does not report is a difference.
	missing := withID(obj("gcp_router", "r", nil, "network", "prod"), "r-1")
	if got := mustDiff(t, []Object{router}, []Object{missing}, keys(router)).Changes()[router.Key]; got != OpUpdate {
		t.Errorf("missing in-place attribute: %q, want update", got)
	}

	// Observed and not desired: delete.
	g := mustDiff(t, nil, []Object{routerObs}, keys(router))
	as := g.Actions()
	if len(as) != 1 || as[0].Op != OpDelete || as[0].Observed.ID != "r-1" || as[0].ID != "delete:"+router.Key {
		t.Errorf("delete: %+v", as)
	}
}

func TestDiffInPlaceOrReplacePerKind(t *testing.T) {
	for _, c := range []struct {
		kind, attr string
		want       Op
	}{
		{"aws_vpn_connection", "psk_epoch", OpUpdate},
		{"aws_vpn_connection", "tunnel.1.psk_epoch", OpUpdate},
		{"aws_vpn_connection", "tunnel.1.inside_cidr", OpReplace},
		{"gcp_vpn_tunnel", "psk_epoch", OpReplace},
		{"gcp_router_bgp_peer", "advertised_route_priority", OpUpdate},
		{"gcp_router_bgp_peer", "ip_range", OpUpdate},
		{"gcp_router_bgp_peer", "router", OpReplace},
		{"azure_local_network_gateway", "gateway_ip", OpUpdate},
		{"azure_vpn_connection", "psk_epoch", OpUpdate},
		{"azure_vnet_gateway", "vpn_type", OpReplace},
		{"host_wireguard_link", "keepalive", OpUpdate},
		{"host_wireguard_link", "public_key", OpReplace},
		{"host_bgp_session", "prepend", OpUpdate},
		{"host_bgp_session", "peer_asn", OpReplace},
	} {
		d := obj(c.kind, "x", nil, c.attr, "2")
		o := withID(obj(c.kind, "x", nil, c.attr, "1"), "id-1")
		if got := mustDiff(t, []Object{d}, []Object{o}, keys(d)).Changes()[d.Key]; got != c.want {
			t.Errorf("%s: change of %s = %q, want %q", c.kind, c.attr, got, c.want)
		}
	}
}

func TestDiffReplaceIsDeleteThenCreate(t *testing.T) {
	d := obj("gcp_vpn_tunnel", "t", nil, "psk_epoch", "2")
	o := withID(obj("gcp_vpn_tunnel", "t", nil, "psk_epoch", "1"), "t-1")
	g := mustDiff(t, []Object{d}, []Object{o}, keys(d))
	if got := ids(g.Actions()); got != "create:"+d.Key+" delete:"+d.Key {
		t.Fatalf("actions: %s", got)
	}
	cr, _ := g.Action("create:" + d.Key)
	del, _ := g.Action("delete:" + d.Key)
	if !cr.Replace || !del.Replace || del.Observed.ID != "t-1" || cr.Desired.Attrs["psk_epoch"] != "2" {
		t.Errorf("halves: %+v / %+v", cr, del)
	}
	if !slices.Equal(g.Deps(cr.ID), []string{del.ID}) {
		t.Errorf("create waits for %v", g.Deps(cr.ID))
	}
}

// A GCP HA VPN chain: gateway ← tunnel ← BGP peer, plus a router.
func chain() (gw, router, tun, peer Object) {
	gw = obj("gcp_ha_vpn_gateway", "gw", nil, "network", "prod")
	router = obj("gcp_router", "r", nil, "network", "prod", "bgp_asn", "64512")
	tun = obj("gcp_vpn_tunnel", "t", []string{gw.Key, router.Key}, "psk_epoch", "1")
	peer = obj("gcp_router_bgp_peer", "p", []string{router.Key, tun.Key}, "ip_range", "169.254.10.1/30", "advertised_route_priority", "100")
	return
}

func observe(os ...Object) []Object {
	var out []Object
	for i, o := range os {
		out = append(out, withID(o, "id-"+string(rune('a'+i))))
	}
	return out
}

func TestDiffForcesReplacementOfDependents(t *testing.T) {
	gw, router, tun, peer := chain()
	desired := []Object{gw, router, tun, withAttr(peer, "advertised_route_priority", "200")}
	// The gateway moves network: replaced. The tunnel holds its ID, so it is
	// replaced too; the peer depends on the tunnel, whose ID is stable
	// across a replacement (StableID), so it stays and only updates its
	// priority. The router is untouched.
	observed := observe(withAttr(gw, "network", "old"), router, tun, peer)
	g := mustDiff(t, desired, observed, keys(desired...))
	ch := g.Changes()
	for _, o := range []Object{gw, tun} {
		if ch[o.Key] != OpReplace {
			t.Errorf("%s: %q, want replace", o.Key, ch[o.Key])
		}
	}
	if ch[peer.Key] != OpUpdate {
		t.Errorf("peer: %q, want update", ch[peer.Key])
	}
	for _, o := range []Object{router} {
		if op, ok := ch[o.Key]; ok {
			t.Errorf("%s: %q, want no action", o.Key, op)
		}
	}
	// Deletes run dependents first, creates dependencies first.
	for _, c := range [][2]string{
		{"delete:" + gw.Key, "delete:" + tun.Key},
		{"create:" + gw.Key, "delete:" + gw.Key},
		{"create:" + tun.Key, "create:" + gw.Key},
		{"create:" + tun.Key, "delete:" + tun.Key},
	} {
		if !waitsFor(g, c[0], c[1]) {
			t.Errorf("%s does not wait for %s", c[0], c[1])
		}
	}
}

// Without a stable ID, a replacement replaces everything that refers to it.
func TestDiffReplacementCascadesWithoutStableID(t *testing.T) {
	gw := obj("gcp_ha_vpn_gateway", "gw", nil, "network", "prod")
	ext := obj("gcp_external_vpn_gateway", "x", nil, "interface.0.ip", "198.18.0.1")
	tun := obj("gcp_vpn_tunnel", "t", []string{gw.Key, ext.Key}, "vpn_gateway", ref(gw.Key, "id"), "peer_external_gateway", ref(ext.Key, "id"))
	desired := []Object{gw, ext, tun}
	observed := []Object{withID(gw, "gw-1"), withID(withAttr(ext, "interface.0.ip", "198.18.0.9"), "x-1"),
		withID(withAttr(tun, "vpn_gateway", "gw-1", "peer_external_gateway", "x-1"), "t-1")}
	ch := mustDiff(t, desired, observed, keys(desired...)).Changes()
	if ch[ext.Key] != OpReplace || ch[tun.Key] != OpReplace || ch[gw.Key] != "" {
		t.Fatalf("changes: %v", ch)
	}
}

// A tunnel replaced for a new PSK keeps its name: the interface and BGP
// peer that refer to it are left alone, and references to it resolve.
func TestDiffStableIDKeepsReferrers(t *testing.T) {
	gw, router, tun, peer := chain()
	peer = withAttr(peer, "vpn_tunnel", ref(tun.Key, "id"))
	desired := []Object{gw, router, withAttr(tun, "psk_epoch", "2"), peer}
	observed := observe(gw, router, tun, withAttr(peer, "vpn_tunnel", "id-c"))
	g := mustDiff(t, desired, observed, keys(desired...))
	if ch := g.Changes(); len(ch) != 1 || ch[tun.Key] != OpReplace {
		t.Fatalf("changes: %v", ch)
	}
}

// ref writes a reference the way the compiler does.
func ref(key, attr string) string { return "${" + key + "." + attr + "}" }

func TestDiffResolvesReferencesFromTheCloud(t *testing.T) {
	gw := obj("gcp_ha_vpn_gateway", "gw", nil, "network", "prod")
	tun := obj("gcp_vpn_tunnel", "t", []string{gw.Key}, "vpn_gateway", ref(gw.Key, "id"), "psk_epoch", "1")
	gwObs := withAttr(withID(gw, "gw-9"), "interface.0.ip", "203.0.113.5")
	cgw := Object{Key: Key("aws", "a", "aws_customer_gateway", "c"), Kind: "aws_customer_gateway", Cloud: "aws", Site: "a",
		Attrs: map[string]string{"ip_address": ref(gw.Key, "interface.0.ip"), "bgp_asn": "65001"}, Deps: []string{gw.Key}}
	desired := []Object{gw, tun, cgw}

	// The cloud reports the gateway's ID and address: the references match.
	tunObs := withAttr(withID(tun, "t-1"), "vpn_gateway", "gw-9")
	cgwObs := withAttr(withID(cgw, "c-1"), "ip_address", "203.0.113.5")
	if g := mustDiff(t, desired, []Object{gwObs, tunObs, cgwObs}, keys(desired...)); g.Len() != 0 {
		t.Fatalf("references compared as text: %s", ids(g.Actions()))
	}

	// A tunnel pointing at another gateway is replaced; the action carries
	// the resolved value for the driver.
	g := mustDiff(t, desired, []Object{gwObs, withAttr(tunObs, "vpn_gateway", "gw-1"), cgwObs}, keys(desired...))
	cr, ok := g.Action("create:" + tun.Key)
	if !ok || cr.Desired.Attrs["vpn_gateway"] != "gw-9" {
		t.Fatalf("create: %+v (actions %s)", cr, ids(g.Actions()))
	}
}

func TestDiffCreatedDependencyMakesReferencesUnknown(t *testing.T) {
	// The public IP vanished (console drift). The local network gateway that
	// refers to its address updates it in place; the connection that refers
	// to its ID cannot and is replaced; the VNG that depends on it for
	// ordering only has nothing to do.
	ip := obj("azure_public_ip", "0", nil, "region", "westeurope")
	lng := obj("azure_local_network_gateway", "l", []string{ip.Key}, "gateway_ip", ref(ip.Key, "ip"), "asn", "65001")
	conn := obj("azure_vpn_connection", "c", []string{ip.Key}, "local_network_gateway", ref(ip.Key, "id"))
	vng := obj("azure_vnet_gateway", "g", []string{ip.Key}, "asn", "65515")
	desired := []Object{ip, lng, conn, vng}
	observed := []Object{
		withID(withAttr(lng, "gateway_ip", "198.51.100.1"), "l-1"),
		withID(withAttr(conn, "local_network_gateway", "ip-1"), "c-1"),
		withID(vng, "g-1"),
	}
	g := mustDiff(t, desired, observed, keys(desired...))
	ch := g.Changes()
	if ch[ip.Key] != OpCreate || ch[lng.Key] != OpUpdate || ch[conn.Key] != OpReplace || ch[vng.Key] != "" {
		t.Fatalf("changes: %v", ch)
	}
	up, _ := g.Action("update:" + lng.Key)
	if up.Desired.Attrs["gateway_ip"] != ref(ip.Key, "ip") {
		t.Errorf("unknown value should stay a reference for the engine: %q", up.Desired.Attrs["gateway_ip"])
	}
	if !waitsFor(g, up.ID, "create:"+ip.Key) {
		t.Error("update does not wait for the object it refers to")
	}
}

func TestDiffDerivedValueOfAnUpdate(t *testing.T) {
	// A key epoch bump makes the device a new key pair: the peer entry that
	// carries the public key updates after it, with the key left to resolve.
	dev := obj("host_wireguard_device", "d", nil, "device", "wg0", "key_epoch", "2")
	peer := obj("host_wireguard_peer", "p", []string{dev.Key}, "device", "wg1", "peer_public_key", ref(dev.Key, "public_key"))
	desired := []Object{dev, peer}
	observed := []Object{
		withID(withAttr(dev, "key_epoch", "1", "public_key", "OLD="), "d-1"),
		withID(withAttr(peer, "peer_public_key", "OLD="), "p-1"),
	}
	g := mustDiff(t, desired, observed, keys(desired...))
	if got := ids(g.Actions()); got != "update:"+dev.Key+" update:"+peer.Key {
		t.Fatalf("actions: %s", got)
	}
	if !slices.Equal(g.Deps("update:"+peer.Key), []string{"update:" + dev.Key}) {
		t.Errorf("peer waits for %v", g.Deps("update:"+peer.Key))
	}
	// Without the bump the key is known and equal: nothing to do.
	observed[0] = withID(withAttr(dev, "public_key", "OLD="), "d-1")
	if g := mustDiff(t, desired, observed, keys(desired...)); g.Len() != 0 {
		t.Errorf("actions: %s", ids(g.Actions()))
	}
}

func TestDiffAdoptsACrashedApply(t *testing.T) {
	gw, router, tun, peer := chain()
	desired := []Object{gw, router, tun, peer}
	// The crash happened after the tunnel was created, before it was recorded.
	g := mustDiff(t, desired, observe(gw, router, tun), keys(gw, router))
	ch := g.Changes()
	if ch[tun.Key] != OpAdopt || ch[peer.Key] != OpCreate || len(ch) != 2 {
		t.Fatalf("changes: %v", ch)
	}
	if !waitsFor(g, "create:"+peer.Key, "adopt:"+tun.Key) {
		t.Error("BGP peer create does not wait for the tunnel's adoption")
	}
	a, _ := g.Action("adopt:" + tun.Key)
	if a.Observed.ID != "id-c" {
		t.Errorf("adopt carries ID %q", a.Observed.ID)
	}
}

func TestDiffOrphanDeletes(t *testing.T) {
	gw, router, tun, _ := chain()
	// Nothing desired but a new router elsewhere: the old tunnel goes before
	// its gateway and router; the new router does not wait for any delete.
	newRouter := obj("gcp_router", "r2", nil, "network", "prod")
	g := mustDiff(t, []Object{newRouter}, observe(gw, router, tun), nil)
	if !waitsFor(g, "delete:"+gw.Key, "delete:"+tun.Key) || !waitsFor(g, "delete:"+router.Key, "delete:"+tun.Key) {
		t.Error("a gateway is deleted before its tunnel")
	}
	if len(g.Deps("create:"+newRouter.Key)) != 0 || len(g.Deps("delete:"+tun.Key)) != 0 {
		t.Error("unrelated work is ordered")
	}
}

func TestDiffDeleteWaitsForUpdateDroppingTheReference(t *testing.T) {
	lngOld := obj("azure_local_network_gateway", "old", nil, "gateway_ip", "192.0.2.1")
	conn := obj("azure_vpn_connection", "c", nil, "psk_epoch", "2")
	connObs := withID(obj("azure_vpn_connection", "c", []string{lngOld.Key}, "psk_epoch", "1"), "c-1")
	g := mustDiff(t, []Object{conn}, []Object{connObs, withID(lngOld, "l-1")}, keys(conn, lngOld))
	if !slices.Equal(g.Deps("delete:"+lngOld.Key), []string{"update:" + conn.Key}) {
		t.Errorf("delete waits for %v", g.Deps("delete:"+lngOld.Key))
	}
}

func TestDiffDuplicates(t *testing.T) {
	r := obj("gcp_router", "r", nil, "network", "prod", "bgp_asn", "64512")
	if _, err := Diff([]Object{r, r}, nil, nil); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate desired: %v", err)
	}

	// Three copies in the cloud. The one that already matches is kept even
	// though its ID is not the lowest; the others are deleted by ID.
	stale := withAttr(r, "network", "old")
	observed := []Object{withID(stale, "b"), withID(r, "c"), withID(stale, "a")}
	g := mustDiff(t, []Object{r}, observed, keys(r))
	want := "delete:" + r.Key + "@a delete:" + r.Key + "@b"
	if got := ids(g.Actions()); got != want {
		t.Errorf("actions %s, want %s", got, want)
	}

	// None matches: equal rank, so the lowest ID is kept (and replaced).
	g = mustDiff(t, []Object{r}, []Object{withID(stale, "b"), withID(stale, "a")}, keys(r))
	if del, _ := g.Action("delete:" + r.Key); del.Observed.ID != "a" {
		t.Errorf("kept %q, want a", del.Observed.ID)
	}
	if extra, ok := g.Action("delete:" + r.Key + "@b"); !ok || !extra.Duplicate {
		t.Errorf("extra not deleted: %s", ids(g.Actions()))
	}

	// An update of the kept copy is what the key shows, not the extra's delete.
	g = mustDiff(t, []Object{r}, []Object{withID(withAttr(r, "bgp_asn", "1"), "b"), withID(stale, "a")}, keys(r))
	if got := g.Changes()[r.Key]; got != OpUpdate || g.Len() != 2 {
		t.Errorf("update and extra: %q, actions %s", got, ids(g.Actions()))
	}

	// The same cloud object listed twice is one object.
	g = mustDiff(t, []Object{r}, []Object{withID(r, "a"), withID(r, "a")}, keys(r))
	if g.Len() != 0 {
		t.Errorf("listed twice: %s", ids(g.Actions()))
	}
}

func TestDiffRejectsBadInput(t *testing.T) {
	gw, router, tun, _ := chain()
	bogus := Object{Key: "aws/s1/aws_nat_gateway/n", Kind: "aws_nat_gateway", Cloud: "aws"}
	wrongCloud := gw
	wrongCloud.Cloud = "aws"
	a := obj("host_wireguard_link", "a", []string{Key("host", "s1", "host_wireguard_link", "b")})
	b := obj("host_wireguard_link", "b", []string{a.Key})
	for _, c := range []struct {
		name              string
		desired, observed []Object
		want              string
	}{
		{"unknown desired kind", []Object{bogus}, nil, `unknown kind "aws_nat_gateway"`},
		{"unknown observed kind", nil, []Object{withID(bogus, "n-1")}, `unknown kind "aws_nat_gateway"`},
		{"wrong cloud", []Object{wrongCloud}, nil, "belongs to cloud"},
		{"missing dependency", []Object{tun, router}, nil, "depends on " + gw.Key + ", which is not desired"},
		{"observed without ID", nil, []Object{gw}, "has no ID"},
		// Both links exist as desired, so no action would reveal the cycle.
		{"cycle", []Object{a, b}, observe(a, b), a.Key + " -> " + b.Key + " -> " + a.Key},
		{"reference to an undesired object", []Object{obj("host_bgp_session", "s", nil, "x", ref(a.Key, "id"))}, nil, "refers to " + a.Key},
		{"cycle through a reference", []Object{obj("host_bgp_session", "s", []string{b.Key}), obj("host_wireguard_link", "b", nil, "x", ref(Key("host", "s1", "host_bgp_session", "s"), "id"))}, nil, "cycle"},
	} {
		if _, err := Diff(c.desired, c.observed, keys(c.desired...)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestDiffIsDeterministic(t *testing.T) {
	gw, router, tun, peer := chain()
	desired := []Object{withAttr(gw, "network", "new"), router, tun, peer, obj("gcp_router", "r2", nil)}
	observed := append(observe(gw, router, tun, peer), withID(router, "zz"), withID(obj("gcp_router", "gone", nil), "g-1"))
	render := func(g *Graph) string {
		var b strings.Builder
		for _, a := range g.Actions() {
			b.WriteString(a.ID + "<" + strings.Join(g.Deps(a.ID), ",") + ">\n")
		}
		return b.String()
	}
	want := render(mustDiff(t, desired, observed, nil))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		rng.Shuffle(len(desired), func(i, j int) { desired[i], desired[j] = desired[j], desired[i] })
		rng.Shuffle(len(observed), func(i, j int) { observed[i], observed[j] = observed[j], observed[i] })
		if got := render(mustDiff(t, desired, observed, nil)); got != want {
			t.Fatalf("plan depends on input order:\n%s\nvs\n%s", got, want)
		}
	}
}
