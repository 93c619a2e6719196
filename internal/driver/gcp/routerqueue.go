package gcp

import (
	"context"
	"fmt"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver/groupcommit"
)

// routerAPI is what the batcher needs of GCP; tests give it a fake.
type routerAPI interface {
	get(ctx context.Context, r ref) (*computepb.Router, error)
	// write sends doc, as a PATCH or (put) an Update, with requestID on
	// every retry, and waits for its operation.
	write(ctx context.Context, r ref, doc *computepb.Router, put bool, requestID string) error
}

// batcher serializes the read-modify-write of each router document and
// group-commits: the edits that arrive while a router's write is in flight
// go out together in the next one. A router with 76 interfaces is thus
// written a handful of times, not 76 times one after the other.
type batcher struct {
	api routerAPI
	q   *groupcommit.Queue[ref, *edit]
}

func newBatcher(base context.Context, api routerAPI) *batcher {
	b := &batcher{api: api}
	b.q = groupcommit.New(base, b.commit)
	return b
}

// submit queues e for router r and waits for the commit that carries it.
func (b *batcher) submit(ctx context.Context, r ref, e *edit) error {
	return b.q.Submit(ctx, r, e)
}

// commit reads the router, applies the batch and writes it once. Each edit
// gets its own answer: edits the local checks refuse fail alone; when GCP
// refuses a write of several edits as invalid, the batch is split in halves
// until the bad edit fails alone.
func (b *batcher) commit(ctx context.Context, r ref, batch []*edit) []error {
	out := make([]error, len(batch))
	var doc *computepb.Router
	err := retry(ctx, func() (e error) { doc, e = b.api.get(ctx, r); return e })
	if err != nil {
		for i, e := range batch {
			switch {
			case isNotFound(err) && e.op == deletePeer:
				out[i] = nil // its router is gone, and the entry with it
			case isNotFound(err):
				out[i] = fmt.Errorf("router %s does not exist", r.id(colRouters))
			default:
				out[i] = fmt.Errorf("reading router %s: %w", r.id(colRouters), err)
			}
		}
		return out
	}
	work := proto.CloneOf(doc)
	errs, changed := applyEdits(work, batch)
	var ok []int
	for i := range batch {
		if out[i] = errs[i]; errs[i] == nil {
			ok = append(ok, i)
		}
	}
	if len(ok) == 0 || !changed {
		return out
	}
	body, put := routerWrite(doc, work)
	if err = b.api.write(ctx, r, body, put, uuid.NewString()); err != nil {
		if len(ok) > 1 && httpStatus(err) == 400 {
			half := len(ok) / 2
			for _, part := range [][]int{ok[:half], ok[half:]} {
				sub := make([]*edit, len(part))
				for j, i := range part {
					sub[j] = batch[i]
				}
				for j, e := range b.commit(ctx, r, sub) {
					out[part[j]] = e
				}
			}
			return out
		}
		err = fmt.Errorf("writing router %s: %w", r.id(colRouters), err)
	}
	for _, i := range ok {
		out[i] = err
	}
	return out
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
