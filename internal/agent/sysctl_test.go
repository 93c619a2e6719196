package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForwardingRestored: the value before the first link comes back after
// the last one, also through an agent restart (a new sysctls on the same
// state directory).
func TestForwardingRestored(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	fwd := filepath.Join(root, "net/ipv4/ip_forward")
	if err := os.MkdirAll(filepath.Dir(fwd), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fwd, []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func() string { b, _ := os.ReadFile(fwd); return strings.TrimSpace(string(b)) }
	s := sysctls{root: root, stateDir: state}
	for _, on := range []bool{true, true} {
		if err := s.forwarding(on); err != nil {
			t.Fatal(err)
		}
	}
	if read() != "1" {
		t.Fatalf("forwarding = %s with links", read())
	}
	restarted := sysctls{root: root, stateDir: state}
	for range 2 {
		if err := restarted.forwarding(false); err != nil {
			t.Fatal(err)
		}
	}
	if read() != "0" {
		t.Fatalf("forwarding = %s after the last link, want the original 0", read())
	}
	if err := s.looseRPFilter("xl0"); err == nil {
		t.Error("rp_filter of a missing device: no error")
	}
}
