package wg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	addrA = netip.MustParsePrefix("10.99.0.1/30")
	addrB = netip.MustParsePrefix("10.99.0.2/30")
)

func wantAddrs(t *testing.T, st DeviceState, want ...netip.Prefix) {
	t.Helper()
	if !slices.Equal(st.Addresses, want) {
		t.Fatalf("%s addresses = %v, want %v", st.Name, st.Addresses, want)
	}
}

// TestTunnel runs two managers in two namespaces and a real tunnel between
// them, through creation, traffic, idempotence, address and MTU changes,
// key rotation, healing and removal.
func TestTunnel(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	logs := &logBuf{}
	var secrets []string // every private key seen: none may reach the log
	t.Cleanup(func() {
		out := logs.String()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("a private key appears in the log")
			}
		}
		if t.Failed() || os.Getenv("WG_TEST_LOG") != "" {
			t.Logf("manager log:\n%s", out)
		}
	})
	pid := os.Getpid()
	nameA, nameB := fmt.Sprintf("xt%da", pid), fmt.Sprintf("xt%db", pid)
	mA := newTestManager(t, env.hA, false, logs) // tries the kernel first
	mB := newTestManager(t, env.hB, true, logs)
	cfgA := DeviceConfig{Name: nameA, ListenPort: 51820, Address: addrA, KeyEpoch: 1}
	cfgB := DeviceConfig{Name: nameB, ListenPort: 51821, Address: addrB, KeyEpoch: 1}
	keyOf := func(m *Manager, name string) string {
		f := readKeyFile(t, m.keyPath(name))
		secrets = append(secrets, f.PrivateKey)
		return f.PrivateKey
	}
	peerOf := func(st DeviceState, ep string, allowed netip.Prefix) *PeerConfig {
		return &PeerConfig{PublicKey: st.PublicKey, Endpoint: ep, Keepalive: 5 * time.Second, AllowedIPs: []netip.Prefix{allowed}}
	}
	var stA, stB DeviceState
	var err error

	ok := t.Run("create", func(t *testing.T) {
		if stA, err = mA.EnsureDevice(ctx, cfgA); err != nil {
			t.Fatal(err)
		}
		if stB, err = mB.EnsureDevice(ctx, cfgB); err != nil {
			t.Fatal(err)
		}
		if stB.Kind != KindUserspace || (stA.Kind != KindUserspace && stA.Kind != KindKernel) {
			t.Fatalf("kinds %q %q", stA.Kind, stB.Kind)
		}
		t.Logf("device A is %s", stA.Kind)
		if stA.PublicKey == "" || stA.PublicKey == stB.PublicKey || stA.ListenPort != 51820 || !stA.Up ||
			stA.MTU != DefaultMTU || stA.KeyEpoch != 1 || stA.Peer != nil {
			t.Fatalf("state A: %+v", stA)
		}
		wantAddrs(t, stA, addrA)
		wantAddrs(t, stB, addrB)
		keyOf(mA, nameA)
		keyOf(mB, nameB)
		// Made in the namespace, not in ours.
		if _, err := exec.Command("ip", "link", "show", nameA).CombinedOutput(); err == nil {
			t.Fatalf("%s exists in the test's own namespace", nameA)
		}
		sh(t, "ip", "-n", env.nsA, "link", "show", nameA)
		if _, err := os.Stat("/var/run/wireguard/" + nameA + ".sock"); stA.Kind == KindUserspace && err != nil {
			t.Fatal(err)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("traffic", func(t *testing.T) {
		if err := mA.SetPeer(ctx, nameA, peerOf(stB, "192.0.2.2:51821", netip.MustParsePrefix("10.99.0.2/32"))); err != nil {
			t.Fatal(err)
		}
		if err := mB.SetPeer(ctx, nameB, peerOf(stA, "192.0.2.1:51820", netip.MustParsePrefix("10.99.0.1/32"))); err != nil {
			t.Fatal(err)
		}
		if err := ping(env.nsA, "10.99.0.2"); err != nil {
			t.Fatal(err)
		}
		if err := udpThrough(env.hA, env.hB, netip.MustParseAddrPort("10.99.0.2:40000"), addrA.Addr()); err != nil {
			t.Fatal(err)
		}
		a, ok, err := mA.Device(ctx, nameA)
		if err != nil || !ok || a.Peer == nil {
			t.Fatalf("device A: %v %v %+v", ok, err, a)
		}
		p := a.Peer
		if p.PublicKey != stB.PublicKey || p.Endpoint != "192.0.2.2:51821" || p.Keepalive != 5*time.Second ||
			!slices.Equal(p.AllowedIPs, []netip.Prefix{netip.MustParsePrefix("10.99.0.2/32")}) {
			t.Fatalf("peer of A: %+v", p)
		}
		if p.LastHandshake.IsZero() || time.Since(p.LastHandshake) > time.Minute || p.RxBytes == 0 || p.TxBytes == 0 {
			t.Fatalf("no handshake/traffic seen: %+v", p)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("idempotent", func(t *testing.T) {
		before, _, _ := mA.Device(ctx, nameA)
		for range 2 {
			st, err := mA.EnsureDevice(ctx, cfgA)
			if err != nil {
				t.Fatal(err)
			}
			if st.PublicKey != stA.PublicKey || st.KeyEpoch != 1 {
				t.Fatalf("key changed: %+v", st)
			}
			wantAddrs(t, st, addrA)
			if err := mA.SetPeer(ctx, nameA, peerOf(stB, "192.0.2.2:51821", netip.MustParsePrefix("10.99.0.2/32"))); err != nil {
				t.Fatal(err)
			}
		}
		after, _, _ := mA.Device(ctx, nameA)
		// ReplacePeers would have dropped the session and zeroed this.
		if after.Peer == nil || !after.Peer.LastHandshake.Equal(before.Peer.LastHandshake) {
			t.Fatalf("session reset by a no-op SetPeer: %v -> %+v", before.Peer.LastHandshake, after.Peer)
		}
		// In place: keepalive and allowed IPs change without a new session.
		p := peerOf(stB, "192.0.2.2:51821", netip.MustParsePrefix("10.99.0.2/32"))
		p.Keepalive = 7 * time.Second
		p.AllowedIPs = append(p.AllowedIPs, netip.MustParsePrefix("10.98.0.0/24"))
		if err := mA.SetPeer(ctx, nameA, p); err != nil {
			t.Fatal(err)
		}
		after, _, _ = mA.Device(ctx, nameA)
		if after.Peer.Keepalive != 7*time.Second || len(after.Peer.AllowedIPs) != 2 || after.Peer.LastHandshake.IsZero() {
			t.Fatalf("peer after in-place update: %+v", after.Peer)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("concurrent", func(t *testing.T) {
		peer := peerOf(stB, "192.0.2.2:51821", netip.MustParsePrefix("10.99.0.2/32"))
		errs := make(chan error, 30)
		for range 10 {
			go func() { _, err := mA.EnsureDevice(ctx, cfgA); errs <- err }()
			go func() { errs <- mA.SetPeer(ctx, nameA, peer) }()
			go func() { _, _, err := mA.Device(ctx, nameA); errs <- err }()
		}
		for range 30 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
	if !ok {
		return
	}

	ok = t.Run("address and MTU", func(t *testing.T) {
		other := netip.MustParsePrefix("10.99.0.5/30")
		st, err := mA.EnsureDevice(ctx, DeviceConfig{Name: nameA, ListenPort: 51820, Address: other, KeyEpoch: 1, MTU: 1380})
		if err != nil {
			t.Fatal(err)
		}
		wantAddrs(t, st, other)
		if st.MTU != 1380 {
			t.Fatalf("MTU %d", st.MTU)
		}
		if out := sh(t, "ip", "-n", env.nsA, "-4", "-o", "addr", "show", "dev", nameA); strings.Contains(out, "10.99.0.1/") || !strings.Contains(out, "10.99.0.5/30") {
			t.Fatalf("ip addr: %s", out)
		}
		// Same subnet: the old primary must go without taking the new one.
		same := netip.MustParsePrefix("10.99.0.6/30")
		if st, err = mA.EnsureDevice(ctx, DeviceConfig{Name: nameA, ListenPort: 51820, Address: same, KeyEpoch: 1, MTU: 1380}); err != nil {
			t.Fatal(err)
		}
		wantAddrs(t, st, same)
		if st, err = mA.EnsureDevice(ctx, cfgA); err != nil {
			t.Fatal(err)
		}
		wantAddrs(t, st, addrA)
		if st.MTU != DefaultMTU {
			t.Fatalf("MTU %d", st.MTU)
		}
		if err := ping(env.nsA, "10.99.0.2"); err != nil {
			t.Fatal(err)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("rotate", func(t *testing.T) {
		oldKey := keyOf(mA, nameA)
		cfgA.KeyEpoch = 2
		st, err := mA.EnsureDevice(ctx, cfgA)
		if err != nil {
			t.Fatal(err)
		}
		if st.PublicKey == stA.PublicKey || st.KeyEpoch != 2 {
			t.Fatalf("not rotated: %+v", st)
		}
		if f := readKeyFile(t, mA.keyPath(nameA)); f.Epoch != 2 || f.PrivateKey == oldKey {
			t.Fatalf("key file not replaced (epoch %d)", f.Epoch)
		}
		keyOf(mA, nameA)
		if ents, _ := os.ReadDir(mA.stateDir); len(ents) != 1 {
			t.Fatalf("state dir holds %d files", len(ents))
		}
		if st.Peer == nil || st.Peer.PublicKey != stB.PublicKey || st.Peer.Endpoint != "192.0.2.2:51821" {
			t.Fatalf("peer lost by rotation: %+v", st.Peer)
		}
		stA = st
		// B learns the new key; traffic flows again.
		if err := mB.SetPeer(ctx, nameB, peerOf(stA, "192.0.2.1:51820", netip.MustParsePrefix("10.99.0.1/32"))); err != nil {
			t.Fatal(err)
		}
		if err := ping(env.nsA, "10.99.0.2"); err != nil {
			t.Fatal(err)
		}
		b, _, _ := mB.Device(ctx, nameB)
		if b.KeyEpoch != 1 || b.Peer == nil || b.Peer.PublicKey != stA.PublicKey || b.Peer.LastHandshake.IsZero() {
			t.Fatalf("B after A's rotation: %+v %+v", b, b.Peer)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("heal", func(t *testing.T) {
		sh(t, "ip", "-n", env.nsA, "link", "set", nameA, "down")
		st, _, _ := mA.Device(ctx, nameA)
		if st.Up {
			t.Fatal("still up")
		}
		if err := mA.SetLinkUp(ctx, nameA); err != nil {
			t.Fatal(err)
		}
		if err := ping(env.nsA, "10.99.0.2"); err != nil {
			t.Fatal(err)
		}
		// A lost device (deleted link) is remade with its key and peer.
		sh(t, "ip", "-n", env.nsA, "link", "del", nameA)
		eventually(t, "device A gone", 5*time.Second, func() error {
			if _, ok, err := mA.Device(ctx, nameA); ok || err != nil {
				return fmt.Errorf("present=%v err=%v", ok, err)
			}
			return nil
		})
		st, err := mA.EnsureDevice(ctx, cfgA)
		if err != nil {
			t.Fatal(err)
		}
		if st.PublicKey != stA.PublicKey || st.Peer == nil || st.Peer.PublicKey != stB.PublicKey {
			t.Fatalf("remade device: %+v peer %+v", st, st.Peer)
		}
		wantAddrs(t, st, addrA)
		if err := ping(env.nsA, "10.99.0.2"); err != nil {
			t.Fatal(err)
		}
	})
	if !ok {
		return
	}

	t.Run("remove", func(t *testing.T) {
		if err := mA.RemoveDevice(ctx, nameA); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("ip", "-n", env.nsA, "link", "show", nameA).CombinedOutput(); err == nil {
			t.Fatalf("link still there: %s", out)
		}
		if _, err := os.Stat("/var/run/wireguard/" + nameA + ".sock"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("socket still there: %v", err)
		}
		if _, err := os.Stat(mA.keyPath(nameA)); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("key file still there: %v", err)
		}
		if _, ok, err := mA.Device(ctx, nameA); ok || err != nil {
			t.Fatalf("Device after removal: %v %v", ok, err)
		}
		if err := mA.RemoveDevice(ctx, nameA); err != nil {
			t.Fatalf("removing again: %v", err)
		}
		if err := mA.SetPeer(ctx, nameA, nil); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("SetPeer on a removed device: %v", err)
		}
		// Close takes B's embedded device (and its socket) with it.
		if err := mB.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := mB.Device(ctx, nameB); !errors.Is(err, ErrClosed) {
			t.Fatalf("Device after Close: %v", err)
		}
		eventually(t, "B's link gone", 5*time.Second, func() error {
			if out, err := exec.Command("ip", "-n", env.nsB, "link", "show", nameB).CombinedOutput(); err == nil {
				return fmt.Errorf("still there: %s", out)
			}
			return nil
		})
		if _, err := os.Stat("/var/run/wireguard/" + nameB + ".sock"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("B's socket still there: %v", err)
		}
	})
}
