package gcp

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// TestOperationsWaited: every running operation costs one
// operations.wait call, and none is polled with operations.get, for an
// apply (regional and global inserts, router patches) and a teardown.
func TestOperationsWaited(t *testing.T) {
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{OpDelay: 50 * time.Millisecond}, Config{})
	for _, phase := range []struct {
		name    string
		desired []plan.Object
	}{{"apply", desired}, {"teardown", nil}} {
		e.inj.ResetCounters()
		e.converge(t, phase.desired)
		var mutations, waits, regionWaits, globalWaits int64
		for op, c := range e.inj.Ops() {
			switch {
			case strings.HasSuffix(op, "Operations.get"):
				t.Errorf("%s: %s called %d times: operations must be waited, not polled", phase.name, op, c.Requests)
			case op == "regionOperations.wait":
				regionWaits, waits = c.Requests, waits+c.Requests
			case op == "globalOperations.wait":
				globalWaits, waits = c.Requests, waits+c.Requests
			case c.Mutating > 0:
				mutations += c.Mutating
			}
		}
		// With OpDelay, no operation is done when its mutation answers, and
		// each wait returns it done.
		if mutations == 0 || waits != mutations || regionWaits == 0 || globalWaits == 0 {
			t.Errorf("%s: %d mutations, %d waits (%d regional, %d global); ops %v",
				phase.name, mutations, waits, regionWaits, globalWaits, e.inj.Ops())
		}
	}
	if left := e.observe(t); len(left) != 0 {
		t.Fatalf("teardown left %v", keysOf(left))
	}
}

func TestOpLocation(t *testing.T) {
	for _, c := range []struct {
		link string
		want ref
		ok   bool
	}{
		{"https://compute.googleapis.com/compute/v1/projects/p/regions/r1/operations/op-1", ref{project: "p", region: "r1", name: "op-1"}, true},
		{"http://127.0.0.1:1/compute/v1/projects/p/global/operations/op-2", ref{project: "p", name: "op-2"}, true},
		{"projects/p/zones/z/operations/op-3", ref{}, false},
		{"projects/p/regions//operations/op-4", ref{}, false},
		{"", ref{}, false},
	} {
		got, ok := opLocation(&computepb.Operation{SelfLink: &c.link})
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%q: %+v %v, want %+v %v", c.link, got, ok, c.want, c.ok)
		}
	}
}
