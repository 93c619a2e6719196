package lab

import (
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// recorder is a testing.TB whose failures and cleanups stay with it, so a
// test can watch Start fail and its cleanup run without failing itself.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	logs     []string
	failed   bool
	cleanups []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Logf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(f, a...))
}
func (r *recorder) Errorf(f string, a ...any) {
	r.Logf(f, a...)
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
}
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); runtime.Goexit() }
func (r *recorder) Fatal(a ...any)            { r.Fatalf("%s", fmt.Sprint(a...)) }
func (r *recorder) Failed() bool              { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recorder) Cleanup(f func())          { r.cleanups = append(r.cleanups, f) }
func (r *recorder) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}
func (r *recorder) text() string { r.mu.Lock(); defer r.mu.Unlock(); return strings.Join(r.logs, "\n") }

// TestStartFailureCleansUp: an agent that dies before listening fails
// Start quickly with its log tail, and the registered cleanup removes
// everything created so far and logs the tails (the test failed).
func TestStartFailureCleansUp(t *testing.T) {
	needRoot(t)
	r := &recorder{TB: t}
	began := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(r, Options{
			Hosts: []HostSpec{spec("ok", "10.70.0.0/16"), spec("bad", "10.71.0.0/16")},
			AgentCommand: func(_ *Lab, h *Host) []string {
				if h.Name == "bad" {
					return []string{"sh", "-c", "echo boom-on-stderr >&2; exit 3"}
				}
				return []string{"sleep", "3600"}
			},
		})
	}()
	<-done
	out := r.text()
	if !r.Failed() || !strings.Contains(out, "agent on bad exited before listening") || !strings.Contains(out, "boom-on-stderr") {
		t.Fatalf("Start did not fail as expected:\n%s", out)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("failing Start took %v; it should not wait out AgentWait for a dead agent", d)
	}
	prefix := regexp.MustCompile(`lab (xl[0-9a-f]{4}):`).FindStringSubmatch(out)
	if prefix == nil {
		t.Fatalf("no prefix in %q", out)
	}
	ns, _ := listNamespaces()
	if !slices.Contains(ns, prefix[1]+"-ok") {
		t.Fatalf("namespaces %v: expected %s-ok before cleanup", ns, prefix[1])
	}
	r.runCleanups()
	out = r.text()
	if !strings.Contains(out, "agent log of bad") {
		t.Errorf("cleanup of a failed test did not log the agent tails:\n%s", out)
	}
	if strings.Contains(out, "cleanup:") {
		t.Errorf("cleanup reported errors:\n%s", out)
	}
	assertGone(t, &Lab{Prefix: prefix[1], Dir: "/nonexistent"})
}

// TestReapStale: leftovers of a killed lab (namespace with a process in it,
// root-namespace veth name) are removed by the next Start.
func TestReapStale(t *testing.T) {
	needRoot(t)
	const ns, link = "xlfff0-stale", "xlfff0r"
	if _, err := ip("netns", "add", ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ipGone("netns", "del", ns); _ = ipGone("link", "del", link) })
	if _, err := ip("link", "add", link, "type", "veth", "peer", "name", "xlfff0p"); err != nil {
		t.Fatal(err)
	}
	sleeper := exec.Command("ip", "netns", "exec", ns, "sleep", "3600")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- sleeper.Wait() }()
	time.Sleep(200 * time.Millisecond) // let ip exec sleep

	l := Start(t, Options{Hosts: []HostSpec{{Name: "a", CIDR: netip.MustParsePrefix("10.80.0.0/16")}}})
	if l.Prefix == "xlfff0" {
		t.Skip("random prefix collided with the stale one")
	}
	names, _ := listNamespaces()
	links, _ := listLinks()
	if slices.Contains(names, ns) || slices.Contains(links, link) {
		t.Errorf("stale %s / %s survived Start: %v %v", ns, link, names, links)
	}
	select {
	case err := <-waited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Errorf("stale process ended with %v, want SIGKILL", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("stale process still running")
		sleeper.Process.Kill()
	}
}
