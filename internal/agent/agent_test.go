package agent

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
)

func device(key, dev, addr, epoch string) api.Object {
	return api.Object{Key: key, Kind: kindDevice, Attrs: map[string]string{"device": dev, "listen_port": "51821", "address": addr, "key_epoch": epoch}}
}

func peer(key, dev, pub string) api.Object {
	return api.Object{Key: key, Kind: kindPeer, Attrs: map[string]string{"device": dev, "peer_public_key": pub,
		"endpoint": "198.51.100.11:51820", "keepalive": "5", "allowed_ips": "0.0.0.0/0"}}
}

func session(key, asn, peerAddr string) api.Object {
	return api.Object{Key: key, Kind: kindSession, Attrs: map[string]string{"local_address": "169.254.0.1", "peer_address": peerAddr,
		"local_asn": asn, "peer_asn": "65002", "announce": "10.40.0.0/16,10.41.0.0/16", "med": "100", "prepend": "1", "hold_time": "3", "keepalive": "1"}}
}

// TestAgentObjects applies a link's three objects and reads them back in
// exactly the planner's attributes, so a second plan is empty.
func TestAgentObjects(t *testing.T) {
	ctx := context.Background()
	a, w, routers, h := newTestAgent(t, t.TempDir())
	want := []api.Object{
		device("host/h0/wireguard_device/h0~h1#0", "xl0", "169.254.0.1/30", "1"),
		peer("host/h0/wireguard_peer/h0~h1#0", "xl0", "cHViLWtleQ=="),
		session("host/h0/bgp_session/h0~h1#0", "65001", "169.254.0.2"),
	}
	for _, o := range want {
		got, err := a.Put(ctx, "m", o)
		if err != nil {
			t.Fatalf("put %s: %v", o.Key, err)
		}
		for k, v := range o.Attrs {
			if got.Attrs[k] != v {
				t.Errorf("%s: %s = %q, want %q", o.Key, k, got.Attrs[k], v)
			}
		}
	}
	if !h.forward {
		t.Error("forwarding is off with a link present")
	}
	list, err := a.List(ctx, "m")
	if err != nil || len(list) != 3 {
		t.Fatalf("list = %d objects, %v", len(list), err)
	}
	if pk := list[1].Attrs["public_key"]; pk != "pub-xl0-1" {
		t.Errorf("device public_key = %q", pk)
	}
	if other, _ := a.List(ctx, "other"); len(other) != 0 {
		t.Errorf("another mesh sees %d objects", len(other))
	}
	// The system loses the device (an embedded one dies with a restart): the
	// list drops it, and Reconcile brings it back.
	delete(w.devices, "xl0")
	if l, _ := a.List(ctx, "m"); len(l) != 1 {
		t.Errorf("after losing the device, list = %d objects, want the session only", len(l))
	}
	if err := a.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := a.List(ctx, "m"); len(l) != 3 {
		t.Errorf("after reconcile, list = %d objects", len(l))
	}
	for i := len(want) - 1; i >= 0; i-- {
		if err := a.Delete(ctx, "m", want[i].Key); err != nil {
			t.Fatal(err)
		}
		if err := a.Delete(ctx, "m", want[i].Key); err != nil {
			t.Fatalf("second delete: %v", err)
		}
	}
	if len(w.devices) != 0 || h.forward || !(*routers)[0].closed {
		t.Errorf("after delete: devices %v, forwarding %v, router closed %v", keys(w.devices), h.forward, (*routers)[0].closed)
	}
}

func TestAgentRefusals(t *testing.T) {
	ctx := context.Background()
	a, _, _, _ := newTestAgent(t, t.TempDir())
	mustPut := func(mesh string, o api.Object) {
		t.Helper()
		if _, err := a.Put(ctx, mesh, o); err != nil {
			t.Fatal(err)
		}
	}
	mustPut("m", device("k/dev0", "xl0", "169.254.0.1/30", "1"))
	mustPut("m", session("k/s0", "65001", "169.254.0.2"))
	for _, c := range []struct {
		name  string
		obj   api.Object
		mesh  string
		bad   bool // a 400; else a 409 retry
		match string
	}{
		{"unknown kind", api.Object{Key: "k/x", Kind: "host_teleporter"}, "m", true, "unknown kind"},
		{"ipsec", api.Object{Key: "k/i", Kind: kindIPsec}, "m", true, "not supported"},
		{"missing attribute", api.Object{Key: "k/d", Kind: kindDevice, Attrs: map[string]string{"device": "xl1"}}, "m", true, `"listen_port" is missing`},
		{"bad address", device("k/d", "xl1", "169.254.0.5", "1"), "m", true, "prefix length"},
		{"bad name", device("k/d", "xl1/../x", "169.254.0.5/30", "1"), "m", true, "interface name"},
		{"device of another mesh", device("k/d", "xl0", "169.254.0.5/30", "1"), "n", true, "already used"},
		{"second ASN", session("k/s1", "65009", "169.254.0.6"), "m", true, "one AS"},
		{"peer before device", peer("k/p", "xl7", "x"), "m", false, "does not exist yet"},
	} {
		_, err := a.Put(ctx, c.mesh, c.obj)
		var b badObject
		var r retryable
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.bad != errors.As(err, &b) || !c.bad != errors.As(err, &r):
			t.Errorf("%s: error kind: %v", c.name, err)
		case !strings.Contains(err.Error(), c.match):
			t.Errorf("%s: %v, want %q", c.name, err, c.match)
		}
		if _, stored := a.store.get(c.mesh, c.obj.Key); stored && c.bad {
			t.Errorf("%s: a refused object was stored", c.name)
		}
	}
}

// TestAgentRestart: a new agent on the same state directory holds the same
// objects and re-applies them.
func TestAgentRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, _, _, _ := newTestAgent(t, dir)
	for _, o := range []api.Object{device("k/d", "xl0", "169.254.0.1/30", "3"), peer("k/p", "xl0", "a2V5")} {
		if _, err := a.Put(ctx, "m", o); err != nil {
			t.Fatal(err)
		}
	}
	b, w, _, _ := newTestAgent(t, dir)
	if err := b.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	d := w.devices["xl0"]
	if d == nil || d.KeyEpoch != 3 || d.Peer == nil || d.Peer.PublicKey != "a2V5" {
		t.Fatalf("after restart: %+v", d)
	}
}
