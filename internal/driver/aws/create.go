package aws

import (
	"context"
	"fmt"
	"time"
)

// createOrAdopt is the idempotent create of an object EC2 gives no client
// token for. find looks the object up by its ownership tags; create sends
// the create call, whose retryer (forCreate) re-sends only refused
// requests. When a create's outcome is unknown (reply lost, server error),
// the object is looked up before the create is sent again, so a dropped
// reply never becomes a duplicate.
//
// EC2's describes are eventually consistent: an object created a moment
// ago may be missing from a tag-filtered list, so the lookup is made twice,
// a short pause apart. If the object shows only later still, the next
// Observe reports two objects with one key and the plan deletes the extra
// one; that is the residual cost, not a lost object.
func createOrAdopt[T any](ctx context.Context, d *Driver, find func(context.Context) (*T, error), create func(context.Context) (*T, error)) (*T, error) {
	if x, err := find(ctx); err != nil || x != nil {
		return x, err
	}
	for attempt := 1; ; attempt++ {
		x, err := create(ctx)
		if err == nil {
			return x, nil
		}
		if !outcomeUnknown(err) || ctx.Err() != nil {
			return nil, err
		}
		for look := 0; look < 2; look++ {
			if look > 0 {
				if err := sleep(ctx, d.consistencyDelay()); err != nil {
					return nil, err
				}
			}
			x, ferr := find(ctx)
			if ferr != nil {
				return nil, ferr
			}
			if x != nil {
				return x, nil
			}
		}
		if attempt >= d.cfg.MaxAttempts {
			return nil, &retryLater{fmt.Errorf("the outcome of %d create calls stayed unknown: %w", attempt, err)}
		}
	}
}

// consistencyDelay is the pause before a second lookup of an object whose
// create may have been applied.
func (d *Driver) consistencyDelay() time.Duration {
	return min(d.cfg.PollInterval, 5*time.Second)
}

// retryWhileSettling calls f until it stops failing with IncorrectState or
// DependencyViolation (an object still attached or in use by one being
// deleted), for at most timeout.
func (d *Driver) retryWhileSettling(ctx context.Context, timeout time.Duration, f func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f(ctx)
		if err == nil || !isCode(err, codeIncorrectState, codeDependencyViolation) || time.Now().After(deadline) {
			return err
		}
		if err := sleep(ctx, d.cfg.PollInterval); err != nil {
			return err
		}
	}
}
