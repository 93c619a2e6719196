package lab

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/pki"
)

// AgentPort is the port every agent listens on, on its host's public address.
const AgentPort = 7443

// EnvKeep, when set, keeps a failed lab's directory (certificates, agent
// logs, state) for inspection; Close logs where it is.
const EnvKeep = "CROSSLINK_LAB_KEEP"

// HostSpec names a host and its site CIDR (IPv4, /30 or larger).
type HostSpec struct {
	Name string
	CIDR netip.Prefix
}

// Options describe a lab.
type Options struct {
	Hosts []HostSpec
	// AgentBin is the binary whose `agent` subcommand runs on every host
	// (see BuildAgent); "" starts no agents unless AgentCommand is set.
	AgentBin string
	// AgentArgs are appended to every agent command line.
	AgentArgs []string
	// AgentCommand replaces the agent command line (before AgentArgs) with a
	// stand-in; it still runs in the host's namespace with a private
	// /run/wireguard and its output in the host's log.
	AgentCommand func(l *Lab, h *Host) []string
	// SkipAgentWait does not wait for agents to accept TCP on AgentPort.
	SkipAgentWait bool
	// IPForward turns net.ipv4.ip_forward on in the host namespaces. Off
	// by default, as on a fresh host: the agent turns it on with its first
	// link and restores it after the last, and tests should see that.
	// PlainRoutes turns it on while active.
	IPForward bool
}

// Lab is a running lab. Fields are read-only for tests.
type Lab struct {
	Prefix string // unique name prefix, e.g. "xl3fa9"
	// PEM text of the lab CA, the provider's client certificate and key,
	// and of an unrelated CA with its own client certificate and key.
	CA, ClientCert, ClientKey                string
	WrongCA, WrongClientCert, WrongClientKey string
	// The same PEMs as files in Dir.
	CAFile, ClientCertFile, ClientKeyFile                string
	WrongCAFile, WrongClientCertFile, WrongClientKeyFile string

	Dir      string     // temp dir of certificates, logs and state
	InetNS   string     // the namespace of the bridge
	RootLink string     // the root namespace's veth to the bridge
	RootAddr netip.Addr // its address, 198.51.100.1

	t       T
	opts    Options
	lock    *os.File
	ca      *pki.Authority
	spawner *spawner

	mu           sync.Mutex
	hosts        []*Host
	byName       map[string]*Host
	namespaces   []string
	rootLinkMade bool
	plain        bool
	cuts         map[[2]string]bool
	probers      map[*Prober]struct{}
	closed       bool

	closeOnce sync.Once
}

// Host is one host site. Fields are read-only for tests.
type Host struct {
	Name  string
	Index int    // order of creation; PublicIP is 198.51.100.(10+Index)
	NS    string // the host's namespace
	LANNS string // its LAN's namespace
	// PublicIP is on the host's eth0, on the bridge.
	PublicIP netip.Addr
	// CIDR is the site's CIDR; LANPrefix its first /24 (or CIDR itself if
	// smaller), shared by GatewayAddr (host, lan0) and LANAddr (LAN, eth0).
	CIDR                 netip.Prefix
	LANPrefix            netip.Prefix
	LANAddr, GatewayAddr netip.Addr
	AgentAddr            string // 198.51.100.x:7443
	AgentURL             string // https://198.51.100.x:7443
	CertFile, KeyFile    string // the agent's server certificate and key
	StateDir, LogPath    string

	dir   string
	agent *agentProc
}

