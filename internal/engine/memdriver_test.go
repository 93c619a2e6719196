package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// world is an in-memory cloud shared by one memDriver per cloud, so that
// dependency checks and the concurrency count span clouds as the engine's
// parallelism does.
type world struct {
	mu   sync.Mutex
	objs map[string]plan.Object // by ID
	seq  int
	// calls counts driver calls per "op key"; log lists them in call order.
	calls map[string]int
	log   []string
	// inflight counts calls under way; maxInflight is its high-water mark.
	inflight, maxInflight int
	// cloudInflight and cloudMax are the same per cloud.
	cloudInflight, cloudMax map[string]int
	// violations are dependency-order breaches: a create before a dependency
	// exists, a delete while a dependent still does.
	violations []string
	// hook runs, unlocked, at the start of every mutating call with the call's
	// number for its op and key (1 for the first). It may block; an error
	// fails the call, before the effect unless it is a lostReply.
	hook func(ctx context.Context, op plan.Op, o plan.Object, n int) error
	// computed adds what the cloud assigns on create (addresses, keys).
	computed func(o plan.Object, seq int) map[string]string
}

// retryableErr is what a memDriver calls retryable (throttling, a 5xx).
type retryableErr struct{ msg string }

func (e retryableErr) Error() string { return e.msg }

// lostReply fails a call after its effect: the cloud did it, the reply was lost.
type lostReply struct{ error }

func newWorld() *world {
	return &world{objs: map[string]plan.Object{}, calls: map[string]int{}, cloudInflight: map[string]int{}, cloudMax: map[string]int{}}
}

// parallelDriver is a memDriver that sets its own bound on actions in flight.
type parallelDriver struct {
	*memDriver
	n int
}

func (d parallelDriver) Parallelism() int { return d.n }

var _ driver.Parallel = parallelDriver{}

func (w *world) drivers(clouds ...string) map[string]driver.Driver {
	m := map[string]driver.Driver{}
	for _, c := range clouds {
		m[c] = &memDriver{w: w, cloud: c}
	}
	return m
}

