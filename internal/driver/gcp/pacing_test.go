package gcp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
)

// TestPacing: calls to one project go out at RequestsPerSecond after the
// burst, op polls and lists included.
func TestPacing(t *testing.T) {
	m := testMesh()
	m.Sites = m.Sites[:1] // one site, one project
	e := newEnv(t, m, gce.Options{}, Config{RequestsPerSecond: 100})
	start := time.Now()
	for range 10 { // 5 lists each: 50 calls, 20 of them in the burst
		e.observe(t)
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Fatalf("50 calls at 100/s after a burst of 20 took %v", el)
	}
	if got := projectOf("/compute/v1/projects/p-1/regions/r/routers"); got != "p-1" {
		t.Fatalf("projectOf: %q", got)
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
