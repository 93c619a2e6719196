package plan

import (
	"slices"
	"testing"
)

// A psk_epoch bump on an AWS–GCP pair: connection 0 and GCP tunnels #0, #1
// are one unit, connection 1 and #2, #3 the next; every action of the
// second waits for every action of the first, and the actions that give a
// half its new key wait for the tunnels that were up.
func TestStageRotations(t *testing.T) {
	conn := func(name, t0, t1, epoch string) Object {
		return obj("aws_vpn_connection", name, nil, "tunnel.0.key", t0, "tunnel.1.key", t1, "psk_epoch", epoch)
	}
	tun := func(key, epoch string) Object { return obj("gcp_vpn_tunnel", key, nil, "psk_epoch", epoch) }
	build := func(epoch string) []Object {
		return []Object{conn("q-0", "p~q#0", "p~q#1", epoch), conn("q-1", "p~q#2", "p~q#3", epoch),
			tun("p~q#0", epoch), tun("p~q#1", epoch), tun("p~q#2", epoch), tun("p~q#3", epoch)}
	}
	observe := func(up map[string]string) []Object {
		var out []Object
		for i, o := range build("1") {
			o = withID(o, string(rune('a'+i)))
			if u, ok := up[o.Key]; ok {
				o = withAttr(o, "tunnels_up", u)
			}
			out = append(out, o)
		}
		return out
	}
	c0, c1 := Key("aws", "s1", "aws_vpn_connection", "q-0"), Key("aws", "s1", "aws_vpn_connection", "q-1")
	tk := func(n string) string { return Key("gcp", "s1", "gcp_vpn_tunnel", "p~q#"+n) }
	up := map[string]string{c0: "p~q#0,p~q#1", c1: "p~q#2", tk("0"): "p~q#0", tk("2"): "p~q#2"}
	g := mustDiff(t, build("2"), observe(up), nil)

	first := []string{"update:" + c0, "delete:" + tk("0"), "create:" + tk("0"), "delete:" + tk("1"), "create:" + tk("1")}
	second := []string{"update:" + c1, "delete:" + tk("2"), "create:" + tk("2"), "delete:" + tk("3"), "create:" + tk("3")}
	for _, a := range second {
		for _, b := range first {
			if !waitsFor(g, a, b) {
				t.Errorf("%s does not wait for %s", a, b)
			}
		}
	}
	for _, a := range first {
		for _, b := range second {
			if waitsFor(g, a, b) {
				t.Errorf("%s waits for %s of the later unit", a, b)
			}
		}
	}
	await := map[string][]string{}
	for _, a := range g.Actions() {
		if len(a.AwaitUp) > 0 {
			await[a.ID] = a.AwaitUp
		}
	}
	want := map[string][]string{"update:" + c0: {"p~q#0", "p~q#1"}, "update:" + c1: {"p~q#2"},
		"create:" + tk("0"): {"p~q#0"}, "create:" + tk("2"): {"p~q#2"}}
	if len(await) != len(want) {
		t.Errorf("await %v, want %v", await, want)
	}
	for id, w := range want {
		if !slices.Equal(await[id], w) {
			t.Errorf("%s awaits %v, want %v", id, await[id], w)
		}
	}
	// Nothing rotates: nothing is staged.
	if g := mustDiff(t, build("1"), observe(up), nil); g.Len() != 6 {
		t.Errorf("%d actions without a rotation", g.Len())
	}
}