// observe lists every cloud's objects, as Observe does for one.
func (w *world) observe(t interface{ Fatal(...any) }, drivers map[string]driver.Driver) []plan.Object {
	var out []plan.Object
	for _, c := range slices.Sorted(maps.Keys(drivers)) {
		objs, err := drivers[c].Observe(context.Background(), driver.Scope{Mesh: "m"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, objs...)
	}
	return out
}

func (w *world) countKey(key string) int {
	n := 0
	for _, o := range w.objs {
		if o.Key == key {
			n++
		}
	}
	return n
}

// enter starts a call: counts it, runs the hook. The caller must call leave.
func (w *world) enter(ctx context.Context, op plan.Op, o plan.Object) error {
	w.mu.Lock()
	w.inflight++
	w.maxInflight = max(w.maxInflight, w.inflight)
	w.cloudInflight[o.Cloud]++
	w.cloudMax[o.Cloud] = max(w.cloudMax[o.Cloud], w.cloudInflight[o.Cloud])
	name := fmt.Sprintf("%s %s", op, o.Key)
	w.calls[name]++
	n := w.calls[name]
	w.log = append(w.log, name)
	hook := w.hook
	w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if hook != nil {
		return hook(ctx, op, o, n)
	}
	return nil
}

func (w *world) leave(cloud string) {
	w.mu.Lock()
	w.inflight--
	w.cloudInflight[cloud]--
	w.mu.Unlock()
}

func (w *world) violate(format string, args ...any) {
	w.violations = append(w.violations, fmt.Sprintf(format, args...))
}

type memDriver struct {
	w     *world
	cloud string
}

var _ driver.Driver = (*memDriver)(nil)

func clone(o plan.Object) plan.Object {
	o.Attrs = maps.Clone(o.Attrs)
	o.Deps = slices.Clone(o.Deps)
	return o
}

func (d *memDriver) Observe(ctx context.Context, _ driver.Scope) ([]plan.Object, error) {
	d.w.mu.Lock()
	defer d.w.mu.Unlock()
	var out []plan.Object
	for _, id := range slices.Sorted(maps.Keys(d.w.objs)) {
		if o := d.w.objs[id]; o.Cloud == d.cloud {
			out = append(out, clone(o))
		}
	}
	return out, nil
}

// effect runs apply under the lock unless the hook failed the call first.
func (d *memDriver) effect(err error, apply func()) error {
	var lost lostReply
	if err != nil && !errors.As(err, &lost) {
		return err
	}
	d.w.mu.Lock()
	apply()
	d.w.mu.Unlock()
	return err
}

// check refuses what a driver would: an object of another cloud, a
// reference the engine left unresolved, a PSK that cannot be derived.
func (d *memDriver) check(o plan.Object, s driver.Secrets) error {
	if o.Cloud != d.cloud {
		return fmt.Errorf("%s driver asked for %s", d.cloud, o.Key)
	}
	for k, v := range o.Attrs {
		if strings.Contains(v, "${") {
			d.w.mu.Lock()
			d.w.violate("%s reached the driver with %s=%s", o.Key, k, v)
			d.w.mu.Unlock()
		}
	}
	if _, ok := o.Attrs["psk_epoch"]; ok {
		if _, err := s.PSK(o.Key); err != nil {
			return err
		}
	}
	return nil
}

func (d *memDriver) Create(ctx context.Context, o plan.Object, s driver.Secrets) (plan.Object, error) {
	err := d.w.enter(ctx, plan.OpCreate, o)
	defer d.w.leave(o.Cloud)
	if err == nil {
		err = d.check(o, s)
	}
	var out plan.Object
	err = d.effect(err, func() {
		for _, dep := range o.Deps {
			if d.w.countKey(dep) == 0 {
				d.w.violate("create %s before its dependency %s", o.Key, dep)
			}
		}
		for _, p := range d.w.objs { // idempotent: the ownership key finds it
			if p.Key == o.Key {
				out = clone(p)
				return
			}
		}
		d.w.seq++
		out = clone(o)
		out.ID = fmt.Sprintf("%s-%d", d.cloud, d.w.seq)
		if spec, _ := plan.Spec(o.Kind); spec.StableID {
			out.ID = "stable:" + o.Key // as a driver that names objects by key
		}
		if d.w.computed != nil {
			if out.Attrs == nil {
				out.Attrs = map[string]string{}
			}
			maps.Copy(out.Attrs, d.w.computed(o, d.w.seq))
		}
		d.w.objs[out.ID] = clone(out)
	})
	if err != nil {
		return plan.Object{}, err
	}
	return out, nil
}

func (d *memDriver) Update(ctx context.Context, desired, observed plan.Object, s driver.Secrets) (plan.Object, error) {
	err := d.w.enter(ctx, plan.OpUpdate, desired)
	defer d.w.leave(desired.Cloud)
	if err == nil {
		err = d.check(desired, s)
	}
	var out plan.Object
	err = d.effect(err, func() {
		cur, ok := d.w.objs[observed.ID]
		if !ok {
			d.w.violate("update of %s (%s), which does not exist", desired.Key, observed.ID)
			return
		}
		maps.Copy(cur.Attrs, desired.Attrs)
		cur.Deps = slices.Clone(desired.Deps)
		d.w.objs[cur.ID] = cur
		out = clone(cur)
	})
	if err != nil {
		return plan.Object{}, err
	}
	return out, nil
}

func (d *memDriver) Delete(ctx context.Context, o plan.Object) error {
	err := d.w.enter(ctx, plan.OpDelete, o)
	defer d.w.leave(o.Cloud)
	return d.effect(err, func() {
		if _, ok := d.w.objs[o.ID]; !ok {
			return // gone already: success
		}
		if d.w.countKey(o.Key) == 1 {
			for _, p := range d.w.objs {
				if slices.Contains(p.Deps, o.Key) {
					d.w.violate("delete %s while %s depends on it", o.Key, p.Key)
				}
			}
		}
		delete(d.w.objs, o.ID)
	})
}

func (d *memDriver) Retryable(err error) bool {
	var r retryableErr
	return errors.As(err, &r)
}

// secrets derives a fake PSK; it fails for an empty key, which would be an
// engine bug.
type secrets struct{}

func (secrets) PSK(tunnel string) (string, error) {
	if tunnel == "" {
		return "", errors.New("PSK for an empty tunnel key")
	}
	return "psk." + tunnel, nil
}
