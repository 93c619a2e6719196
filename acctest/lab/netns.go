package lab

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/vishvananda/netns"
)

// Fixed parts of the topology.
const (
	bridgeName  = "br0"
	hostIf      = "eth0" // a host's uplink and a LAN's interface
	lanIf       = "lan0" // a host's LAN-facing interface
	plainTable  = "4242" // PlainRoutes' routing table…
	plainPref   = "100"  // …and the rule that consults it before main
	publicBits  = 24
	firstHostIP = 10 // host i gets 198.51.100.(10+i)
)

var (
	// publicNet is the lab's internet (RFC 5737 TEST-NET-2).
	publicNet = [4]byte{198, 51, 100, 0}
	// staleNS and staleLink match what any lab creates; see reapStale.
	staleNS   = regexp.MustCompile(`^xl[0-9a-f]{4}-`)
	staleLink = regexp.MustCompile(`^xl[0-9a-f]{4}r$`)
)

// ip runs the ip tool and folds its output into the error.
func ip(args ...string) (string, error) {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// ipAll runs ip commands in order, stopping at the first error.
func ipAll(cmds ...[]string) error {
	for _, c := range cmds {
		if _, err := ip(c...); err != nil {
			return err
		}
	}
	return nil
}

// ipGone runs a deleting ip command; "already gone" is success, so that
// cleanup and Restore are idempotent.
func ipGone(args ...string) error {
	_, err := ip(args...)
	if err != nil && isGone(err) {
		return nil
	}
	return err
}

func isGone(err error) bool {
	s := err.Error()
	for _, m := range []string{"No such process", "No such file or directory", "does not exist", "Cannot find device"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// inNS runs fn on a thread switched into the named namespace. Sockets fn
// creates stay in that namespace after the thread switches back. If the
// switch back fails the thread stays locked, so the runtime discards it
// instead of reusing a thread in the wrong namespace.
func inNS(name string, fn func() error) error {
	target, err := netns.GetFromName(name)
	if err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	defer target.Close()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := netns.Set(target); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter namespace %s: %w", name, err)
	}
	ferr := fn()
	if err := netns.Set(orig); err != nil {
		return fmt.Errorf("leave namespace %s: %w", name, err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// setForwarding writes net.ipv4.ip_forward in a namespace: /proc/sys/net
// shows the namespace of the opening thread.
func setForwarding(ns string, on bool) error {
	v := "0\n"
	if on {
		v = "1\n"
	}
	return inNS(ns, func() error {
		return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte(v), 0o644)
	})
}

// listNamespaces returns the names `ip netns list` shows.
func listNamespaces() ([]string, error) {
	out, err := ip("netns", "list")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names, nil
}

// listLinks returns the root namespace's link names.
func listLinks() ([]string, error) {
	out, err := ip("-o", "link", "show")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		names = append(names, name)
	}
	return names, nil
}

// reapStale removes what a killed lab left behind. It runs with the lock
// held, when no other lab is alive, so every match is stale.
func reapStale(logf func(string, ...any)) {
	if links, err := listLinks(); err == nil {
		for _, n := range links {
			if staleLink.MatchString(n) {
				logf("lab: removing stale link %s", n)
				_ = ipGone("link", "del", n)
			}
		}
	}
	names, err := listNamespaces()
	if err != nil {
		return
	}
	for _, n := range names {
		if !staleNS.MatchString(n) {
			continue
		}
		logf("lab: removing stale namespace %s", n)
		killNamespacePids(n)
		_ = ipGone("netns", "del", n)
	}
}

// killNamespacePids kills the processes (stale agents) left in a namespace.
func killNamespacePids(ns string) {
	out, err := ip("netns", "pids", ns)
	if err != nil {
		return
	}
	for _, f := range strings.Fields(out) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// addNamespace creates a namespace with lo up and records it for Close.
func (l *Lab) addNamespace(name string) error {
	if _, err := ip("netns", "add", name); err != nil {
		return err
	}
	l.mu.Lock()
	l.namespaces = append(l.namespaces, name)
	l.mu.Unlock()
	_, err := ip("-n", name, "link", "set", "lo", "up")
	return err
}

// makeInternet creates the bridge namespace and the root namespace's port.
func (l *Lab) makeInternet() error {
	if err := l.addNamespace(l.InetNS); err != nil {
		return err
	}
	if err := ipAll(
		[]string{"-n", l.InetNS, "link", "add", bridgeName, "type", "bridge"},
		[]string{"-n", l.InetNS, "link", "set", bridgeName, "up"},
	); err != nil {
		return err
	}
	// Created in the root ns with its peer directly in the bridge's ns, so
	// only the unique <p>r name ever exists in the root namespace.
	if _, err := ip("link", "add", l.RootLink, "type", "veth", "peer", "name", "pr", "netns", l.InetNS); err != nil {
		return err
	}
	l.mu.Lock()
	l.rootLinkMade = true
	l.mu.Unlock()
	return ipAll(
		[]string{"-n", l.InetNS, "link", "set", "pr", "master", bridgeName, "up"},
		[]string{"addr", "add", l.RootAddr.String() + "/24", "dev", l.RootLink},
		[]string{"link", "set", l.RootLink, "up"},
	)
}

// makeHost creates h's namespace, its uplink to the bridge and its LAN.
func (l *Lab) makeHost(h *Host) error {
	if err := l.addNamespace(h.NS); err != nil {
		return err
	}
	if err := l.addNamespace(h.LANNS); err != nil {
		return err
	}
	port := "p" + strconv.Itoa(h.Index)
	lanBits := strconv.Itoa(h.LANPrefix.Bits())
	if err := ipAll(
		[]string{"-n", l.InetNS, "link", "add", port, "type", "veth", "peer", "name", hostIf, "netns", h.NS},
		[]string{"-n", l.InetNS, "link", "set", port, "master", bridgeName, "up"},
		[]string{"-n", h.NS, "addr", "add", fmt.Sprintf("%s/%d", h.PublicIP, publicBits), "dev", hostIf},
		[]string{"-n", h.NS, "link", "set", hostIf, "up"},
		[]string{"-n", h.NS, "link", "add", lanIf, "type", "veth", "peer", "name", hostIf, "netns", h.LANNS},
		[]string{"-n", h.NS, "addr", "add", h.GatewayAddr.String() + "/" + lanBits, "dev", lanIf},
		[]string{"-n", h.NS, "link", "set", lanIf, "up"},
		[]string{"-n", h.LANNS, "addr", "add", h.LANAddr.String() + "/" + lanBits, "dev", hostIf},
		[]string{"-n", h.LANNS, "link", "set", hostIf, "up"},
		[]string{"-n", h.LANNS, "route", "add", "default", "via", h.GatewayAddr.String()},
	); err != nil {
		return err
	}
	return setForwarding(h.NS, l.opts.IPForward)
}

// teardown deletes the root link and every namespace, newest first. Deleting
// the bridge namespace also destroys the veths attached to it.
func (l *Lab) teardown() []error {
	var errs []error
	l.mu.Lock()
	names := l.namespaces
	l.namespaces = nil
	rootLink := l.rootLinkMade
	l.rootLinkMade = false
	l.mu.Unlock()
	if rootLink {
		if err := ipGone("link", "del", l.RootLink); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(names) - 1; i >= 0; i-- {
		killNamespacePids(names[i])
		if err := ipGone("netns", "del", names[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Cut cuts the path between hosts a and b only: each gets a prohibit route
// to the other's public address, so the outer packets of their WireGuard
// link fail at the sender, while both stay reachable from everything else
// (the root namespace's API traffic included). With PlainRoutes on, the
// plain routes between the two sites become prohibit routes too. Idempotent.
func (l *Lab) Cut(a, b string) error {
	ha, hb, err := l.pair(a, b)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.cuts[cutKey(a, b)] = true
	plain := l.plain
	l.mu.Unlock()
	for _, p := range [][2]*Host{{ha, hb}, {hb, ha}} {
		if _, err := ip("-n", p[0].NS, "route", "replace", "prohibit", p[1].PublicIP.String()+"/32"); err != nil {
			return err
		}
		if plain {
			if err := l.plainRoute(p[0], p[1], true); err != nil {
				return err
			}
		}
	}
	return nil
}

// Restore undoes Cut(a, b). Idempotent.
func (l *Lab) Restore(a, b string) error {
	ha, hb, err := l.pair(a, b)
	if err != nil {
		return err
	}
	l.mu.Lock()
	delete(l.cuts, cutKey(a, b))
	plain := l.plain
	l.mu.Unlock()
	for _, p := range [][2]*Host{{ha, hb}, {hb, ha}} {
		if err := ipGone("-n", p[0].NS, "route", "del", "prohibit", p[1].PublicIP.String()+"/32"); err != nil {
			return err
		}
		if plain {
			if err := l.plainRoute(p[0], p[1], false); err != nil {
				return err
			}
		}
	}
	return nil
}

func cutKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// PlainRoutes is the baseline without WireGuard: with on, every host routes
// each other host's site CIDR straight to that host's public address over
// the bridge, and forwards (off restores Options.IPForward). The routes sit
// in their own table behind a rule consulted before the main table, so they
// win over an agent's routes and come off without touching them. Hosts
// added later get them too.
func (l *Lab) PlainRoutes(on bool) error {
	l.mu.Lock()
	l.plain = on
	hosts := append([]*Host(nil), l.hosts...)
	l.mu.Unlock()
	for _, h := range hosts {
		if err := l.plainHost(h, hosts, on); err != nil {
			return err
		}
	}
	return nil
}

// plainHost installs (or removes) h's plain routes to all other hosts.
func (l *Lab) plainHost(h *Host, hosts []*Host, on bool) error {
	if !on {
		if err := ipGone("-n", h.NS, "rule", "del", "pref", plainPref, "table", plainTable); err != nil {
			return err
		}
		if err := ipGone("-n", h.NS, "route", "flush", "table", plainTable); err != nil {
			return err
		}
		return setForwarding(h.NS, l.opts.IPForward)
	}
	for _, o := range hosts {
		if o == h {
			continue
		}
		l.mu.Lock()
		cut := l.cuts[cutKey(h.Name, o.Name)]
		l.mu.Unlock()
		if err := l.plainRoute(h, o, cut); err != nil {
			return err
		}
	}
	out, err := ip("-n", h.NS, "rule", "show", "pref", plainPref)
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) == "" {
		if _, err := ip("-n", h.NS, "rule", "add", "pref", plainPref, "table", plainTable); err != nil {
			return err
		}
	}
	return setForwarding(h.NS, true)
}

// plainRoute points h's route to o's site at o's public address, or makes
// it a prohibit route while the pair is cut.
func (l *Lab) plainRoute(h, o *Host, cut bool) error {
	args := []string{"-n", h.NS, "route", "replace"}
	if cut {
		args = append(args, "prohibit", o.CIDR.String())
	} else {
		args = append(args, o.CIDR.String(), "via", o.PublicIP.String(), "dev", hostIf)
	}
	_, err := ip(append(args, "table", plainTable)...)
	return err
}
