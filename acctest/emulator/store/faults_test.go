package store

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDecideProportions(t *testing.T) {
	f := Faults{ErrorRate5xx: 0.1, DropReplyRate: 0.05, Latency: time.Millisecond, Seed: 1}
	in := NewInjector(f, nil)
	var fail, drop int
	for range 10000 {
		d := in.Decide("CreateVpnConnection")
		if d.Fail5xx {
			fail++
		}
		if d.DropReply {
			drop++
		}
		if d.Fail5xx && d.DropReply || d.Delay != time.Millisecond {
			t.Fatalf("bad decision %+v", d)
		}
	}
	// Faults fall by accumulated share: the proportions are exact, ±1.
	within := func(name string, got int, p float64) {
		if math.Abs(float64(got)-10000*p) > 1 {
			t.Errorf("%s: %d, want %.0f", name, got, 10000*p)
		}
	}
	within("5xx", fail, 0.1)
	within("drop", drop, 0.05)
	c := in.Counters()
	if c.Requests != 10000 || c.Failed5xx != int64(fail) || c.DroppedReplies != int64(drop) || c.Delayed != 10000 {
		t.Fatalf("counters %+v", c)
	}
	// Same seed, same sequence.
	again := NewInjector(f, nil)
	in2 := NewInjector(f, nil)
	for range 1000 {
		if again.Decide("x") != in2.Decide("x") {
			t.Fatal("not deterministic")
		}
	}
	// Reads are never dropped.
	for range 1000 {
		if again.DecideFor("", "Describe", false).DropReply {
			t.Fatal("dropped a read")
		}
	}
}

func TestTokenBucket(t *testing.T) {
	clk := NewManualClock(t0)
	in := NewInjector(Faults{ThrottleRate: 10, ThrottleBurst: 5}, clk)
	allowed := func(acct string, n int) int {
		ok := 0
		for range n {
			if !in.DecideFor(acct, "op", false).Throttle {
				ok++
			}
		}
		return ok
	}
	if got := allowed("a", 8); got != 5 {
		t.Fatalf("burst: %d allowed, want 5", got)
	}
	if got := allowed("b", 1); got != 1 {
		t.Fatal("accounts must have separate buckets")
	}
	clk.Advance(100 * time.Millisecond)
	if got := allowed("a", 3); got != 1 {
		t.Fatalf("after 100ms: %d, want 1", got)
	}
	clk.Advance(time.Hour)
	if got := allowed("a", 10); got != 5 {
		t.Fatalf("refill capped at burst: %d, want 5", got)
	}
	if c := in.CountersFor("op"); c.Throttled != 3+2+5 {
		t.Fatalf("throttled counter %d", c.Throttled)
	}
}

func serve(t *testing.T, in *Injector, applied *atomic.Int64) *httptest.Server {
	t.Helper()
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		applied.Add(1)
		io.WriteString(w, "ok")
	})
	classify := func(r *http.Request) (string, bool) { return r.URL.Path, r.Method == http.MethodPost }
	h := Middleware(next, in, classify,
		func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "RequestLimitExceeded")
		},
		func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestMiddlewareDropReply(t *testing.T) {
	var applied atomic.Int64
	in := NewInjector(Faults{DropReplyRate: 1}, nil)
	srv := serve(t, in, &applied)
	resp, err := srv.Client().Post(srv.URL+"/CreateVpnConnection", "text/plain", strings.NewReader("x"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("client got a reply (%s), want a connection error", resp.Status)
	}
	if applied.Load() != 1 {
		t.Fatalf("change applied %d times, want 1", applied.Load())
	}
	if in.Counters().DroppedReplies != 1 {
		t.Fatal("drop not counted")
	}
	// Reads are answered normally even at DropReplyRate 1.
	resp, err = srv.Client().Get(srv.URL + "/Describe")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read: %v", err)
	}
	resp.Body.Close()
}

func TestMiddlewareThrottleAnd5xx(t *testing.T) {
	var applied atomic.Int64
	in := NewInjector(Faults{ThrottleRate: 0.001, ThrottleBurst: 1}, NewManualClock(t0))
	srv := serve(t, in, &applied)
	codes := []int{}
	for range 2 {
		resp, err := srv.Client().Post(srv.URL+"/op", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.StatusCode)
		resp.Body.Close()
	}
	if codes[0] != 200 || codes[1] != 503 || applied.Load() != 1 {
		t.Fatalf("codes %v applied %d", codes, applied.Load())
	}
	in.Set(Faults{ErrorRate5xx: 1})
	resp, err := srv.Client().Post(srv.URL+"/op", "text/plain", nil)
	if err != nil || resp.StatusCode != 500 || applied.Load() != 1 {
		t.Fatalf("5xx: %v %v applied %d", resp, err, applied.Load())
	}
	resp.Body.Close()
}

func TestThrottleFraction(t *testing.T) {
	in := NewInjector(Faults{ThrottleFraction: 0.2, Seed: 7}, nil)
	n := 0
	for range 5000 {
		if in.DecideFor("a", "op", false).Throttle {
			n++
		}
	}
	if n < 850 || n > 1150 {
		t.Fatalf("%d of 5000 throttled, want about 1000", n)
	}
	if c := in.Counters(); c.Throttled != int64(n) || c.Requests != 5000 {
		t.Fatalf("counters %+v", c)
	}
	in.ResetCounters()
	if c := in.Counters(); c.Requests != 0 || len(in.Ops()) != 0 {
		t.Fatalf("after reset: %+v %v", c, in.Ops())
	}
}
