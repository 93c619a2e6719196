package lab

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the lab creates network namespaces")
	}
}

func spec(name, cidr string) HostSpec {
	return HostSpec{Name: name, CIDR: netip.MustParsePrefix(cidr)}
}

// assertGone checks that nothing named after the lab's prefix is left.
func assertGone(t *testing.T, l *Lab) {
	t.Helper()
	names, err := listNamespaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if strings.HasPrefix(n, l.Prefix) {
			t.Errorf("namespace %s left after Close", n)
		}
	}
	links, err := listLinks()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range links {
		if strings.HasPrefix(n, l.Prefix) {
			t.Errorf("link %s left after Close", n)
		}
	}
	if _, err := os.Stat(l.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lab dir %s left after Close (%v)", l.Dir, err)
	}
}

func TestValidateSpecs(t *testing.T) {
	ok := []HostSpec{spec("h0", "10.40.0.0/16"), spec("site-b", "10.41.0.0/24"), spec("c", "192.168.7.0/30")}
	if err := validateSpecs(nil, ok); err != nil {
		t.Fatalf("valid specs rejected: %v", err)
	}
	bad := map[string][]HostSpec{
		"duplicate":  {spec("h0", "10.40.0.0/16"), spec("h0", "10.41.0.0/16")},
		"upper":      {spec("H0", "10.40.0.0/16")},
		"empty":      {spec("", "10.40.0.0/16")},
		"inet":       {spec("inet", "10.40.0.0/16")},
		"lan suffix": {spec("a-lan", "10.40.0.0/16")},
		"ipv6":       {spec("h0", "fd00::/64")},
		"too small":  {spec("h0", "10.40.0.0/31")},
		"internet":   {spec("h0", "198.51.0.0/16")},
		"no cidr":    {{Name: "h0"}},
	}
	for name, specs := range bad {
		if err := validateSpecs(nil, specs); err == nil {
			t.Errorf("%s: accepted %v", name, specs)
		}
	}
	existing := []*Host{{Name: "h0"}}
	if err := validateSpecs(existing, []HostSpec{spec("h0", "10.9.0.0/16")}); err == nil {
		t.Error("AddHost of an existing name accepted")
	}
}

