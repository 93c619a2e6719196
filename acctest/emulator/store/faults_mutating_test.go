package store

import (
	"testing"
	"time"
)

// TestMutatingBucket: with MutatingRate set, changes draw from their own
// bucket per account and reads from the other, so a burst of changes
// throttles no read and the reverse.
func TestMutatingBucket(t *testing.T) {
	clk := NewManualClock(t0)
	in := NewInjector(Faults{ThrottleRate: 20, ThrottleBurst: 4, MutatingRate: 5, MutatingBurst: 2}, clk)
	allowed := func(acct string, mutating bool, n int) int {
		ok := 0
		for range n {
			if !in.DecideFor(acct, "op", mutating).Throttle {
				ok++
			}
		}
		return ok
	}
	if got := allowed("a", true, 5); got != 2 {
		t.Fatalf("mutating burst: %d allowed, want 2", got)
	}
	if got := allowed("a", false, 6); got != 4 {
		t.Fatalf("reads after the mutating bucket emptied: %d allowed, want the read burst 4", got)
	}
	if got := allowed("b", true, 3); got != 2 {
		t.Fatalf("another account's mutating bucket: %d allowed, want 2", got)
	}
	clk.Advance(200 * time.Millisecond) // 1 mutating token, 4 read tokens
	if got := allowed("a", true, 3); got != 1 {
		t.Fatalf("mutating refill after 200ms: %d allowed, want 1", got)
	}
	if got := allowed("a", false, 6); got != 4 {
		t.Fatalf("read refill after 200ms: %d allowed, want 4", got)
	}
	if c := in.Counters(); c.Throttled != 3+2+1+2+2 || c.Mutating != 5+3+3 {
		t.Fatalf("counters %+v", c)
	}
	// Without MutatingRate every request shares the one bucket.
	shared := NewInjector(Faults{ThrottleRate: 1, ThrottleBurst: 2}, NewManualClock(t0))
	if !shared.DecideFor("a", "op", true).Throttle && !shared.DecideFor("a", "op", false).Throttle &&
		!shared.DecideFor("a", "op", true).Throttle {
		t.Fatal("one shared bucket of 2 let 3 requests through")
	}
	// Only a mutating bucket: reads are never throttled.
	writes := NewInjector(Faults{MutatingRate: 1, MutatingBurst: 1}, NewManualClock(t0))
	for range 10 {
		if writes.DecideFor("a", "op", false).Throttle {
			t.Fatal("a read was throttled with only a mutating bucket configured")
		}
	}
	if writes.DecideFor("a", "op", true).Throttle || !writes.DecideFor("a", "op", true).Throttle {
		t.Fatal("mutating bucket of 1: want the first change through and the second throttled")
	}
}
