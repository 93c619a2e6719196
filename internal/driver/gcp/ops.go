package gcp

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// wait waits until op is done, with the operations' wait method: it
// answers when the operation is done (or after at most 2 minutes with its
// status then), so an operation costs one call and no poll step. An
// operation the insert already reports done is not waited on.
func (d *Driver) wait(ctx context.Context, op *compute.Operation) error {
	p := op.Proto()
	if op.Done() {
		return opFailure(p)
	}
	loc, ok := opLocation(p)
	if !ok {
		return d.poll(ctx, op)
	}
	// Only a wait that answers "not done" early (a server that does not
	// block) is paced, so that it cannot spin.
	bo := d.pollBackoff()
	for p.GetStatus() != computepb.Operation_DONE {
		start := time.Now()
		var got *computepb.Operation
		err := retry(ctx, func() (err error) { got, err = d.waitCall(ctx, loc); return err })
		if err != nil {
			return fmt.Errorf("waiting for operation %s: %w", loc.name, err)
		}
		p = got
		if p.GetStatus() != computepb.Operation_DONE && time.Since(start) < d.cfg.PollInterval {
			if err := gax.Sleep(ctx, bo.Pause()); err != nil {
				return err
			}
		}
	}
	return opFailure(p)
}

// waitCall is one regionOperations.wait or globalOperations.wait.
func (d *Driver) waitCall(ctx context.Context, loc ref) (*computepb.Operation, error) {
	// d.c is set: an operation exists only once the clients were built.
	if loc.region != "" {
		return d.c.regionOps.Wait(ctx, &computepb.WaitRegionOperationRequest{Project: loc.project, Region: loc.region, Operation: loc.name})
	}
	return d.c.globalOps.Wait(ctx, &computepb.WaitGlobalOperationRequest{Project: loc.project, Operation: loc.name})
}

// opLocation is where an operation lives, read from its selfLink
// (".../projects/P/regions/R/operations/N" or ".../projects/P/global/
// operations/N"); false for any other kind (zonal) or a missing link.
func opLocation(p *computepb.Operation) (ref, bool) {
	parts := strings.Split(relPath(p.GetSelfLink()), "/")
	switch {
	case len(parts) == 6 && parts[0] == "projects" && parts[2] == "regions" && parts[4] == "operations":
		return ref{project: parts[1], region: parts[3], name: parts[5]}, parts[1] != "" && parts[3] != "" && parts[5] != ""
	case len(parts) == 5 && parts[0] == "projects" && parts[2] == "global" && parts[3] == "operations":
		return ref{project: parts[1], name: parts[4]}, parts[1] != "" && parts[4] != ""
	}
	return ref{}, false
}

func (d *Driver) pollBackoff() gax.Backoff {
	return gax.Backoff{Initial: d.cfg.PollInterval / 4, Max: 10 * d.cfg.PollInterval, Multiplier: 1.5}
}

// poll is the fallback for an operation opLocation cannot place: it polls
// with GET, first after PollInterval/4, then backing off to
// PollInterval×10 (op.Wait without its one-second minimum).
func (d *Driver) poll(ctx context.Context, op *compute.Operation) error {
	bo := d.pollBackoff()
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
// description carries key, and refused otherwise. sent, when not nil,
// gives the inserted resource when it holds everything the caller reports
// (nothing the server fills in): then a successful insert is not read back.
func createOrAdopt[T described](ctx context.Context, d *Driver, key string, insert func(requestID string) (*compute.Operation, error), get func(context.Context) (T, error), sent func() T) (T, error) {
	var zero T
	err := d.mutate(ctx, insert)
	if err != nil && !isAlreadyExists(err) {
		return zero, err
	}
	if err == nil && sent != nil {
		return sent(), nil
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
