package driver

import (
	"context"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Scope tells Observe which objects to list: those owned by one mesh, at the
// given sites of the driver's cloud.
type Scope struct {
	Mesh  string
	Sites []string
}

// Secrets gives drivers what they may not store: the PSK of a tunnel (by
// tunnel key) at the mesh's current epoch. Drivers send it to the cloud and
// never log it or put it in errors.
type Secrets interface {
	PSK(tunnel string) (string, error)
}

// Driver converges one target.
//
// The contract:
//   - Observe lists what exists for the scope, one paginated list per object
//     kind filtered by ownership tags, and never mutates anything.
//   - Create, Update and Delete are idempotent: creating an object that
//     exists (found by its ownership key) adopts it; deleting one that is gone
//     succeeds. Create returns the object with its ID and observed attributes.
//   - Errors name the object (kind and key or ID) and never carry secrets.
//   - Retryable tells the engine which errors are worth another attempt.
type Driver interface {
	Observe(ctx context.Context, scope Scope) ([]plan.Object, error)
	Create(ctx context.Context, o plan.Object, s Secrets) (plan.Object, error)
	Update(ctx context.Context, desired, observed plan.Object, s Secrets) (plan.Object, error)
	Delete(ctx context.Context, o plan.Object) error
	Retryable(err error) bool
}

// TunnelAwaiter is optionally implemented by a driver whose cloud reports
// tunnel status. After a key rotation (plan.Action.AwaitUp) the engine asks
// it to wait until the rotated tunnels are up again, so the next stage of
// the rotation starts only once this one carries traffic. Observe reports
// the tunnels an object has up in its tunnels_up attribute (tunnel keys,
// comma-separated), which is how the plan knows which were up before.
type TunnelAwaiter interface {
	// AwaitUp waits until every tunnel (by key) of object o is up as the
	// cloud reports it, or fails once ctx ends or the driver's own bound
	// passes, naming the tunnels still down.
	AwaitUp(ctx context.Context, o plan.Object, tunnels []string) error
}

// Parallel is optionally implemented by a driver that knows how many of its
// actions the engine should keep in flight at once. A driver that paces its
// own calls (and sleeps between polls) wants many more than one whose work
// shares the local CPU; without it the engine uses its default.
type Parallel interface {
	// Parallelism is the most actions in flight for this driver; 0 or less
	// means the engine's default.
	Parallelism() int
}
