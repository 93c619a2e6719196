package engine

import (
	"fmt"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Done is one finished action.
type Done struct {
	Action plan.Action
	// Object is what the cloud holds afterwards: the created or updated
	// object with its ID, the adopted one, or, for a delete, the object
	// that is gone. Zero when Err is set.
	Object plan.Object
	// Err is an *ActionError when the action failed for good.
	Err      error
	Attempts int
	Started  time.Time
	Elapsed  time.Duration
}

// Record folds a successful action into state, keyed by object key. A
// replacement's delete and create arrive in that order, and the delete of a
// duplicate leaves the key's kept object alone.
func (d Done) Record(state map[string]plan.Object) {
	switch {
	case d.Err != nil:
	case d.Action.Op == plan.OpDelete:
		if !d.Action.Duplicate {
			delete(state, d.Action.Key)
		}
	default:
		state[d.Action.Key] = d.Object
	}
}

// Report is what a Run did.
type Report struct {
	// Done lists the actions that succeeded, in the order they finished.
	Done []Done
	// Failed lists the actions that failed for good, in the order they did.
	Failed []Done
	// NotStarted lists, by ID, the actions never started: after a failure or
	// cancellation nothing new starts.
	NotStarted []plan.Action
}

// Record folds every successful action into state, in completion order.
func (r Report) Record(state map[string]plan.Object) {
	for _, d := range r.Done {
		d.Record(state)
	}
}

// ActionError is a failed action: what it was, how often it was tried, and
// the driver's last error.
type ActionError struct {
	Action   plan.Action
	Attempts int
	Err      error
}

func (e *ActionError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("%s: after %d attempts: %v", e.Action, e.Attempts, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Action, e.Err)
}

func (e *ActionError) Unwrap() error { return e.Err }
