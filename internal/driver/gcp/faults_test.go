package gcp

import (
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// TestFaults: with 20% throttling, 5% server errors and 10% of mutations
// applied but unanswered, an apply the engine may not retry still
// succeeds with exactly one object per key, and so does the teardown.
func TestFaults(t *testing.T) {
	fastRetries(t)
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{OpDelay: 10 * time.Millisecond}, Config{})
	e.inj.Set(store.Faults{ThrottleFraction: 0.2, ErrorRate5xx: 0.05, DropReplyRate: 0.10, Seed: 11})
	e.converge(t, desired)
	obs := e.inSync(t, desired)
	seen := map[string]int{}
	for _, o := range obs {
		if seen[o.Key]++; seen[o.Key] > 1 {
			t.Errorf("%s exists twice", o.Key)
		}
	}
	if len(obs) != len(desired) {
		t.Fatalf("observed %s, desired %s", countKinds(obs), countKinds(desired))
	}
	c := e.inj.Counters()
	t.Logf("injected: %+v", c)
	if c.Throttled == 0 || c.Failed5xx == 0 || c.DroppedReplies == 0 {
		t.Fatalf("the faults did not happen: %+v", c)
	}

	e.converge(t, nil)
	if left := e.observe(t); len(left) != 0 {
		t.Fatalf("teardown left %v", keysOf(left))
	}
}
