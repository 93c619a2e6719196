package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	smithywaiter "github.com/aws/smithy-go/waiter"
)

// stateFunc reads an object's state; found is false when it does not exist.
type stateFunc func(ctx context.Context) (state string, found bool, err error)

// waitSpec describes one wait in the style of terraform-provider-aws's
// StateChangeConf: states to sit out, states to reach, and whether an
// object that is gone has reached the target (deletes).
type waitSpec struct {
	what    string // e.g. "EC2 VPN Gateway vgw-1"
	pending []string
	target  []string
	goneOK  bool
	timeout time.Duration
	// batched says the state is read through an idReader, whose spacing
	// paces the polls: each poll joins the next batch without a pause of
	// its own, so an object is seen ready within one spacing.
	batched bool
}

// notFoundChecks is how many polls in a row may miss an object that should
// exist (EC2 lists a new object only after a short delay) before the wait
// fails.
const notFoundChecks = 5

// wait polls f until the object reaches a target state, with the SDK
// waiters' backoff: from PollInterval, growing with jitter to maxDelay.
func (d *Driver) wait(ctx context.Context, w waitSpec, f stateFunc) (string, error) {
	deadline := time.Now().Add(w.timeout)
	last, missing := "", 0
	for attempt := int64(1); ; attempt++ {
		state, found, err := f(ctx)
		if err != nil {
			return state, fmt.Errorf("waiting for %s: %w", w.what, err)
		}
		switch {
		case !found && w.goneOK:
			return "", nil
		case !found:
			if missing++; missing >= notFoundChecks {
				return "", fmt.Errorf("waiting for %s to be %s: it does not exist", w.what, strings.Join(w.target, " or "))
			}
		case slices.Contains(w.target, state):
			return state, nil
		case !slices.Contains(w.pending, state):
			return state, fmt.Errorf("%s is %q; expected %s", w.what, state, strings.Join(w.target, " or "))
		default:
			missing = 0
		}
		if found {
			last = state
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return last, &retryLater{fmt.Errorf("timed out after %s waiting for %s to be %s (it is %q)",
				w.timeout, w.what, strings.Join(w.target, " or "), last)}
		}
		if w.batched {
			continue
		}
		delay, err := smithywaiter.ComputeDelay(attempt, d.cfg.PollInterval, d.maxDelay(), remaining)
		if err != nil {
			return last, err
		}
		if err := sleep(ctx, delay); err != nil {
			return last, err
		}
	}
}

// maxDelay is the longest pause between polls that are not batched.
func (d *Driver) maxDelay() time.Duration { return max(4*d.cfg.PollInterval, 15*time.Second) }

// batchedDelay is the SDK waiters' pause when they poll through an
// idReader, whose spacing paces them (the SDK needs a positive one).
const batchedDelay = time.Millisecond

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

// retryNotFound makes an SDK waiter sit out a few "not found" answers (EC2
// lists a new object only after a short delay) before failing on them.
func retryNotFound[I, O any](next func(context.Context, *I, *O, error) (bool, error), code string) func(context.Context, *I, *O, error) (bool, error) {
	missing := 0
	return func(ctx context.Context, in *I, out *O, err error) (bool, error) {
		if isCode(err, code) {
			if missing++; missing < notFoundChecks {
				return true, nil
			}
		}
		return next(ctx, in, out, err)
	}
}

// waitError names what an SDK waiter waited for; running out of time is
// worth another attempt, which resumes the wait.
func waitError(what string, err error) error {
	if strings.Contains(err.Error(), "exceeded max wait time") {
		return &retryLater{fmt.Errorf("waiting for %s: %w", what, err)}
	}
	return fmt.Errorf("waiting for %s: %w", what, err)
}
