package fabric

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// pair returns two halves of one tunnel that agree on everything.
func pair() (End, End) {
	a := End{ID: "a", Up: true, LocalIP: netip.MustParseAddr("198.18.0.1"), RemoteIP: netip.MustParseAddr("198.19.0.1"),
		PSK: "secret.key_1", Inside: netip.MustParsePrefix("169.254.10.0/30"),
		LocalInside: netip.MustParseAddr("169.254.10.1"), RemoteInside: netip.MustParseAddr("169.254.10.2"),
		LocalASN: 64512, RemoteASN: 65001, Routes: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}
	b := End{ID: "b", Up: true, LocalIP: a.RemoteIP, RemoteIP: a.LocalIP, PSK: a.PSK, Inside: a.Inside,
		LocalInside: a.RemoteInside, RemoteInside: a.LocalInside, LocalASN: a.RemoteASN, RemoteASN: a.LocalASN,
		Routes: []netip.Prefix{netip.MustParsePrefix("10.2.0.0/16"), netip.MustParsePrefix("10.3.0.0/16")}}
	return a, b
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(a, b *End)
		ike, bgp bool
		reason   string // substring of a's reason
	}{
		{"agree", func(a, b *End) {}, true, true, ""},
		{"psk differs", func(a, b *End) { b.PSK = "other.key_2" }, false, false, "pre-shared keys differ"},
		{"no psk", func(a, b *End) { a.PSK, b.PSK = "", "" }, false, false, "pre-shared keys differ"},
		{"peer not ready", func(a, b *End) { b.Up = false }, false, false, "peer gateway is not ready"},
		{"self not ready", func(a, b *End) { a.Up = false }, false, false, "not ready"},
		{"no peer", func(a, b *End) { b.LocalIP = netip.MustParseAddr("198.19.0.9") }, false, false, "no tunnel at 198.19.0.1"},
		{"inside net", func(a, b *End) {
			b.Inside = netip.MustParsePrefix("169.254.11.0/30")
		}, true, false, "inside networks differ"},
		{"inside addrs", func(a, b *End) { b.LocalInside, b.RemoteInside = b.RemoteInside, b.LocalInside }, true, false, "inside addresses disagree"},
		{"peer asn", func(a, b *End) { b.LocalASN = 65002 }, true, false, "peer ASN 65002, expected 65001"},
		{"own asn", func(a, b *End) { b.RemoteASN = 64513 }, true, false, "expects ASN 64513"},
		{"no bgp", func(a, b *End) { b.LocalInside = netip.Addr{} }, true, false, "BGP is not configured"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := pair()
			c.mutate(&a, &b)
			st := Evaluate([]End{a, b})["a"]
			if st.IKE != c.ike || st.BGP != c.bgp {
				t.Fatalf("IKE %v BGP %v (%s), want %v %v", st.IKE, st.BGP, st.Reason, c.ike, c.bgp)
			}
			if !strings.Contains(st.Reason, c.reason) || (c.reason == "") != (st.Reason == "") {
				t.Fatalf("reason %q, want it to contain %q", st.Reason, c.reason)
			}
		})
	}
}

func TestEvaluateReceivesPeerRoutes(t *testing.T) {
	a, b := pair()
	got := Evaluate([]End{b, a})
	if r := got["a"].Received; len(r) != 2 || r[0].String() != "10.2.0.0/16" || got["a"].PeerID != "b" {
		t.Fatalf("a received %v from %q", r, got["a"].PeerID)
	}
	if r := got["b"].Received; len(r) != 1 || r[0].String() != "10.1.0.0/16" {
		t.Fatalf("b received %v", r)
	}
}

// Two halves claiming one address pair fight over one IKE association:
// neither side is reported up.
func TestEvaluateAmbiguous(t *testing.T) {
	a, b := pair()
	c := a
	c.ID = "c"
	got := Evaluate([]End{a, b, c})
	for _, id := range []string{"a", "b", "c"} {
		if got[id].IKE {
			t.Fatalf("%s is up despite two tunnels on one address pair: %+v", id, got[id])
		}
	}
	if !strings.Contains(got["b"].Reason, "2 tunnels at 198.18.0.1") {
		t.Fatalf("b: %q", got["b"].Reason)
	}
}

// Snapshot joins every registered source in one read of the store.
func TestSnapshotJoinsSources(t *testing.T) {
	st := store.New(store.Options{})
	st.Register(store.Kind{Name: "x.half"})
	a, b := pair()
	f := New()
	for _, e := range []End{a, b} {
		f.Register(func(v store.View) []End {
			if len(v.Find(store.ByKind("x.half"))) != 1 {
				return nil
			}
			return []End{e}
		})
	}
	if got := f.Snapshot(st); got["a"].IKE {
		t.Fatalf("up before the store holds the resource the sources wait for: %+v", got["a"])
	}
	if _, _, err := st.Create(store.CreateRequest{Kind: "x.half"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Snapshot(st); !got["a"].BGP || !got["b"].BGP {
		t.Fatalf("not up: %+v", got)
	}
}

// Routes propagate per each router's transit rule: a hub that transits (an
// AWS gateway) passes its spokes' prefixes on, one that does not (a Cloud
// Router) passes nothing but its own; a route never returns to the AS it
// came from.
func TestPropagateTransit(t *testing.T) {
	// link makes the two halves of a tunnel between routers x and y.
	n := 0
	link := func(x, y string, ax, ay uint32, rx, ry []netip.Prefix, tx, ty bool) (End, End) {
		n++
		a, b := pair()
		a.ID, b.ID = x+"-"+y+"-a", x+"-"+y+"-b"
		a.LocalIP = netip.AddrFrom4([4]byte{198, 18, byte(n), 1})
		a.RemoteIP = netip.AddrFrom4([4]byte{198, 19, byte(n), 1})
		b.LocalIP, b.RemoteIP = a.RemoteIP, a.LocalIP
		a.Router, b.Router, a.Transit, b.Transit = x, y, tx, ty
		a.LocalASN, a.RemoteASN, b.LocalASN, b.RemoteASN = ax, ay, ay, ax
		a.Routes, b.Routes = rx, ry
		return a, b
	}
	pfx := func(s string) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix(s)} }
	for _, hubTransits := range []bool{true, false} {
		h1, s1 := link("hub", "s1", 64512, 65001, pfx("10.0.0.0/16"), pfx("10.1.0.0/16"), hubTransits, false)
		h2, s2 := link("hub", "s2", 64512, 65002, pfx("10.0.0.0/16"), pfx("10.2.0.0/16"), hubTransits, false)
		st := Evaluate([]End{h1, s1, h2, s2})
		got := st[s1.ID].Received
		want := []string{"10.0.0.0/16"}
		if hubTransits {
			want = append(want, "10.2.0.0/16")
		}
		var gs []string
		for _, p := range got {
			gs = append(gs, p.String())
		}
		if strings.Join(gs, " ") != strings.Join(want, " ") {
			t.Errorf("hub transits %v: s1 receives %v, want %v", hubTransits, gs, want)
		}
		// The hub hears each spoke's own prefix, never its own back.
		if h := st[h1.ID].Received; len(h) != 1 || h[0].String() != "10.1.0.0/16" {
			t.Errorf("hub transits %v: the hub receives %v from s1", hubTransits, h)
		}
	}
}
