package wg

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// testEnv is two network namespaces joined by a veth pair
// (192.0.2.1/24 in a, 192.0.2.2/24 in b).
type testEnv struct {
	nsA, nsB     string
	hA, hB       netns.NsHandle
	vethA, vethB string
}

func requireNetAdmin(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, TUN devices)")
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		t.Skipf("needs /dev/net/tun: %v", err)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
}

func sh(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func newTestEnv(t *testing.T) *testEnv {
	requireNetAdmin(t)
	pid := os.Getpid()
	e := &testEnv{
		nsA: fmt.Sprintf("xlwgtest-%d-a", pid), nsB: fmt.Sprintf("xlwgtest-%d-b", pid),
		vethA: fmt.Sprintf("xlv%da", pid), vethB: fmt.Sprintf("xlv%db", pid),
	}
	for _, n := range []string{e.nsA, e.nsB} {
		sh(t, "ip", "netns", "add", n)
		t.Cleanup(func() {
			if out, err := exec.Command("ip", "netns", "del", n).CombinedOutput(); err != nil {
				t.Errorf("deleting namespace %s: %v %s", n, err, out)
			}
		})
	}
	// Made straight into the namespaces: deleting them deletes the pair.
	sh(t, "ip", "link", "add", e.vethA, "netns", e.nsA, "type", "veth", "peer", "name", e.vethB, "netns", e.nsB)
	sh(t, "ip", "-n", e.nsA, "addr", "add", "192.0.2.1/24", "dev", e.vethA)
	sh(t, "ip", "-n", e.nsB, "addr", "add", "192.0.2.2/24", "dev", e.vethB)
	for _, x := range [][2]string{{e.nsA, e.vethA}, {e.nsB, e.vethB}, {e.nsA, "lo"}, {e.nsB, "lo"}} {
		sh(t, "ip", "-n", x[0], "link", "set", x[1], "up")
	}
	var err error
	if e.hA, err = netns.GetFromName(e.nsA); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.hA.Close() })
	if e.hB, err = netns.GetFromName(e.nsB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.hB.Close() })
	return e
}

// logBuf collects log output; wireguard-go goroutines may still log after
// the test has ended, when t.Log would panic.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestManager(t *testing.T, ns netns.NsHandle, force bool, logs *logBuf) *Manager {
	t.Helper()
	m, err := New(Options{
		StateDir: t.TempDir(), NetNS: ns, ForceUserspace: force,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("closing manager: %v", err)
		}
	})
	return m
}

func eventually(t *testing.T, what string, timeout time.Duration, f func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = f(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
}

// udpThrough sends UDP from namespace from to dst, received on a socket
// made in namespace to, and checks it came from wantSrc: a packet crossed
// the tunnel.
func udpThrough(from, to netns.NsHandle, dst netip.AddrPort, wantSrc netip.Addr) error {
	var rc, sc *net.UDPConn
	if err := inNS(to, func() (err error) {
		rc, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(dst))
		return err
	}); err != nil {
		return err
	}
	defer rc.Close()
	if err := inNS(from, func() (err error) {
		sc, err = net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(dst))
		return err
	}); err != nil {
		return err
	}
	defer sc.Close()
	msg := fmt.Sprintf("crosslink-%d", time.Now().UnixNano())
	buf := make([]byte, 100)
	var last error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if _, err := sc.Write([]byte(msg)); err != nil {
			last = err
		}
		rc.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
		n, src, err := rc.ReadFromUDPAddrPort(buf)
		if err != nil {
			last = err
			continue
		}
		if string(buf[:n]) == msg && src.Addr().Unmap() == wantSrc {
			return nil
		}
	}
	return fmt.Errorf("no datagram through the tunnel: %v", last)
}

func ping(nsName, dst string) error {
	out, err := exec.Command("ip", "netns", "exec", nsName, "ping", "-c", "3", "-i", "0.2", "-W", "2", dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ping %s in %s: %v\n%s", dst, nsName, err, out)
	}
	return nil
}
