package aws

import (
	"context"
	"strings"
	"testing"
	"time"
)

// states replays a sequence of (state, found) readings, then repeats the
// last one.
func states(seq ...string) (stateFunc, *int) {
	n := 0
	return func(context.Context) (string, bool, error) {
		s := seq[min(n, len(seq)-1)]
		n++
		return s, s != "<gone>", nil
	}, &n
}

func TestWait(t *testing.T) {
	d := New(nil, Config{PollInterval: time.Millisecond})
	spec := waitSpec{what: "thing", pending: []string{"pending"}, target: []string{"available"}, timeout: time.Second}
	ctx := testCtx(t)

	f, n := states("<gone>", "pending", "pending", "available")
	if st, err := d.wait(ctx, spec, f); err != nil || st != "available" || *n != 4 {
		t.Fatalf("got %q, %v after %d polls", st, err, *n)
	}
	// A state neither pending nor target is a failure, not worth waiting.
	f, _ = states("pending", "failed")
	if _, err := d.wait(ctx, spec, f); err == nil || retryable(err) || !strings.Contains(err.Error(), `"failed"`) {
		t.Fatalf("err %v", err)
	}
	// An object that never shows up fails after a few polls.
	f, n = states("<gone>")
	if _, err := d.wait(ctx, spec, f); err == nil || *n != notFoundChecks {
		t.Fatalf("err %v after %d polls", err, *n)
	}
	// Gone is the target of a delete.
	del := spec
	del.goneOK, del.pending, del.target = true, []string{"deleting"}, []string{"deleted"}
	f, _ = states("deleting", "<gone>")
	if _, err := d.wait(ctx, del, f); err != nil {
		t.Fatal(err)
	}
	// Running out of time is worth another attempt, which resumes the wait.
	short := spec
	short.timeout = 20 * time.Millisecond
	f, _ = states("pending")
	if _, err := d.wait(ctx, short, f); err == nil || !retryable(err) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err %v", err)
	}
}
