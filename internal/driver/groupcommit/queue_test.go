package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// recorder is a slow commit that records its batches.
type recorder struct {
	mu      sync.Mutex
	batches [][]int
	delay   time.Duration
	active  atomic.Int32
	overlap atomic.Bool // two commits of one key at once
}

func (r *recorder) commit(_ context.Context, _ string, batch []int) []error {
	if r.active.Add(1) > 1 {
		r.overlap.Store(true)
	}
	defer r.active.Add(-1)
	time.Sleep(r.delay)
	r.mu.Lock()
	r.batches = append(r.batches, slices.Clone(batch))
	r.mu.Unlock()
	errs := make([]error, len(batch))
	for i, v := range batch {
		if v%10 == 7 {
			errs[i] = fmt.Errorf("refused %d", v)
		}
	}
	return errs
}

// TestGroupCommit: 50 concurrent requests for one key go out in far fewer
// commits, one at a time, each request in exactly one, and each caller
// gets its own answer.
func TestGroupCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &recorder{delay: 20 * time.Millisecond}
		q := New(context.Background(), r.commit)
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = q.Submit(context.Background(), "router", i) })
		}
		wg.Wait()
		if r.overlap.Load() {
			t.Fatal("two commits of one key ran at once")
		}
		if len(r.batches) >= n/5 {
			t.Fatalf("%d commits for %d requests", len(r.batches), n)
		}
		var seen []int
		for _, b := range r.batches {
			seen = append(seen, b...)
		}
		slices.Sort(seen)
		if len(seen) != n || slices.Compact(seen)[n-1] != n-1 {
			t.Fatalf("requests committed: %v", seen)
		}
		for i, err := range errs {
			if (i%10 == 7) != (err != nil) {
				t.Errorf("request %d answered %v", i, err)
			}
		}
		// The last drain forgets its key just after answering.
		synctest.Wait()
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.keys) != 0 {
			t.Errorf("idle keys kept: %d", len(q.keys))
		}
	})
}

// TestKeysInParallel: a slow commit of one key holds up no other key.
func TestKeysInParallel(t *testing.T) {
	release := make(chan struct{})
	q := New(context.Background(), func(_ context.Context, key string, batch []int) []error {
		if key == "slow" {
			<-release
		}
		return make([]error, len(batch))
	})
	slow := make(chan error, 1)
	go func() { slow <- q.Submit(context.Background(), "slow", 1) }()
	if err := q.Submit(context.Background(), "fast", 2); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-slow:
		t.Fatal("the slow commit finished early:", err)
	default:
	}
	close(release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
}

// TestCancel: a caller that gives up is answered with its context's error
// at once, and a request canceled before its batch went out is not
// committed.
func TestCancel(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var committed []int
	q := New(context.Background(), func(_ context.Context, _ string, batch []int) []error {
		mu.Lock()
		committed = append(committed, batch...)
		mu.Unlock()
		if slices.Contains(batch, 1) {
			<-release
		}
		return make([]error, len(batch))
	})
	first := make(chan error, 1)
	go func() { first <- q.Submit(context.Background(), "k", 1) }()
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { second <- q.Submit(ctx, "k", 2) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := q.Submit(context.Background(), "k", 3); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(committed, []int{1, 3}) {
		t.Fatalf("committed %v, want [1 3]", committed)
	}
}

// TestShortAnswer: a commit that answers fewer requests than it got fails
// the unanswered ones instead of reporting success.
func TestShortAnswer(t *testing.T) {
	q := New(context.Background(), func(context.Context, string, []int) []error { return nil })
	if err := q.Submit(context.Background(), "k", 1); !errors.Is(err, errCommitShort) {
		t.Fatalf("got %v", err)
	}
}

// TestSpaced: with spacing, polls that callers repeat out of phase gather
// into one commit per spacing, and the first request of an idle queue goes
// out at once. It runs on synctest's clock, so the spacing is checked
// exactly, whatever the machine's load.
func TestSpaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const spacing = 50 * time.Millisecond
		var mu sync.Mutex
		var starts []time.Time
		q := NewSpaced(context.Background(), spacing, func(_ context.Context, _ string, batch []int) []error {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			return make([]error, len(batch))
		})
		begin := time.Now()
		if err := q.Submit(context.Background(), "vpn", 0); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(begin); el != 5*time.Millisecond {
			t.Fatalf("the first request took %v, want the commit's 5ms", el)
		}
		// 10 callers polling 30 times, pausing 10 ms between, out of phase.
		polling := time.Now()
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * time.Millisecond)
				for range 30 {
					if err := q.Submit(context.Background(), "vpn", i); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		took := time.Since(polling)
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap < spacing {
				t.Fatalf("commits %d and %d started %v apart", i-1, i, gap)
			}
		}
		if n := len(starts); n > 1+int(took/spacing)+1 || n > 300/5 {
			t.Fatalf("%d commits for 300 polls in %v at one per %v", n, took, spacing)
		}
	})
}

// TestSpacedShutdown: a spaced queue whose base ends answers the requests
// gathering for the next commit.
func TestSpacedShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		base, cancel := context.WithCancel(context.Background())
		q := NewSpaced(base, time.Hour, func(_ context.Context, _ string, batch []int) []error { return make([]error, len(batch)) })
		if err := q.Submit(context.Background(), "k", 1); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- q.Submit(context.Background(), "k", 2) }()
		synctest.Wait() // the second request waits out the spacing
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
}