// Start builds a lab (skipping the test when not root, see the package
// doc) and registers its Close with t.Cleanup. It fails the test on error;
// what was created by then is still removed.
func Start(t T, o Options) *Lab {
	t.Helper()
	requireRoot(t)
	began := time.Now()
	if err := validateSpecs(nil, o.Hosts); err != nil {
		t.Fatalf("lab: %v", err)
	}
	if o.AgentBin != "" {
		if _, err := os.Stat(o.AgentBin); err != nil {
			t.Fatalf("lab: agent binary: %v", err)
		}
	}
	lock, err := acquireLock(LockPath, lockDeadline(t), func() {
		t.Logf("lab: waiting for %s (another lab is running)", LockPath)
	})
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	locked := time.Now()
	l := &Lab{
		t: t, opts: o, lock: lock,
		byName:  map[string]*Host{},
		cuts:    map[[2]string]bool{},
		probers: map[*Prober]struct{}{},
	}
	t.Cleanup(l.Close)
	reapStale(t.Logf)

	l.Prefix = newPrefix()
	l.InetNS = l.Prefix + "-inet"
	l.RootLink = l.Prefix + "r"
	l.RootAddr = netip.AddrFrom4([4]byte{publicNet[0], publicNet[1], publicNet[2], 1})
	if l.Dir, err = os.MkdirTemp("", "crosslink-lab-"+l.Prefix+"-"); err != nil {
		t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	if err := l.makeCerts(); err != nil {
		t.Fatalf("lab %s: certificates: %v", l.Prefix, err)
	}
	if err := l.makeInternet(); err != nil {
		t.Fatalf("lab %s: internet: %v", l.Prefix, err)
	}
	if l.agents() {
		if err := os.MkdirAll("/var/run/wireguard", 0o755); err != nil {
			t.Fatalf("lab %s: %v", l.Prefix, err)
		}
		l.spawner = newSpawner()
	}
	var hosts []*Host
	for _, s := range o.Hosts {
		h, err := l.newHost(s)
		if err != nil {
			t.Fatalf("lab %s: host %s: %v", l.Prefix, s.Name, err)
		}
		hosts = append(hosts, h)
	}
	if err := l.startAgents(hosts); err != nil {
		t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	wait := ""
	if w := locked.Sub(began); w > 100*time.Millisecond {
		wait = fmt.Sprintf(", after %v waiting for the lock", w.Round(time.Millisecond))
	}
	t.Logf("lab %s: %d hosts ready in %v%s (dir %s)", l.Prefix, len(hosts), time.Since(locked).Round(time.Millisecond), wait, l.Dir)
	return l
}

// AddHost adds a host to a running lab (with its agent, if the lab has
// agents, and plain routes, if on), failing t on error.
func (l *Lab) AddHost(t T, s HostSpec) *Host {
	t.Helper()
	l.mu.Lock()
	existing := append([]*Host(nil), l.hosts...)
	plain := l.plain
	l.mu.Unlock()
	if err := validateSpecs(existing, []HostSpec{s}); err != nil {
		t.Fatalf("lab: %v", err)
	}
	h, err := l.newHost(s)
	if err != nil {
		t.Fatalf("lab: host %s: %v", s.Name, err)
	}
	if err := l.startAgents([]*Host{h}); err != nil {
		t.Fatalf("lab: %v", err)
	}
	if plain {
		if err := l.PlainRoutes(true); err != nil {
			t.Fatalf("lab: %v", err)
		}
	}
	return h
}

// newHost allocates, records and builds a host (no agent yet).
func (l *Lab) newHost(s HostSpec) (*Host, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, errClosed
	}
	i := len(l.hosts)
	h := &Host{
		Name:     s.Name,
		Index:    i,
		NS:       l.Prefix + "-" + s.Name,
		LANNS:    l.Prefix + "-" + s.Name + "-lan",
		PublicIP: netip.AddrFrom4([4]byte{publicNet[0], publicNet[1], publicNet[2], byte(firstHostIP + i)}),
		CIDR:     s.CIDR.Masked(),
		dir:      filepath.Join(l.Dir, s.Name),
	}
	l.hosts = append(l.hosts, h)
	l.byName[h.Name] = h
	l.mu.Unlock()

	h.LANPrefix = h.CIDR
	if h.CIDR.Bits() < 24 {
		h.LANPrefix = netip.PrefixFrom(h.CIDR.Addr(), 24)
	}
	h.GatewayAddr = h.LANPrefix.Addr().Next()
	h.LANAddr = h.GatewayAddr.Next()
	h.AgentAddr = netip.AddrPortFrom(h.PublicIP, AgentPort).String()
	h.AgentURL = "https://" + h.AgentAddr
	h.StateDir = filepath.Join(h.dir, "state")
	h.LogPath = filepath.Join(h.dir, "agent.log")
	if err := os.MkdirAll(h.StateDir, 0o700); err != nil {
		return nil, err
	}
	if err := l.hostCert(h); err != nil {
		return nil, err
	}
	return h, l.makeHost(h)
}

// Host returns the named host, or nil.
func (l *Lab) Host(name string) *Host {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byName[name]
}

// Hosts returns the hosts in order of creation.
func (l *Lab) Hosts() []*Host {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Host(nil), l.hosts...)
}

func (l *Lab) host(name string) (*Host, error) {
	if h := l.Host(name); h != nil {
		return h, nil
	}
	return nil, fmt.Errorf("lab: no host %q", name)
}

