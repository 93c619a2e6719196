package wg

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCurrentNamespace covers the production set-up: the agent process runs
// inside its namespace and leaves Options.NetNS unset. A child test process
// started with "ip netns exec" plays that agent (side A); this process
// plays B through a namespaced Manager.
func TestCurrentNamespace(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	logs := &logBuf{}
	mB := newTestManager(t, env.hB, true, logs)
	pid := os.Getpid()
	nameA, nameB := fmt.Sprintf("xc%da", pid), fmt.Sprintf("xc%db", pid)
	stB, err := mB.EnsureDevice(ctx, DeviceConfig{Name: nameB, ListenPort: 51821, Address: addrB, KeyEpoch: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("ip", "netns", "exec", env.nsA, os.Args[0], "-test.run=^TestHelperAgent$", "-test.v")
	cmd.Env = append(os.Environ(), "XLWG_HELPER_DIR="+dir, "XLWG_HELPER_DEV="+nameA, "XLWG_HELPER_PEER="+stB.PublicKey)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	var pub []byte
	eventually(t, "the child's public key", 10*time.Second, func() (err error) {
		pub, err = os.ReadFile(filepath.Join(dir, "pub"))
		if err == nil && len(pub) == 0 {
			err = fmt.Errorf("empty")
		}
		return err
	})
	err = mB.SetPeer(ctx, nameB, &PeerConfig{PublicKey: string(pub), Endpoint: "192.0.2.1:51820",
		AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.99.0.1/32")}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err // for the cleanup
		if err != nil {
			t.Fatalf("agent side: %v\n%s\nmanager log:\n%s", err, out.String(), logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("agent side did not finish")
	}
	b, _, _ := mB.Device(ctx, nameB)
	if b.Peer == nil || b.Peer.LastHandshake.IsZero() || b.Peer.RxBytes == 0 {
		t.Fatalf("B saw no traffic: %+v", b.Peer)
	}
}

// TestHelperAgent is the child of TestCurrentNamespace.
func TestHelperAgent(t *testing.T) {
	dir := os.Getenv("XLWG_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process of TestCurrentNamespace")
	}
	ctx := context.Background()
	name := os.Getenv("XLWG_HELPER_DEV")
	m, err := New(Options{StateDir: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	st, err := m.EnsureDevice(ctx, DeviceConfig{Name: name, ListenPort: 51820, Address: addrA, KeyEpoch: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = m.SetPeer(ctx, name, &PeerConfig{PublicKey: os.Getenv("XLWG_HELPER_PEER"), Endpoint: "192.0.2.2:51821",
		Keepalive: time.Second, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.99.0.2/32")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pub"), []byte(st.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		if out, err := exec.Command("ping", "-c", "1", "-W", "1", "10.99.0.2").CombinedOutput(); err != nil {
			lastErr = fmt.Errorf("%v: %s", err, out)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		lastErr = nil
		break
	}
	if lastErr != nil {
		t.Fatal(lastErr)
	}
	got, ok, err := m.Device(ctx, name)
	if err != nil || !ok || got.Peer == nil || got.Peer.LastHandshake.IsZero() {
		t.Fatalf("after ping: %v %v %+v", ok, err, got.Peer)
	}
	if err := m.RemoveDevice(ctx, name); err != nil {
		t.Fatal(err)
	}
}
