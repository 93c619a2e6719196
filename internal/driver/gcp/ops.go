package gcp

import (
	"context"
	"fmt"
	"strings"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/uuid"
	gax "github.com/googleapis/gax-go/v2"
)

// opError is an operation that ended with an error: the request was
// accepted and then failed.
type opError struct {
	code    int
	msg     string
	reasons []string
}

func (e *opError) Error() string {
	return fmt.Sprintf("the operation failed with HTTP %d: %s", e.code, e.msg)
}

// wait polls op until it is done: first after PollInterval/4, then
// backing off to PollInterval×10. It is op.Wait without the one-second
// minimum, which would dominate a large apply of quick operations, and
// without polling fast for minutes on a slow one; an operation the insert
// already reports done is not polled.
func (d *Driver) wait(ctx context.Context, op *compute.Operation) error {
	bo := gax.Backoff{Initial: d.cfg.PollInterval / 4, Max: 10 * d.cfg.PollInterval, Multiplier: 1.5}
	for {
		if op.Done() {
			return opFailure(op.Proto())
		}
		if err := gax.Sleep(ctx, bo.Pause()); err != nil {
			return err
		}
		err := retry(ctx, func() error {
			err := op.Poll(ctx)
			if err != nil && op.Done() {
				// The poll worked and found the operation failed; the
				// failure is read from the operation above.
				return nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("polling operation %s: %w", op.Name(), err)
		}
	}
}

// opFailure is a done operation's error, nil when it succeeded.
func opFailure(p *computepb.Operation) error {
	code := int(p.GetHttpErrorStatusCode())
	failed := p.HttpErrorStatusCode != nil && (code < 200 || code > 299)
	var msgs, reasons []string
	if m := p.GetHttpErrorMessage(); m != "" {
		msgs = append(msgs, m)
	}
	for _, e := range p.GetError().GetErrors() {
		failed = true
		msgs = append(msgs, e.GetMessage())
		reasons = append(reasons, e.GetCode())
	}
	if !failed {
		return nil
	}
	if code >= 200 && code <= 299 {
		code = 0
	}
	return &opError{code: code, msg: strings.Join(msgs, "; "), reasons: reasons}
}

// mutate sends one mutation, with the same requestId on every retry so the
// server applies it once, and waits for its operation.
func (d *Driver) mutate(ctx context.Context, send func(requestID string) (*compute.Operation, error)) error {
	id := uuid.NewString()
	var op *compute.Operation
	if err := retry(ctx, func() (err error) { op, err = send(id); return err }); err != nil {
		return err
	}
	return d.wait(ctx, op)
}

// remove is mutate for deletes: an object already gone is deleted.
func (d *Driver) remove(ctx context.Context, send func(requestID string) (*compute.Operation, error)) error {
	if err := d.mutate(ctx, send); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// described is every resource crosslink creates: it carries its key in its
// description.
type described interface{ GetDescription() string }

// createOrAdopt inserts a resource with a deterministic name and reads it
// back. A 409 means the name exists: from an earlier attempt whose reply
// was lost, or a crash before state was saved. It is adopted when its
// description carries key, and refused otherwise.
func createOrAdopt[T described](ctx context.Context, d *Driver, key string, insert func(requestID string) (*compute.Operation, error), get func(context.Context) (T, error)) (T, error) {
	var zero T
	err := d.mutate(ctx, insert)
	if err != nil && !isAlreadyExists(err) {
		return zero, err
	}
	var got T
	if gerr := retry(ctx, func() (e error) { got, e = get(ctx); return e }); gerr != nil {
		return zero, fmt.Errorf("reading it back: %w", gerr)
	}
	if err != nil {
		if oerr := owned(got.GetDescription(), d.mesh.Name, key); oerr != nil {
			return zero, oerr
		}
	}
	return got, nil
}
