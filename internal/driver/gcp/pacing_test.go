package gcp

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
)

// TestPacing: calls of one quota group (here lists) to one project go out
// at RequestsPerSecond after the burst.
func TestPacing(t *testing.T) {
	m := testMesh()
	m.Sites = m.Sites[:1] // one site, one project
	cfg := Config{RequestsPerSecond: 4.5}
	if b := cfg.burst(); b != 45 {
		t.Fatalf("burst at 4.5/s: %d, want 45 (10 s of calls)", b)
	}
	e := newEnv(t, m, gce.Options{}, cfg)
	start := time.Now()
	for range 10 { // 5 lists each: 50 calls, 45 of them in the burst
		e.observe(t)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Fatalf("50 calls at 4.5/s after a burst of 45 took %v", el)
	}
	if got := projectOf("/compute/v1/projects/p-1/regions/r/routers"); got != "p-1" {
		t.Fatalf("projectOf: %q", got)
	}
}

// TestPacingGroups: each (project, quota group) has its own limiter, so
// reads that spent their burst hold up neither mutations, nor operation
// waits, nor another project's reads.
func TestPacingGroups(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         quotaGroup
	}{
		{"GET", "/compute/v1/projects/p/regions/r/operations/op-1", groupOps},
		{"POST", "/compute/v1/projects/p/regions/r/operations/op-1/wait", groupOps},
		{"POST", "/compute/v1/projects/p/global/operations/op-1/wait", groupOps},
		{"GET", "/compute/v1/projects/p/regions/r/routers/x", groupReads},
		{"GET", "/compute/v1/projects/p/regions/r/routers/x/getRouterStatus", groupReads},
		{"GET", "/compute/v1/projects/p/aggregated/vpnTunnels", groupReads},
		{"POST", "/compute/v1/projects/p/regions/r/vpnTunnels", groupMutations},
		{"PATCH", "/compute/v1/projects/p/regions/r/routers/x", groupMutations},
		{"PUT", "/compute/v1/projects/p/regions/r/routers/x", groupMutations},
		{"DELETE", "/compute/v1/projects/p/global/externalVpnGateways/x", groupMutations},
	} {
		r, err := http.NewRequest(c.method, "http://h"+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := groupOf(r); got != c.want {
			t.Errorf("%s %s: %v, want %v", c.method, c.path, got, c.want)
		}
	}

	d := New(testMesh(), Config{RequestsPerSecond: 0.001})
	defer d.Close()
	if d.cfg.RequestsPerSecond != 0.001 {
		t.Fatalf("rate %g", d.cfg.RequestsPerSecond)
	}
	if d.limiter("p", groupReads).Burst() != 1 {
		t.Fatal("burst at 0.001/s:", d.limiter("p", groupReads).Burst())
	}
	if !d.limiter("p", groupReads).Allow() {
		t.Fatal("the burst of one is refused")
	}
	if d.limiter("p", groupReads).Allow() {
		t.Fatal("reads not paced after their burst")
	}
	for _, k := range []limiterKey{{"p", groupMutations}, {"p", groupOps}, {"q", groupReads}} {
		if !d.limiter(k.project, k.group).Allow() {
			t.Errorf("%s of %s waits for p's reads", k.group, k.project)
		}
	}
}

func TestClosed(t *testing.T) {
	d := New(testMesh(), Config{Endpoint: "http://127.0.0.1:1"})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Observe(context.Background(), scopeOf("prod", "gcp-a")); !errors.Is(err, errClosed) {
		t.Fatalf("Observe after Close: %v", err)
	}
}
