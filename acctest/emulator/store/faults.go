package store

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults configures what an Injector injects. The zero value injects
// nothing.
type Faults struct {
	Latency time.Duration // added to every request
	// ThrottleRate (tokens per second) and ThrottleBurst (bucket size)
	// define one token bucket per account, like EC2's per-account buckets.
	// ThrottleRate <= 0 disables this bucket.
	ThrottleRate  float64
	ThrottleBurst int
	// MutatingRate and MutatingBurst, when MutatingRate > 0, give mutating
	// requests a bucket of their own per account, as EC2 refills changes
	// far slower than describes; the bucket above then serves only reads.
	MutatingRate  float64
	MutatingBurst int
	// ThrottleFraction answers that fraction of requests with the
	// throttling error whatever the buckets hold: "20% throttling".
	ThrottleFraction float64
	ErrorRate5xx     float64 // fraction of non-throttled requests answered 5xx
	DropReplyRate    float64 // fraction of mutating requests applied but unanswered
	Seed             uint64  // makes the throttling sequence and the 5xx / drop phases reproducible
}

// Decision is what to do with one request. Throttle, Fail5xx and DropReply
// are mutually exclusive.
type Decision struct {
	Delay     time.Duration
	Throttle  bool // answer the cloud's throttling error, do not apply
	Fail5xx   bool // answer a 5xx, do not apply
	DropReply bool // apply, then close the connection without answering
}

// Counters says what was injected, for tests to assert on.
type Counters struct {
	Requests, Delayed, Throttled, Failed5xx, DroppedReplies int64
	// Mutating counts the requests that would change something (whatever
	// their fate): tests use it to stop a client after N changes.
	Mutating int64
}

// Injector decides faults per request. Safe for concurrent use.
type Injector struct {
	// Account maps a request to its throttling bucket in Middleware
	// (e.g. the access key or the project); nil puts all in one bucket.
	Account func(*http.Request) string

	mu    sync.Mutex
	f     Faults
	clock Clock
	rng   *rand.Rand
	// Accumulated shares of 5xx and dropped replies: a fault is injected
	// each time one passes 1, so a run of n eligible requests gets
	// n×rate of them (±1) however its calls interleave, and a test that
	// expects some fault of each kind cannot draw none by chance.
	acc5xx, accDrop float64
	buckets         map[string]*bucket
	total           Counters
	byOp            map[string]Counters
}

// NewInjector returns an Injector; clock drives the token buckets
// (RealClock when nil).
func NewInjector(f Faults, clock Clock) *Injector {
	if clock == nil {
		clock = RealClock{}
	}
	rng := rand.New(rand.NewPCG(f.Seed, f.Seed^0xda942042e4dd58b5))
	return &Injector{
		f: f, clock: clock, rng: rng,
		acc5xx: rng.Float64(), accDrop: rng.Float64(), // the phases: where in its period each fault falls
		buckets: map[string]*bucket{},
		byOp:    map[string]Counters{},
	}
}

// Set replaces the fault configuration (buckets restart full).
func (in *Injector) Set(f Faults) {
	in.mu.Lock()
	in.f = f
	in.buckets = map[string]*bucket{}
	in.mu.Unlock()
}

// Decide decides for op in the default account, treating it as mutating
// (so DropReply may be set); front-ends that know better use DecideFor.
func (in *Injector) Decide(op string) Decision { return in.DecideFor("", op, true) }

// DecideFor decides for one request. Throttling is checked first (it
// consumes a token, and ThrottleFraction draws at random); then 5xx, then
// a dropped reply, each by its accumulated share, so the configured rates
// are the observed proportions. DropReply is only chosen for mutating
// requests: a lost reply to a read tests nothing.
func (in *Injector) DecideFor(account, op string, mutating bool) Decision {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := Decision{Delay: in.f.Latency}
	c := in.byOp[op]
	c.Requests++
	if mutating {
		c.Mutating++
		in.total.Mutating++
	}
	if d.Delay > 0 {
		c.Delayed++
	}
	switch {
	case !in.admit(account, mutating),
		in.f.ThrottleFraction > 0 && in.rng.Float64() < in.f.ThrottleFraction:
		d.Throttle = true
		c.Throttled++
	default:
		fail := due(&in.acc5xx, in.f.ErrorRate5xx)
		drop := mutating && due(&in.accDrop, in.f.DropReplyRate)
		switch {
		case fail:
			d.Fail5xx = true
			c.Failed5xx++
			if drop {
				in.accDrop++ // owed to the next mutating request
			}
		case drop:
			d.DropReply = true
			c.DroppedReplies++
		}
	}
	in.byOp[op] = c
	in.total.Requests++
	in.addTotal(d)
	return d
}

// due adds rate to *acc and reports whether a whole fault is owed,
// taking it off.
func due(acc *float64, rate float64) bool {
	if rate <= 0 {
		return false
	}
	if *acc += rate; *acc < 1 {
		return false
	}
	*acc--
	return true
}

func (in *Injector) addTotal(d Decision) {
	if d.Delay > 0 {
		in.total.Delayed++
	}
	if d.Throttle {
		in.total.Throttled++
	}
	if d.Fail5xx {
		in.total.Failed5xx++
	}
	if d.DropReply {
		in.total.DroppedReplies++
	}
}

// Counters returns the totals over all ops.
func (in *Injector) Counters() Counters {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.total
}

// CountersFor returns the counters of one op.
func (in *Injector) CountersFor(op string) Counters {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.byOp[op]
}

// bucket is a token bucket refilled lazily from the clock.
type bucket struct {
	tokens float64
	last   time.Time
}

// admit takes a token from the request's bucket: the mutating one when
// configured and the request mutates, else the account's one. It reports
// false when the bucket is empty; with no bucket configured, true.
func (in *Injector) admit(account string, mutating bool) bool {
	if mutating && in.f.MutatingRate > 0 {
		// A key no front-end's account can produce (they hold no NUL).
		return in.take(account+"\x00mutating", in.f.MutatingRate, in.f.MutatingBurst)
	}
	if in.f.ThrottleRate > 0 {
		return in.take(account, in.f.ThrottleRate, in.f.ThrottleBurst)
	}
	return true
}

func (in *Injector) take(key string, rate float64, burstSize int) bool {
	now := in.clock.Now()
	burst := float64(max(burstSize, 1))
	b := in.buckets[key]
	if b == nil {
		b = &bucket{tokens: burst, last: now}
		in.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(burst, b.tokens+el*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Ops returns a copy of the per-op counters: how benchmarks count the API
// calls a refresh or an apply makes.
func (in *Injector) Ops() map[string]Counters {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]Counters, len(in.byOp))
	for k, v := range in.byOp {
		out[k] = v
	}
	return out
}

// ResetCounters zeroes every counter (not the buckets), so one phase of a
// test can be counted on its own.
func (in *Injector) ResetCounters() {
	in.mu.Lock()
	in.total = Counters{}
	in.byOp = map[string]Counters{}
	in.mu.Unlock()
}
