package gcp

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

var rfc1035 = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

func TestResourceNameShortensUniquely(t *testing.T) {
	short := resourceName("mesh", "site")
	if short != "mesh-site" {
		t.Fatalf("short name changed: %q", short)
	}
	long := strings.Repeat("a", 20)
	seen := map[string]string{}
	for i := range 200 {
		in := []string{long, strings.Repeat("b", 24), strings.Repeat("c", 23) + fmt.Sprint(i%10), fmt.Sprint(i)}
		n := resourceName(in...)
		if len(n) > maxName || !rfc1035.MatchString(n) {
			t.Fatalf("%v gives %q (%d chars), not an RFC 1035 name of at most 63", in, n, len(n))
		}
		if n != resourceName(in...) {
			t.Fatalf("%v is not deterministic", in)
		}
		whole := strings.Join(in, "-")
		if prev, dup := seen[n]; dup && prev != whole {
			t.Fatalf("%q and %q both give %q", prev, whole, n)
		}
		seen[n] = whole
	}
}

func TestDescriptionRoundTrip(t *testing.T) {
	key := plan.Key("gcp", "gcp-euw1", "vpn_tunnel", "aws-use1~gcp-euw1#3")
	m, k, ok := parseDescription(description("prod", key))
	if !ok || m != "prod" || k != key {
		t.Fatalf("round trip gave %q %q %v", m, k, ok)
	}
	for _, bad := range []string{"", "made by hand", "crosslink mesh=prod", "crosslink mesh= key=" + key, "crosslink mesh=prod key=notakey", "crosslink key=" + key + " mesh=prod"} {
		if _, _, ok := parseDescription(bad); ok {
			t.Errorf("%q parsed as crosslink's", bad)
		}
	}
}

// randomSite draws a valid site name, hyphens and digits included.
func randomSite(r *rand.Rand) string {
	const alpha, tail = "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0123456789-"
	n := 1 + r.IntN(24)
	b := []byte{alpha[r.IntN(len(alpha))]}
	for len(b) < n {
		b = append(b, tail[r.IntN(len(tail))])
	}
	if b[len(b)-1] == '-' {
		b[len(b)-1] = '9'
	}
	return string(b)
}

// TestEntryKeysRoundTrip: an interface or peer name alone, with the site
// of its router, gives back the key of the BGP peer object both belong to,
// for any pair of site names.
func TestEntryKeysRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a, b := randomSite(r), randomSite(r)
		if a == b {
			continue
		}
		tk := tunnelKey(a, b, r.IntN(12))
		for _, site := range []string{a, b} {
			key := plan.Key("gcp", site, "router_bgp_peer", tk)
			ifName, peerName, err := entryNames(key)
			if err != nil {
				t.Fatal(err)
			}
			if name, err := objectName("mesh", key); err != nil || name != peerName {
				t.Fatalf("%s: objectName %q, %v; entryNames %q", key, name, err, peerName)
			}
			for _, name := range []string{ifName, peerName} {
				if len(name) > maxName || !rfc1035.MatchString(name) {
					t.Fatalf("%s: entry name %q is not an RFC 1035 name", key, name)
				}
				got, ok := entryKey(site, name)
				if !ok || got != key {
					t.Fatalf("%s: name %q gives back %q, %v", key, name, got, ok)
				}
			}
			tun, err := objectName(strings.Repeat("m", 20), plan.Key("gcp", site, "vpn_tunnel", tk))
			if err != nil || len(tun) > maxName || !rfc1035.MatchString(tun) {
				t.Fatalf("tunnel name %q, %v", tun, err)
			}
		}
	}
}

func TestEntryKeyIgnoresForeignNames(t *testing.T) {
	for _, n := range []string{"", "if-", "if-peer", "if-peer-", "if-peer-x", "if--1", "if-peer-01", "bgp-peer", "bgp-peer-01", "interface-1", "if-peer--1"} {
		if k, ok := entryKey("site", n); ok {
			t.Errorf("%q was taken for crosslink's: %q", n, k)
		}
	}
}

func TestObjectNames(t *testing.T) {
	cases := map[string]string{
		plan.Key("gcp", "euw1", "ha_vpn_gateway", "main"):        "prod-euw1",
		plan.Key("gcp", "euw1", "router", "main"):                "prod-euw1",
		plan.Key("gcp", "euw1", "external_vpn_gateway", "aws-1"): "prod-euw1-aws-1",
		plan.Key("gcp", "euw1", "vpn_tunnel", "aws-1~euw1#2"):    "prod-euw1-aws-1-2",
		plan.Key("gcp", "euw1", "router_bgp_peer", "euw1~z#1"):   "bgp-z-1",
	}
	for key, want := range cases {
		if got, err := objectName("prod", key); err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", key, got, err, want)
		}
	}
	for _, bad := range []string{"gcp/euw1/router_interface/euw1~z#0", "gcp/euw1/vpn_tunnel/a~b#0", "gcp/euw1/vpn_tunnel/euw1-b-0", "gcp/euw1/nat/main", "nokey"} {
		if got, err := objectName("prod", bad); err == nil {
			t.Errorf("%s: got %q, want an error", bad, got)
		}
	}
}

func TestParseID(t *testing.T) {
	r, err := parseID("https://compute.googleapis.com/compute/v1/projects/p/regions/r/routers/x", colRouters)
	if err != nil || r != (ref{project: "p", region: "r", name: "x"}) || r.id(colRouters) != "projects/p/regions/r/routers/x" {
		t.Fatalf("%+v %v", r, err)
	}
	g, err := parseID("projects/p/global/externalVpnGateways/e", colExternals)
	if err != nil || g.region != "" || g.id(colExternals) != "projects/p/global/externalVpnGateways/e" {
		t.Fatalf("%+v %v", g, err)
	}
	for _, bad := range []string{"projects/p/regions/r/vpnTunnels/x", "routers/x", "projects//regions/r/routers/x"} {
		if _, err := parseID(bad, colRouters); err == nil {
			t.Errorf("%q parsed as a router ID", bad)
		}
	}
}
