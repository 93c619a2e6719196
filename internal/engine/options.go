package engine

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Options tune Run. The zero value is usable.
type Options struct {
	// Parallelism is the most actions in flight at once per driver, for a
	// driver that does not implement driver.Parallel. Default 32: the
	// actions of a big mesh spread over many hosts and gateways. Bounds are
	// per driver so that one cloud's slow waits never hold slots another
	// cloud could use.
	Parallelism int
	// PerDriver overrides the bound for a cloud (by the drivers map's key),
	// over the driver's own Parallelism() too; for tests and benchmarks.
	PerDriver map[string]int
	// MaxInFlight, if positive, also bounds the actions in flight across
	// all drivers together (1 runs one action at a time). Default: no bound
	// beyond the per-driver ones.
	MaxInFlight int
	// Cost estimates an action's duration for ordering: among ready
	// actions, the one heading the costliest chain of actions that wait on
	// it starts first. Default: every action costs the same, so the longest
	// chain goes first.
	Cost  func(plan.Action) time.Duration
	Retry Retry
	// Progress is called after every finished action, success or failure,
	// one call at a time and before any action that waits for it starts, so
	// it is the place to save state. Keep it quick: it holds up scheduling.
	Progress func(Done)
	// Sleep waits for d or until ctx is done. Default: a timer. Tests make it
	// instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock for Done's timings. Default: time.Now.
	Now func() time.Time
}

// Retry is the policy for errors the driver calls retryable.
type Retry struct {
	// MaxAttempts counts the first call too; 1 disables retries. Default 5.
	MaxAttempts int
	// The n-th retry waits a uniform random time in [0, min(MaxDelay,
	// BaseDelay·2ⁿ⁻¹)]: full jitter, so throttled callers spread out.
	// Defaults 1s and 30s.
	BaseDelay, MaxDelay time.Duration
	// Rand draws the jitter; Run serializes its use. Default: seeded from
	// the clock.
	Rand *rand.Rand
}

func (o Options) withDefaults() Options {
	if o.Parallelism <= 0 {
		o.Parallelism = 32
	}
	if o.Cost == nil {
		o.Cost = func(plan.Action) time.Duration { return 1 }
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 5
	}
	if o.Retry.BaseDelay <= 0 {
		o.Retry.BaseDelay = time.Second
	}
	if o.Retry.MaxDelay <= 0 {
		o.Retry.MaxDelay = 30 * time.Second
	}
	if o.Retry.Rand == nil {
		seed := uint64(time.Now().UnixNano())
		o.Retry.Rand = rand.New(rand.NewPCG(seed, seed>>32|1))
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = func(Done) {}
	}
	return o
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
