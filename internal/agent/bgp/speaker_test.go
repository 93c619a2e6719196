package bgp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// recTable is a RouteTable that remembers the last Sync.
type recTable struct {
	mu      sync.Mutex
	routes  []Route
	at      time.Time
	flushed bool
}

func (r *recTable) Sync(rs []Route) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes, r.at, r.flushed = slices.Clone(rs), time.Now(), false
	return nil
}

func (r *recTable) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes, r.flushed = nil, true
	return nil
}

func (r *recTable) lookup(p netip.Prefix) (Route, time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.routes {
		if x.Prefix == p {
			return x, r.at, true
		}
	}
	return Route{}, r.at, false
}

// testLogger logs warnings with -v; XLBGP_TEST_LOG=debug|info logs more
// (GoBGP's FSM included).
func testLogger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(os.Getenv("XLBGP_TEST_LOG"))); err != nil {
		if !testing.Verbose() {
			return slog.New(slog.DiscardHandler)
		}
		lvl = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

// site i (1..3) is 127.0.0.1i, AS 6500i, announcing 10.0.i.0/24.
func siteAddr(i int) netip.Addr { return netip.AddrFrom4([4]byte{127, 0, 0, byte(10 + i)}) }
func siteASN(i int) uint32      { return uint32(65000 + i) }
func sitePfx(i int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i), 0}), 24)
}
func devName(i, j int) string { return fmt.Sprintf("xl%d%d", i, j) }

type testSite struct {
	sp  *Speaker
	rt  *recTable
	idx int
}

func startSite(t *testing.T, i, port, probePort int) *testSite {
	t.Helper()
	rt := &recTable{}
	sp, err := New(Options{
		RouterID:        siteAddr(i),
		ASN:             siteASN(i),
		ListenAddresses: []string{siteAddr(i).String()},
		Port:            port,
		Routes:          rt,
		Logger:          testLogger().With("site", i),
		ProbePort:       probePort,
	})
	if err != nil {
		t.Fatalf("New site %d: %v", i, err)
	}
	t.Cleanup(func() {
		if err := sp.Close(); err != nil {
			t.Errorf("Close site %d: %v", i, err)
		}
		if !rt.flushed {
			t.Errorf("site %d: Close did not flush the route table", i)
		}
	})
	return &testSite{sp: sp, rt: rt, idx: i}
}

type edge struct{ from, to int }

type exportCfg struct {
	med     uint32
	prepend int
}

// sessions builds site i's sessions to the given peers.
func sessions(i int, peers []int, pol map[edge]exportCfg) []Session {
	var out []Session
	for _, j := range peers {
		c := pol[edge{i, j}]
		out = append(out, Session{
			LocalAddress: siteAddr(i),
			PeerAddress:  siteAddr(j),
			PeerASN:      siteASN(j),
			Announce:     []netip.Prefix{sitePfx(i)},
			MED:          c.med,
			Prepend:      c.prepend,
			HoldTime:     3 * time.Second,
			Keepalive:    time.Second,
			Device:       devName(i, j),
		})
	}
	return out
}