func TestCerts(t *testing.T) {
	l := &Lab{Prefix: "xltest", Dir: t.TempDir()}
	if err := l.makeCerts(); err != nil {
		t.Fatal(err)
	}
	h := &Host{Name: "h0", PublicIP: netip.MustParseAddr("198.51.100.10"), dir: t.TempDir()}
	if err := l.hostCert(h); err != nil {
		t.Fatal(err)
	}
	pool := func(p string) *x509.CertPool {
		cp := x509.NewCertPool()
		if !cp.AppendCertsFromPEM([]byte(p)) {
			t.Fatal("bad CA PEM")
		}
		return cp
	}
	parse := func(p string) *x509.Certificate {
		b, _ := pem.Decode([]byte(p))
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	client := parse(l.ClientCert)
	if client.Subject.CommonName != ProviderCN {
		t.Errorf("client CN %q", client.Subject.CommonName)
	}
	clientUse := x509.VerifyOptions{Roots: pool(l.CA), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := client.Verify(clientUse); err != nil {
		t.Errorf("client cert does not verify against the lab CA: %v", err)
	}
	if _, err := parse(l.WrongClientCert).Verify(clientUse); err == nil {
		t.Error("wrong-CA client cert verifies against the lab CA")
	}
	wrongUse := x509.VerifyOptions{Roots: pool(l.WrongCA), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := parse(l.WrongClientCert).Verify(wrongUse); err != nil {
		t.Errorf("wrong client cert does not verify against its own CA: %v", err)
	}
	srvPEM, err := os.ReadFile(h.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parse(string(srvPEM)).Verify(x509.VerifyOptions{Roots: pool(l.CA), DNSName: "198.51.100.10"}); err != nil {
		t.Errorf("server cert does not verify for its IP: %v", err)
	}
	if _, err := tls.LoadX509KeyPair(h.CertFile, h.KeyFile); err != nil {
		t.Errorf("server key pair: %v", err)
	}
	for _, f := range []string{l.ClientKeyFile, l.WrongClientKeyFile, h.KeyFile} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", f, fi.Mode(), err)
		}
	}
	if _, err := l.TLSConfig(true); err != nil {
		t.Error(err)
	}
}

func TestLock(t *testing.T) {
	needRoot(t)
	path := filepath.Join(t.TempDir(), "lab.lock")
	a, err := acquireLock(path, time.Now().Add(time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := false
	if _, err := acquireLock(path, time.Now().Add(300*time.Millisecond), func() { waited = true }); err == nil || !waited {
		t.Fatalf("second lock while held: err=%v waited=%v", err, waited)
	}
	if err := releaseLock(a); err != nil {
		t.Fatal(err)
	}
	b, err := acquireLock(path, time.Now().Add(time.Second), nil)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	releaseLock(b)
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "acctest", "lab", "lab.go")); err != nil {
		t.Errorf("ModuleRoot %s: %v", root, err)
	}
}

// tcpReach opens a listener in ns on addr and dials it from the root ns.
func tcpReach(t *testing.T, ns string, addr netip.Addr) error {
	t.Helper()
	ln, err := ListenTCP(ns, netip.AddrPortFrom(addr, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
	if err == nil {
		c.Close()
	}
	return err
}

func TestLab(t *testing.T) {
	needRoot(t)
	l := Start(t, Options{Hosts: []HostSpec{
		spec("h0", "10.40.0.0/16"),
		spec("h1", "10.41.0.0/16"),
		spec("h2", "10.42.0.0/24"),
	}})
	h0, h1, h2 := l.Host("h0"), l.Host("h1"), l.Host("h2")

	t.Run("Topology", func(t *testing.T) {
		if l.Host("nope") != nil {
			t.Error("Host of an unknown name is not nil")
		}
		want := []struct {
			h                 *Host
			pub, gw, lan, url string
		}{
			{h0, "198.51.100.10", "10.40.0.1", "10.40.0.2", "https://198.51.100.10:7443"},
			{h1, "198.51.100.11", "10.41.0.1", "10.41.0.2", "https://198.51.100.11:7443"},
			{h2, "198.51.100.12", "10.42.0.1", "10.42.0.2", "https://198.51.100.12:7443"},
		}
		for _, w := range want {
			if w.h.PublicIP.String() != w.pub || w.h.GatewayAddr.String() != w.gw || w.h.LANAddr.String() != w.lan || w.h.AgentURL != w.url {
				t.Errorf("%s: %v %v %v %v", w.h.Name, w.h.PublicIP, w.h.GatewayAddr, w.h.LANAddr, w.h.AgentURL)
			}
			if w.h.NS != l.Prefix+"-"+w.h.Name || w.h.LANNS != w.h.NS+"-lan" {
				t.Errorf("%s: namespaces %s %s", w.h.Name, w.h.NS, w.h.LANNS)
			}
			out, err := l.Exec(w.h.LANNS, "ip", "route", "show", "default")
			if err != nil || !strings.Contains(out, "via "+w.gw) {
				t.Errorf("%s LAN default route: %q %v", w.h.Name, out, err)
			}
		}
		if out, err := l.Exec(h0.NS, "cat", "/proc/sys/net/ipv4/ip_forward"); err != nil || strings.TrimSpace(out) != "0" {
			t.Errorf("ip_forward in host ns: %q %v", out, err)
		}
	})

	t.Run("PublicPing", func(t *testing.T) {
		for _, a := range l.Hosts() {
			for _, b := range l.Hosts() {
				if a != b {
					if err := l.PingAddr(a.NS, b.PublicIP, 3*time.Second); err != nil {
						t.Error(err)
					}
				}
			}
		}
	})

	t.Run("Gateway", func(t *testing.T) {
		for _, h := range l.Hosts() {
			if err := l.PingAddr(h.LANNS, h.GatewayAddr, 3*time.Second); err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("RootReachesHosts", func(t *testing.T) {
		for _, h := range l.Hosts() {
			if err := tcpReach(t, h.NS, h.PublicIP); err != nil {
				t.Errorf("root ns → %s: %v", h.Name, err)
			}
		}
	})

	t.Run("NoLANRoutesByDefault", func(t *testing.T) {
		if err := l.Ping("h0", "h1", 0); err == nil {
			t.Error("LAN h0 reaches LAN h1 without any routes")
		}
	})

	t.Run("CutRestore", func(t *testing.T) {
		for range 2 { // idempotent
			if err := l.Cut("h0", "h1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.PingAddr(h0.NS, h1.PublicIP, 0); err == nil {
			t.Error("h0 → h1 public still reachable while cut")
		}
		if err := l.PingAddr(h1.NS, h0.PublicIP, 0); err == nil {
			t.Error("h1 → h0 public still reachable while cut")
		}
		for _, p := range [][2]*Host{{h0, h2}, {h2, h0}, {h1, h2}, {h2, h1}} {
			if err := l.PingAddr(p[0].NS, p[1].PublicIP, 3*time.Second); err != nil {
				t.Errorf("uncut pair broken: %v", err)
			}
		}
		for _, h := range []*Host{h0, h1} {
			if err := tcpReach(t, h.NS, h.PublicIP); err != nil {
				t.Errorf("root ns → %s broken by the cut: %v", h.Name, err)
			}
		}
		for range 2 {
			if err := l.Restore("h0", "h1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.PingAddr(h0.NS, h1.PublicIP, 3*time.Second); err != nil {
			t.Errorf("after Restore: %v", err)
		}
		if err := l.Cut("h0", "h0"); err == nil {
			t.Error("Cut of a host with itself accepted")
		}
		if err := l.Cut("h0", "zz"); err == nil {
			t.Error("Cut with an unknown host accepted")
		}
	})

	t.Run("PlainRoutes", func(t *testing.T) {
		if err := l.PlainRoutes(true); err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]string{{"h0", "h1"}, {"h1", "h2"}, {"h2", "h0"}} {
			if err := l.Ping(p[0], p[1], 5*time.Second); err != nil {
				t.Error(err)
			}
		}
		if err := l.TCPStream("h0", "h2", 8<<20, 20*time.Second); err != nil {
			t.Error(err)
		}
		bps, err := l.Throughput("h1", "h0", time.Second)
		if err != nil || bps <= 0 {
			t.Errorf("throughput %v, %v", bps, err)
		}
		t.Logf("plain-route throughput h1→h0: %.0f Mbit/s", bps/1e6)
	})

	t.Run("ProbeSeesCut", func(t *testing.T) {
		if err := l.PlainRoutes(true); err != nil {
			t.Fatal(err)
		}
		cut := l.Probe("h0", "h1", 20*time.Millisecond)
		other := l.Probe("h0", "h2", 20*time.Millisecond)
		if cut.WaitReply(time.Time{}, 3*time.Second).IsZero() {
			t.Fatal("no echo before the cut")
		}
		cutAt := time.Now()
		if err := l.Cut("h0", "h1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		restoredAt := time.Now()
		if err := l.Restore("h0", "h1"); err != nil {
			t.Fatal(err)
		}
		if cut.WaitReply(restoredAt, 5*time.Second).IsZero() {
			t.Error("no echo after Restore")
		}
		time.Sleep(200 * time.Millisecond)
		s, o := cut.Stop(), other.Stop()
		if again := cut.Stop(); again.Sent != s.Sent {
			t.Error("second Stop differs")
		}
		t.Logf("cut pair: sent %d received %d longest gap %v (cut→gap start %v); back %v after Restore",
			s.Sent, s.Received, s.LongestGap, s.GapFrom.Sub(cutAt), s.FirstAfter(restoredAt).Sub(restoredAt))
		t.Logf("other pair: sent %d received %d longest gap %v", o.Sent, o.Received, o.LongestGap)
		if s.LongestGap < 900*time.Millisecond || s.LongestGap > 3*time.Second {
			t.Errorf("longest gap %v, want about 1s", s.LongestGap)
		}
		if d := s.GapFrom.Sub(cutAt); d < -100*time.Millisecond || d > 200*time.Millisecond {
			t.Errorf("gap began %v after the cut", d)
		}
		if s.Lost() < 30 || s.Received < 10 {
			t.Errorf("sent %d, received %d", s.Sent, s.Received)
		}
		if o.LongestGap > 500*time.Millisecond || o.Received == 0 {
			t.Errorf("uncut pair: longest gap %v, received %d", o.LongestGap, o.Received)
		}
		if err := l.PlainRoutes(false); err != nil {
			t.Fatal(err)
		}
		if err := l.Ping("h0", "h1", 0); err == nil {
			t.Error("LAN h0 still reaches LAN h1 after PlainRoutes(false)")
		}
		if out, err := l.Exec(h0.NS, "cat", "/proc/sys/net/ipv4/ip_forward"); err != nil || strings.TrimSpace(out) != "0" {
			t.Errorf("ip_forward after PlainRoutes(false): %q %v", out, err)
		}
	})

	t.Run("AddHost", func(t *testing.T) {
		if err := l.PlainRoutes(true); err != nil {
			t.Fatal(err)
		}
		h3 := l.AddHost(t, spec("h3", "10.43.0.0/16"))
		if h3.PublicIP.String() != "198.51.100.13" || l.Host("h3") != h3 || len(l.Hosts()) != 4 {
			t.Fatalf("h3: %+v", h3)
		}
		if err := l.PingAddr(h0.NS, h3.PublicIP, 3*time.Second); err != nil {
			t.Error(err)
		}
		if err := tcpReach(t, h3.NS, h3.PublicIP); err != nil {
			t.Errorf("root ns → h3: %v", err)
		}
		// Plain routes were on: the new host got them, and the others a route to it.
		if err := l.Ping("h3", "h0", 5*time.Second); err != nil {
			t.Error(err)
		}
		if err := l.TCPStream("h1", "h3", 1<<20, 10*time.Second); err != nil {
			t.Error(err)
		}
	})

	t.Run("Close", func(t *testing.T) {
		p := l.Probe("h0", "h1", 50*time.Millisecond) // Close must stop it
		l.Close()
		l.Close()
		assertGone(t, l)
		if s := p.Stats(); s.End.IsZero() || s.End.After(time.Now()) {
			t.Errorf("probe not stopped by Close: %+v", s.End)
		}
	})
}

func TestAgents(t *testing.T) {
	needRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var hosts []HostSpec
	for i, n := range []string{"h0", "h1", "h2", "h3"} {
		hosts = append(hosts, spec(n, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(40 + i), 0, 0}), 16).String()))
	}
	began := time.Now()
	l := Start(t, Options{Hosts: hosts, AgentBin: exe, AgentArgs: []string{"--greeting", "hello"}})
	t.Logf("Start with 4 hosts and agents: %v", time.Since(began))

	get := func(h *Host, wrong bool) (standinStatus, error) {
		var s standinStatus
		c := l.Client()
		if wrong {
			c = l.WrongClient()
		}
		resp, err := c.Get(h.AgentURL + "/v1/status")
		if err != nil {
			return s, err
		}
		defer resp.Body.Close()
		return s, json.NewDecoder(resp.Body).Decode(&s)
	}
	for _, h := range l.Hosts() {
		s, err := get(h, false)
		if err != nil {
			t.Fatalf("%s: %v\n%s", h.Name, err, l.AgentLogTail(h.Name, 10))
		}
		sock := "standin-" + h.PublicIP.String() + ".sock"
		if s.Listen != h.AgentAddr || s.Greeting != "hello" || !s.Private || s.StateDir != h.StateDir {
			t.Errorf("%s: status %+v", h.Name, s)
		}
		if len(s.WireGuard) != 1 || s.WireGuard[0] != sock {
			t.Errorf("%s: its /var/run/wireguard holds %v, want only %s", h.Name, s.WireGuard, sock)
		}
		if _, err := os.Stat("/var/run/wireguard/" + sock); err == nil {
			t.Errorf("%s: socket file leaked into the root /var/run/wireguard", h.Name)
		}
		if _, err := os.Stat(filepath.Join(h.StateDir, "standin.state")); err != nil {
			t.Errorf("%s: state dir: %v", h.Name, err)
		}
		if _, err := get(h, true); err == nil {
			t.Errorf("%s: agent accepted the wrong CA's client certificate", h.Name)
		}
		if !strings.Contains(l.AgentLogTail(h.Name, 5), "standin: listening on "+h.AgentAddr) {
			t.Errorf("%s: log tail %q", h.Name, l.AgentLogTail(h.Name, 5))
		}
	}

	// Restart one agent.
	pid := l.AgentPID("h1")
	if pid == 0 {
		t.Fatal("no pid for h1's agent")
	}
	if err := l.StopAgent("h1"); err != nil {
		t.Fatal(err)
	}
	if err := l.StopAgent("h1"); err != nil {
		t.Fatalf("second StopAgent: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("agent pid %d still exists after StopAgent (%v)", pid, err)
	}
	if !strings.Contains(l.AgentLogTail("h1", 3), "standin: SIGTERM") {
		t.Errorf("agent did not get SIGTERM first: %q", l.AgentLogTail("h1", 3))
	}
	if _, err := get(l.Host("h1"), false); err == nil {
		t.Error("h1's agent still answers after StopAgent")
	}
	l.StartAgent(t, "h1")
	if _, err := get(l.Host("h1"), false); err != nil {
		t.Errorf("after StartAgent: %v", err)
	}

	h5 := l.AddHost(t, spec("h5", "10.50.0.0/16"))
	if _, err := get(h5, false); err != nil {
		t.Errorf("added host's agent: %v", err)
	}

	var pids []int
	for _, h := range l.Hosts() {
		pids = append(pids, l.AgentPID(h.Name))
	}
	l.Close()
	for _, p := range pids {
		if err := syscall.Kill(p, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("agent pid %d still exists after Close (%v)", p, err)
		}
	}
	assertGone(t, l)
}

func TestAgentCommand(t *testing.T) {
	needRoot(t)
	var err error
	l := Start(t, Options{
		Hosts:         []HostSpec{spec("a", "10.60.0.0/16")},
		AgentCommand:  func(*Lab, *Host) []string { return []string{"sleep"} },
		AgentArgs:     []string{"3600"},
		SkipAgentWait: true,
		IPForward:     true,
	})
	if out, err := l.Exec(l.Host("a").NS, "cat", "/proc/sys/net/ipv4/ip_forward"); err != nil || strings.TrimSpace(out) != "1" {
		t.Errorf("IPForward: ip_forward %q %v", out, err)
	}
	pid := l.AgentPID("a")
	// With SkipAgentWait the process may still be `ip` or `sh`; exec makes
	// it `sleep` under the same pid.
	var comm []byte
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if comm, err = os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
	}
	if strings.TrimSpace(string(comm)) != "sleep" {
		t.Fatalf("agent pid %d comm %q %v (exec should make it the started pid)", pid, comm, err)
	}
	l.Close()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("stand-in pid %d alive after Close", pid)
	}
	assertGone(t, l)
}

func TestBuildAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the provider")
	}
	p := BuildAgent(t)
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("%s: %v %v", p, fi, err)
	}
	if BuildAgent(t) != p {
		t.Error("BuildAgent built twice")
	}
}
