package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Run executes the graph's actions through the drivers (keyed by cloud).
//
// An action starts once every action it waits for has succeeded and its
// driver has a free slot: each driver has its own bound (opts.PerDriver, else
// the driver's driver.Parallel, else opts.Parallelism), and opts.MaxInFlight
// may bound them all together. Among the ready ones, the action heading the
// costliest chain of actions that wait for it (by opts.Cost) starts first,
// ties by smallest ID, so the critical path never queues behind short work.
// After the first action fails for good (a non-retryable error, or attempts
// exhausted) or ctx is done, nothing new starts, but calls already running
// finish: a half-finished cloud call is worse than a finished one, and every
// finished one reaches Progress and the Report for state. The error joins
// every failure, each an *ActionError naming the action, and ctx.Err() when
// cancellation left work undone.
//
// An invalid graph, or an action for a cloud with no driver, is an error
// before anything runs.
func Run(ctx context.Context, g *plan.Graph, drivers map[string]driver.Driver, secrets driver.Secrets, opts Options) (Report, error) {
	if err := g.Validate(); err != nil {
		return Report{}, err
	}
	actions := g.Actions()
	var missing []string
	for _, a := range actions {
		c := a.Object().Cloud
		if q := strconv.Quote(c); drivers[c] == nil && !slices.Contains(missing, q) {
			missing = append(missing, q)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return Report{}, fmt.Errorf("engine: no driver for cloud %s", strings.Join(missing, ", "))
	}

	opts = opts.withDefaults()
	w := &worker{
		drivers: drivers,
		secrets: secrets,
		opts:    opts,
		backoff: &backoff{rand: opts.Retry.Rand, base: opts.Retry.BaseDelay, max: opts.Retry.MaxDelay},
	}

	limit := limits(drivers, opts)
	ready := &readyQueue{height: heights(g, opts.Cost), byCloud: map[string][]string{}}
	cloudOf := make(map[string]string, len(actions))
	waiting := make(map[string]int, len(actions))
	for _, a := range actions {
		cloudOf[a.ID] = a.Object().Cloud
		waiting[a.ID] = len(g.Deps(a.ID))
		if waiting[a.ID] == 0 {
			ready.push(cloudOf[a.ID], a.ID)
		}
	}
	// inflight counts running actions per cloud, against limit.
	inflight := map[string]int{}
	free := func(cloud string) bool { return inflight[cloud] < limit[cloud] }
	// Buffered for every action, so a worker never blocks on sending and no
	// goroutine outlives Run.
	results := make(chan Done, len(actions))
	started := make(map[string]bool, len(actions))
	// done holds this run's results by key: what the references a plan could
	// not resolve (to objects created or changed here) resolve against.
	done := map[string]plan.Object{}
	// This goroutine is the only scheduler: running and inflight are the
	// semaphores that bound parallelism, and because results come back here
	// one at a time, Progress is serialized and launch order deterministic
	// with no locks.
	var (
		report  Report
		errs    []error
		running int
		stop    bool
	)
	for {
		for !stop && (opts.MaxInFlight <= 0 || running < opts.MaxInFlight) {
			id, ok := ready.peek(free)
			if !ok {
				break
			}
			if ctx.Err() != nil {
				stop = true
				break
			}
			ready.remove(cloudOf[id])
			a, _ := g.Action(id)
			started[a.ID] = true
			running++
			inflight[cloudOf[id]]++
			a, err := resolve(a, done)
			go func() { results <- w.do(ctx, a, err) }()
		}
		if running == 0 {
			break
		}
		d := <-results
		running--
		inflight[cloudOf[d.Action.ID]]--
		opts.Progress(d)
		if d.Err != nil {
			report.Failed = append(report.Failed, d)
			errs = append(errs, d.Err)
			stop = true
			continue
		}
		report.Done = append(report.Done, d)
		if d.Action.Op == plan.OpDelete {
			if !d.Action.Duplicate {
				delete(done, d.Action.Key)
			}
		} else {
			done[d.Action.Key] = d.Object
		}
		for _, next := range g.Dependents(d.Action.ID) {
			if waiting[next]--; waiting[next] == 0 {
				ready.push(cloudOf[next], next)
			}
		}
	}
	for _, a := range actions {
		if !started[a.ID] {
			report.NotStarted = append(report.NotStarted, a)
		}
	}
	if err := ctx.Err(); err != nil && (len(report.NotStarted) > 0 || len(errs) > 0) {
		errs = append(errs, err)
	}
	return report, errors.Join(errs...)
}

// limits is each cloud's bound on actions in flight.
func limits(drivers map[string]driver.Driver, opts Options) map[string]int {
	out := make(map[string]int, len(drivers))
	for c, d := range drivers {
		out[c] = opts.Parallelism
		if p, ok := d.(driver.Parallel); ok && p.Parallelism() > 0 {
			out[c] = p.Parallelism()
		}
		if n := opts.PerDriver[c]; n > 0 {
			out[c] = n
		}
	}
	return out
}

// heights maps each action to the cost of the costliest chain it heads:
// its own cost plus the greatest height among the actions that wait for it.
// The graph must validate.
func heights(g *plan.Graph, cost func(plan.Action) time.Duration) map[string]time.Duration {
	order, _ := g.Order()
	h := make(map[string]time.Duration, len(order))
	for i := len(order) - 1; i >= 0; i-- { // dependents before what they wait for
		a := order[i]
		var rest time.Duration
		for _, next := range g.Dependents(a.ID) {
			rest = max(rest, h[next])
		}
		h[a.ID] = cost(a) + rest
	}
	return h
}

// readyQueue holds the ready actions per cloud, each list in launch order:
// greatest height first, then smallest ID. IDs are unique, so the order is
// total and launches are deterministic.
type readyQueue struct {
	height  map[string]time.Duration
	byCloud map[string][]string
}

func (q *readyQueue) compare(a, b string) int {
	if c := cmp.Compare(q.height[b], q.height[a]); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func (q *readyQueue) push(cloud, id string) {
	l := q.byCloud[cloud]
	i, _ := slices.BinarySearchFunc(l, id, q.compare)
	q.byCloud[cloud] = slices.Insert(l, i, id)
}

// peek returns the first action in launch order among the clouds free says
// have a slot; a full cloud never holds up another's actions.
func (q *readyQueue) peek(free func(cloud string) bool) (string, bool) {
	var best string
	for c, l := range q.byCloud {
		if len(l) > 0 && free(c) && (best == "" || q.compare(l[0], best) < 0) {
			best = l[0]
		}
	}
	return best, best != ""
}

// remove takes the head of cloud's list, the one peek returned, off the queue.
func (q *readyQueue) remove(cloud string) {
	q.byCloud[cloud] = q.byCloud[cloud][1:]
}

// resolve fills in the references the plan left open. Every object they
// name is one the action waits for, so it is in done by now; one that is
// not is a plan bug, reported as the action's failure.
func resolve(a plan.Action, done map[string]plan.Object) (plan.Action, error) {
	if a.Op == plan.OpDelete || a.Op == plan.OpAdopt {
		return a, nil
	}
	r, ok := plan.Resolve(a.Desired, func(key string) (plan.Object, bool) {
		o, found := done[key]
		return o, found
	})
	if !ok {
		var open []string
		for _, k := range slices.Sorted(maps.Keys(r.Attrs)) {
			if strings.Contains(r.Attrs[k], "${") {
				open = append(open, k+"="+r.Attrs[k])
			}
		}
		return a, permanentError{fmt.Errorf("unresolved references: %s", strings.Join(open, ", "))}
	}
	a.Desired = r
	return a, nil
}

// worker runs one action at a time per goroutine; it holds nothing mutable
// but the shared, locked backoff.
type worker struct {
	drivers map[string]driver.Driver
	secrets driver.Secrets
	opts    Options
	backoff *backoff
}

// do runs one action to success or permanent failure; a non-nil err is a
// failure found before any call.
func (w *worker) do(ctx context.Context, a plan.Action, err error) Done {
	d := Done{Action: a, Started: w.opts.Now()}
	if err == nil {
		d.Object, d.Attempts, err = w.attempts(ctx, a)
	}
	d.Elapsed = w.opts.Now().Sub(d.Started)
	if err != nil {
		d.Object = plan.Object{}
		d.Err = &ActionError{Action: a, Attempts: d.Attempts, Err: err}
	}
	return d
}

// attempts calls the driver until it succeeds, fails for good, runs out of
// attempts or ctx is done, and says how many calls that took.
func (w *worker) attempts(ctx context.Context, a plan.Action) (plan.Object, int, error) {
	drv := w.drivers[a.Object().Cloud]
	for n := 1; ; n++ {
		obj, err := w.call(ctx, drv, a)
		if err == nil || n >= w.opts.Retry.MaxAttempts || ctx.Err() != nil || !retryable(drv, err) {
			return obj, n, err
		}
		if w.opts.Sleep(ctx, w.backoff.delay(n)) != nil {
			return obj, n, err
		}
	}
}

// permanentError is the engine's own verdict on a driver's answer; no
// driver's Retryable is asked about it.
type permanentError struct{ error }

func retryable(drv driver.Driver, err error) bool {
	var p permanentError
	return !errors.As(err, &p) && drv.Retryable(err)
}

// call makes the one driver call an action needs. A driver's panic becomes
// a permanent error, so one bad call cannot lose the state of the others.
func (w *worker) call(ctx context.Context, drv driver.Driver, a plan.Action) (obj plan.Object, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = permanentError{fmt.Errorf("driver panicked: %v", p)}
		}
	}()
	switch a.Op {
	case plan.OpCreate:
		obj, err = drv.Create(ctx, a.Desired, w.secrets)
		if err == nil && obj.ID == "" {
			return plan.Object{}, permanentError{errors.New("driver created an object without an ID")}
		}
	case plan.OpUpdate:
		obj, err = drv.Update(ctx, a.Desired, a.Observed, w.secrets)
		if obj.ID == "" {
			obj.ID = a.Observed.ID
		}
	case plan.OpDelete:
		return a.Observed, drv.Delete(ctx, a.Observed)
	case plan.OpAdopt:
		return a.Observed, nil
	default:
		return plan.Object{}, permanentError{fmt.Errorf("unknown op %q", a.Op)}
	}
	if err != nil {
		return plan.Object{}, err
	}
	// The key ties the object to state; a driver that leaves it out still
	// returned this action's object.
	if obj.Key == "" {
		obj.Key, obj.Kind, obj.Cloud, obj.Site = a.Desired.Key, a.Desired.Kind, a.Desired.Cloud, a.Desired.Site
	}
	// A staged key rotation is done once its tunnels are up again.
	if aw, ok := drv.(driver.TunnelAwaiter); ok && len(a.AwaitUp) > 0 {
		if err := aw.AwaitUp(ctx, obj, a.AwaitUp); err != nil {
			return plan.Object{}, fmt.Errorf("waiting for tunnels %s to come up with their new keys: %w", strings.Join(a.AwaitUp, ", "), err)
		}
	}
	return obj, nil
}