func others(i int) []int {
	var out []int
	for j := 1; j <= 3; j++ {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

func applyAll(t *testing.T, sites []*testSite, pol map[edge]exportCfg) {
	t.Helper()
	for _, s := range sites {
		if err := s.sp.Apply(context.Background(), sessions(s.idx, others(s.idx), pol)); err != nil {
			t.Fatalf("Apply site %d: %v", s.idx, err)
		}
	}
}

func routeTo(sp *Speaker, p netip.Prefix) (Route, bool) {
	for _, r := range sp.BestRoutes() {
		if r.Prefix == p {
			return r, true
		}
	}
	return Route{}, false
}

// waitRoute waits until s's best route to p goes via peer site via (0 = no
// route) and returns how long it took.
func waitRoute(t *testing.T, s *testSite, p netip.Prefix, via int, aspath []uint32, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		r, ok := routeTo(s.sp, p)
		good := via == 0 && !ok
		if via != 0 && ok && r.NextHop == siteAddr(via) && (aspath == nil || slices.Equal(r.ASPath, aspath)) {
			good = true
		}
		if good {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("site %d: route to %v = %+v (present %v), want via site %d aspath %v, after %v\nsessions: %+v",
				s.idx, p, r, ok, via, aspath, timeout, s.sp.Sessions())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTriangle(t *testing.T) {
	const port, probePort = 11179, 13784
	var sites []*testSite
	for i := 1; i <= 3; i++ {
		sites = append(sites, startSite(t, i, port, probePort))
	}
	a, b, c := sites[0], sites[1], sites[2]
	pol := map[edge]exportCfg{}
	applyAll(t, sites, pol)
	applyAll(t, sites, pol) // idempotent

	// Every site reaches the other two directly, out of the session's device.
	for _, s := range sites {
		for _, j := range others(s.idx) {
			waitRoute(t, s, sitePfx(j), j, []uint32{siteASN(j)}, 20*time.Second)
			r, _ := routeTo(s.sp, sitePfx(j))
			if r.Device != devName(s.idx, j) {
				t.Errorf("site %d route to %v: device %q, want %q", s.idx, sitePfx(j), r.Device, devName(s.idx, j))
			}
		}
		if _, ok := routeTo(s.sp, sitePfx(s.idx)); ok {
			t.Errorf("site %d: own prefix in BestRoutes", s.idx)
		}
	}
	// ... and the route table got them.
	// (BestRoutes is published before the table's Sync returns.)
	waitFor(t, 5*time.Second, func() (bool, string) {
		r, _, ok := a.rt.lookup(sitePfx(2))
		return ok && r.NextHop == siteAddr(2), fmt.Sprintf("A's route table: %v %v, want 10.0.2.0/24 via B", r, ok)
	})
	waitFor(t, 5*time.Second, func() (bool, string) {
		ss := a.sp.Sessions()
		for _, st := range ss {
			if st.State != "established" || !st.LinkAlive || st.Accepted == 0 || st.HoldTime != 3*time.Second {
				return false, fmt.Sprintf("%+v", ss)
			}
		}
		return len(ss) == 2, fmt.Sprintf("%+v", ss)
	})

	// Prepend: B prepends twice towards A, so A prefers B's prefix via C.
	pol[edge{2, 1}] = exportCfg{prepend: 2}
	applyAll(t, sites, pol)
	waitRoute(t, a, sitePfx(2), 3, []uint32{siteASN(3), siteASN(2)}, 10*time.Second)
	waitRoute(t, c, sitePfx(2), 2, []uint32{siteASN(2)}, 10*time.Second)

	// MED: equal path lengths (B prepends once towards A); the lower MED
	// wins across different neighbour ASes (always-compare-med), both ways.
	pol[edge{2, 1}] = exportCfg{prepend: 1, med: 100}
	pol[edge{3, 1}] = exportCfg{med: 10}
	applyAll(t, sites, pol)
	waitRoute(t, a, sitePfx(2), 3, []uint32{siteASN(3), siteASN(2)}, 10*time.Second)
	pol[edge{2, 1}] = exportCfg{prepend: 1, med: 10}
	pol[edge{3, 1}] = exportCfg{med: 100}
	applyAll(t, sites, pol)
	waitRoute(t, a, sitePfx(2), 2, []uint32{siteASN(2), siteASN(2)}, 10*time.Second)
	for _, st := range a.sp.Sessions() {
		if st.PeerAddress == siteAddr(2) && (st.MED != 0 || st.Prepend != 0) {
			t.Errorf("A's session to B reports MED %d prepend %d; A's own export is plain", st.MED, st.Prepend)
		}
	}

	// Failover: A drops its session to B; B's prefix moves to via C.
	if err := a.sp.Apply(context.Background(), sessions(1, []int{3}, pol)); err != nil {
		t.Fatal(err)
	}
	d := waitRoute(t, a, sitePfx(2), 3, []uint32{siteASN(3), siteASN(2)}, 5*time.Second)
	t.Logf("session removal: A's route to B's prefix moved to C in %v", d)
	waitFor(t, 5*time.Second, func() (bool, string) {
		r, _, _ := a.rt.lookup(sitePfx(2))
		return r.NextHop == siteAddr(3) && r.Device == devName(1, 3), fmt.Sprintf("A's route table after failover: %+v, want via C on %s", r, devName(1, 3))
	})
	if ss := a.sp.Sessions(); len(ss) != 1 || ss[0].PeerAddress != siteAddr(3) {
		t.Errorf("A's sessions after removal: %+v", ss)
	}

	// C stops announcing its prefix: withdrawn everywhere.
	cs := sessions(3, others(3), pol)
	for i := range cs {
		cs[i].Announce = nil
	}
	if err := c.sp.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, a, sitePfx(3), 0, nil, 5*time.Second)
	waitRoute(t, b, sitePfx(3), 0, nil, 5*time.Second)
}

func TestLivenessFailover(t *testing.T) {
	const port, probePort = 11279, 13884
	var sites []*testSite
	for i := 1; i <= 3; i++ {
		sites = append(sites, startSite(t, i, port, probePort))
	}
	a := sites[0]
	applyAll(t, sites, map[edge]exportCfg{})
	waitRoute(t, a, sitePfx(2), 2, nil, 20*time.Second)
	waitFor(t, 5*time.Second, func() (bool, string) {
		ss := a.sp.Sessions()
		return len(ss) == 2 && ss[0].LinkAlive && ss[1].LinkAlive, fmt.Sprintf("%+v", ss)
	})

	// Cut A-B: A's prober ignores B both ways, as if the link died. BGP's
	// TCP session is untouched, so only the prober can move the route.
	cut := func(p netip.Addr) bool { return p == siteAddr(2) }
	a.sp.mu.Lock()
	a.sp.inst.prober.drop.Store(&cut)
	a.sp.mu.Unlock()
	start := time.Now()
	d := waitRoute(t, a, sitePfx(2), 3, nil, 3*time.Second)
	var r Route
	var at time.Time
	waitFor(t, time.Second, func() (bool, string) {
		r, at, _ = a.rt.lookup(sitePfx(2))
		return r.NextHop == siteAddr(3), fmt.Sprintf("A's route table after cut: %+v, want via C", r)
	})
	t.Logf("link cut: best path moved to C after %v, kernel table synced after %v", d, at.Sub(start))
	if d > 1500*time.Millisecond {
		t.Errorf("failover took %v, want <= 1.5s", d)
	}
	if r.NextHop != siteAddr(3) {
		t.Errorf("A's route table after cut: %+v, want via C", r)
	}
	// Both ends see the link down (whichever expires first tears the BGP
	// session down for both), and B's route to A moves too.
	waitFor(t, time.Second, func() (bool, string) {
		ss := a.sp.Sessions()
		return !ss[0].LinkAlive && ss[0].LinkState == "down" && ss[0].State == "idle", fmt.Sprintf("%+v", ss[0])
	})
	waitRoute(t, sites[1], sitePfx(1), 3, nil, time.Second)

	// Restore.
	a.sp.mu.Lock()
	a.sp.inst.prober.drop.Store(nil)
	a.sp.mu.Unlock()
	d = waitRoute(t, a, sitePfx(2), 2, []uint32{siteASN(2)}, 15*time.Second)
	t.Logf("link restored: direct path back after %v", d)
	waitFor(t, 5*time.Second, func() (bool, string) {
		ss := a.sp.Sessions()
		return len(ss) == 2 && ss[0].LinkAlive && ss[1].LinkAlive && ss[0].State == "established", fmt.Sprintf("%+v", ss)
	})
}

// GoBGP keeps its route-selection options in a package variable written by
// StartBgp, so starting a server while another one in the same process is
// busy is a data race (harmless, same values, but -race reports it). The
// restart test therefore runs its peer in a child process.
const helperEnv = "XLBGP_TEST_HELPER_PEER_ASN"

// TestHelperPeer is site 2 in a child process of TestRestartNewASN, with a
// session to site 1 at the AS in $XLBGP_TEST_HELPER_PEER_ASN; it runs until
// its stdin closes.
func TestHelperPeer(t *testing.T) {
	asn, err := strconv.ParseUint(os.Getenv(helperEnv), 10, 32)
	if err != nil {
		t.Skip("helper process only")
	}
	sp, err := New(Options{RouterID: siteAddr(2), ASN: siteASN(2), ListenAddresses: []string{siteAddr(2).String()}, Port: restartPort, ProbePort: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	ss := sessions(2, []int{1}, nil)
	ss[0].PeerASN = uint32(asn)
	if err := sp.Apply(context.Background(), ss); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
}

const restartPort = 11379

// startHelperPeer runs site 2 in a child process until the returned stop.
func startHelperPeer(t *testing.T, peerASN uint32) (stop func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPeer$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", helperEnv, peerASN))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			in.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("helper peer: %v\n%s", err, out.String())
				}
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Errorf("helper peer did not stop\n%s", out.String())
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRestartNewASN(t *testing.T) {
	a := startSite(t, 1, restartPort, -1)
	if err := a.sp.Apply(context.Background(), sessions(1, []int{2}, nil)); err != nil {
		t.Fatal(err)
	}
	stopPeer := startHelperPeer(t, siteASN(1))
	waitRoute(t, a, sitePfx(2), 2, []uint32{siteASN(2)}, 20*time.Second)
	if ss := a.sp.Sessions(); ss[0].LinkState != "disabled" || ss[0].LinkAlive {
		t.Errorf("probing disabled, got %+v", ss[0])
	}

	// A moves to AS 64999: Apply with the new LocalASN is refused, Restart
	// takes it and keeps the session set.
	ss := sessions(1, []int{2}, nil)
	ss[0].LocalASN = 64999
	if err := a.sp.Apply(context.Background(), ss); !errors.Is(err, ErrASNMismatch) {
		t.Fatalf("Apply with another LocalASN: %v, want ErrASNMismatch", err)
	}
	o := a.sp.opts
	o.ASN = 64999
	if err := a.sp.Restart(o); err != nil {
		t.Fatal(err)
	}
	if err := a.sp.Apply(context.Background(), ss); err != nil {
		t.Fatal(err)
	}
	if st := a.sp.Sessions(); len(st) != 1 || st[0].PeerAddress != siteAddr(2) {
		t.Fatalf("sessions after restart: %+v", st)
	}
	// The peer still expects AS 65001, so the session cannot come up; the
	// installed route is kept meanwhile (startup gate).
	time.Sleep(3 * time.Second)
	if _, _, ok := a.rt.lookup(sitePfx(2)); !ok {
		t.Error("restart withdrew the installed route before its sessions were back")
	}

	// The peer learns A's new AS; the session and the route come back.
	stopPeer()
	startHelperPeer(t, 64999)
	waitRoute(t, a, sitePfx(2), 2, []uint32{siteASN(2)}, 20*time.Second)
	waitFor(t, 5*time.Second, func() (bool, string) {
		st := a.sp.Sessions()
		return st[0].State == "established", fmt.Sprintf("%+v", st)
	})
}

func TestValidate(t *testing.T) {
	sp, err := New(Options{RouterID: netip.MustParseAddr("127.0.0.21"), ASN: 65000, Port: 11479, ProbePort: -1, ListenAddresses: []string{"127.0.0.21"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	ok := Session{LocalAddress: netip.MustParseAddr("127.0.0.21"), PeerAddress: netip.MustParseAddr("127.0.0.22"), PeerASN: 65001}
	bad := map[string]func(*Session){
		"ibgp":      func(s *Session) { s.PeerASN = 65000 },
		"no asn":    func(s *Session) { s.PeerASN = 0 },
		"v6":        func(s *Session) { s.PeerAddress = netip.MustParseAddr("::1") },
		"no local":  func(s *Session) { s.LocalAddress = netip.Addr{} },
		"prepend":   func(s *Session) { s.Prepend = 256 },
		"local asn": func(s *Session) { s.LocalASN = 65002 },
	}
	for name, f := range bad {
		s := ok
		f(&s)
		if err := sp.Apply(context.Background(), []Session{s}); err == nil {
			t.Errorf("%s: Apply accepted %+v", name, s)
		}
	}
	if err := sp.Apply(context.Background(), []Session{ok, ok}); err == nil {
		t.Error("duplicate peer accepted")
	}
	if _, err := New(Options{ASN: 1}); err == nil {
		t.Error("New without router ID accepted")
	}
	if err := sp.Apply(context.Background(), []Session{ok}); err != nil {
		t.Fatal(err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sp.Apply(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close: %v", err)
	}
}

func waitFor(t *testing.T, timeout time.Duration, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := f()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", timeout, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
