package gcp

import (
	"context"
	"fmt"
	"sync"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

// routerAPI is what the batcher needs of GCP; tests give it a fake.
type routerAPI interface {
	get(ctx context.Context, r ref) (*computepb.Router, error)
	// write sends doc, as a PATCH or (put) an Update, with requestID on
	// every retry, and waits for its operation.
	write(ctx context.Context, r ref, doc *computepb.Router, put bool, requestID string) error
}

// batcher serializes the read-modify-write of each router document and
// group-commits: the first edit for an idle router goes out at once; the
// edits that arrive while its write is in flight wait and go out together
// in the next one. A router with 76 interfaces is thus written a handful
// of times, not 76 times one after the other.
type batcher struct {
	api routerAPI
	// base carries commits: a commit serves several callers, so none of
	// their contexts may cancel it.
	base context.Context

	mu     sync.Mutex
	queues map[string]*routerQueue
}

type routerQueue struct {
	pending []*edit
	running bool
}

func newBatcher(base context.Context, api routerAPI) *batcher {
	return &batcher{api: api, base: base, queues: map[string]*routerQueue{}}
}

// submit queues e for router r and waits for the commit that carries it.
// A caller that gives up is answered at once; an edit already being
// written may still land, which the next Observe shows.
func (b *batcher) submit(ctx context.Context, r ref, e *edit) error {
	e.ctx, e.done = ctx, make(chan error, 1)
	id := r.id(colRouters)
	b.mu.Lock()
	q := b.queues[id]
	if q == nil {
		q = &routerQueue{}
		b.queues[id] = q
	}
	q.pending = append(q.pending, e)
	start := !q.running
	q.running = true
	b.mu.Unlock()
	if start {
		go b.drain(r, q)
	}
	select {
	case err := <-e.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain commits r's queued edits batch by batch until none are left.
func (b *batcher) drain(r ref, q *routerQueue) {
	for {
		b.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		var live []*edit
		for _, e := range batch {
			if err := e.ctx.Err(); err != nil {
				e.done <- err
				continue
			}
			live = append(live, e)
		}
		if len(live) > 0 {
			b.commit(r, live)
		}
	}
}

// commit reads the router, applies the batch and writes it once. Each edit
// gets its own answer: edits the local checks refuse fail alone; when GCP
// refuses a write of several edits as invalid, the batch is split in halves
// until the bad edit fails alone.
func (b *batcher) commit(r ref, batch []*edit) {
	ctx := b.base
	var doc *computepb.Router
	err := retry(ctx, func() (e error) { doc, e = b.api.get(ctx, r); return e })
	if err != nil {
		for _, e := range batch {
			switch {
			case isNotFound(err) && (e.op == deletePeer || e.op == deleteInterface):
				e.done <- nil // its router is gone, and the entry with it
			case isNotFound(err):
				e.done <- fmt.Errorf("router %s does not exist", r.id(colRouters))
			default:
				e.done <- fmt.Errorf("reading router %s: %w", r.id(colRouters), err)
			}
		}
		return
	}
	work := proto.CloneOf(doc)
	errs, changed := applyEdits(work, batch)
	var ok []*edit
	for i, e := range batch {
		if errs[i] != nil {
			e.done <- errs[i]
		} else {
			ok = append(ok, e)
		}
	}
	if len(ok) == 0 {
		return
	}
	if changed {
		body, put := routerWrite(doc, work)
		if err = b.api.write(ctx, r, body, put, uuid.NewString()); err != nil {
			if len(ok) > 1 && httpStatus(err) == 400 {
				b.commit(r, ok[:len(ok)/2])
				b.commit(r, ok[len(ok)/2:])
				return
			}
			err = fmt.Errorf("writing router %s: %w", r.id(colRouters), err)
		}
	}
	for _, e := range ok {
		e.done <- err
	}
}

// liveRouters is routerAPI over the Compute routers client.
type liveRouters struct {
	d *Driver
	c *clients
}

func (l liveRouters) get(ctx context.Context, r ref) (*computepb.Router, error) {
	return l.c.routers.Get(ctx, &computepb.GetRouterRequest{Project: r.project, Region: r.region, Router: r.name})
}

func (l liveRouters) write(ctx context.Context, r ref, doc *computepb.Router, put bool, requestID string) error {
	var op *compute.Operation
	err := retry(ctx, func() (err error) {
		if put {
			op, err = l.c.routers.Update(ctx, &computepb.UpdateRouterRequest{Project: r.project, Region: r.region, Router: r.name, RouterResource: doc, RequestId: &requestID})
		} else {
			op, err = l.c.routers.Patch(ctx, &computepb.PatchRouterRequest{Project: r.project, Region: r.region, Router: r.name, RouterResource: doc, RequestId: &requestID})
		}
		return err
	})
	if err != nil {
		return err
	}
	return l.d.wait(ctx, op)
}