func (l *Lab) pair(a, b string) (*Host, *Host, error) {
	ha, err := l.host(a)
	if err != nil {
		return nil, nil, err
	}
	hb, err := l.host(b)
	if err != nil {
		return nil, nil, err
	}
	if ha == hb {
		return nil, nil, fmt.Errorf("lab: %s and %s are the same host", a, b)
	}
	return ha, hb, nil
}

// Exec runs a command in a namespace (ip netns exec) and returns its
// combined output.
func (l *Lab) Exec(ns string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("in %s: %s: %v: %s", ns, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Close stops probes and agents and removes the namespaces, veths and the
// lab directory, then releases the lock. It is idempotent and also runs
// from t.Cleanup; when the test failed it logs each agent's log tail.
// Cleanup failures fail the test (they would leak into the next lab).
func (l *Lab) Close() {
	l.closeOnce.Do(l.close)
}

func (l *Lab) close() {
	var errs []error
	failed := l.t.Failed()
	l.mu.Lock()
	l.closed = true
	probers := make([]*Prober, 0, len(l.probers))
	for p := range l.probers {
		probers = append(probers, p)
	}
	hosts := append([]*Host(nil), l.hosts...)
	l.mu.Unlock()
	for _, p := range probers {
		p.Stop()
	}
	for _, h := range hosts {
		if err := l.StopAgent(h.Name); err != nil {
			errs = append(errs, err)
		}
		if failed && h.LogPath != "" {
			if tail := l.AgentLogTail(h.Name, 40); tail != "" {
				l.t.Logf("lab: agent log of %s (%s), last lines:\n%s", h.Name, h.LogPath, tail)
			}
		}
	}
	if l.spawner != nil {
		l.spawner.stop()
	}
	errs = append(errs, l.teardown()...)
	if l.Dir != "" {
		if failed && os.Getenv(EnvKeep) != "" {
			l.t.Logf("lab: kept %s (%s set)", l.Dir, EnvKeep)
		} else if err := os.RemoveAll(l.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := releaseLock(l.lock); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		l.t.Errorf("lab %s cleanup: %v", l.Prefix, err)
	}
}

var errClosed = errors.New("lab: closed")

func (l *Lab) agents() bool { return l.opts.AgentBin != "" || l.opts.AgentCommand != nil }

// requireRoot skips (or, in acceptance runs, fails) without root.
func requireRoot(t T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("TF_ACC") != "" {
			t.Fatal("lab: needs root (network namespaces) and TF_ACC is set")
		}
		t.Skip("lab: needs root (network namespaces, veths, a bridge); skipping")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("lab: needs the ip tool (iproute2): %v", err)
	}
}

// lockDeadline leaves the test time to fail cleanly rather than being
// killed by go test's timeout while waiting for another lab.
func lockDeadline(t T) time.Time {
	d, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return time.Time{}
	}
	dl, ok := d.Deadline()
	if !ok {
		return time.Time{}
	}
	return dl.Add(-30 * time.Second)
}

func newPrefix() string {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	return "xl" + hex.EncodeToString(b)
}

var hostName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// validateSpecs checks new host specs against each other and existing hosts.
func validateSpecs(existing []*Host, specs []HostSpec) error {
	names := map[string]bool{}
	for _, h := range existing {
		names[h.Name] = true
	}
	public := netip.PrefixFrom(netip.AddrFrom4(publicNet), publicBits)
	if n := len(existing) + len(specs); firstHostIP+n > 254 {
		return fmt.Errorf("%d hosts: at most %d fit in %s", n, 254-firstHostIP, public)
	}
	for _, s := range specs {
		switch {
		case !hostName.MatchString(s.Name):
			return fmt.Errorf("host name %q: want 1-32 of [a-z0-9-], starting alphanumeric", s.Name)
		case s.Name == "inet" || strings.HasSuffix(s.Name, "-lan"):
			return fmt.Errorf("host name %q: reserved (inet, *-lan)", s.Name)
		case names[s.Name]:
			return fmt.Errorf("host name %q: duplicate", s.Name)
		case !s.CIDR.IsValid() || !s.CIDR.Addr().Is4():
			return fmt.Errorf("host %s: CIDR %v: want IPv4", s.Name, s.CIDR)
		case s.CIDR.Bits() > 30:
			return fmt.Errorf("host %s: CIDR %v: want /30 or larger", s.Name, s.CIDR)
		case s.CIDR.Overlaps(public):
			return fmt.Errorf("host %s: CIDR %v overlaps the lab internet %v", s.Name, s.CIDR, public)
		}
		names[s.Name] = true
	}
	return nil
}
