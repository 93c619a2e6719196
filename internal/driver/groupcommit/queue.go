package groupcommit

import (
	"context"
	"sync"
)

// Commit carries out a batch of requests for one key and answers each: the
// returned slice holds one error per request, at its index. A commit that
// cannot tell the requests apart returns the same error for all. It runs
// under the queue's base context, not a caller's: it serves several
// callers, so none of them may cancel it.
type Commit[K comparable, R any] func(ctx context.Context, key K, batch []R) []error

// Queue group-commits requests per key: the first request for an idle key
// goes out at once; the ones that arrive while its commit runs wait and go
// out together in the next commit. Commits of different keys run in
// parallel.
type Queue[K comparable, R any] struct {
	base   context.Context
	commit Commit[K, R]

	mu   sync.Mutex
	keys map[K]*keyQueue[R]
}

type keyQueue[R any] struct {
	pending []*request[R]
	running bool
}

type request[R any] struct {
	ctx  context.Context
	r    R
	done chan error
}

// New returns a queue whose commits run under base.
func New[K comparable, R any](base context.Context, commit Commit[K, R]) *Queue[K, R] {
	return &Queue[K, R]{base: base, commit: commit, keys: map[K]*keyQueue[R]{}}
}

// Submit queues r for key and waits for the commit that carries it. A
// caller that gives up is answered at once; a request already being
// committed may still take effect, which the driver's next Observe shows.
func (q *Queue[K, R]) Submit(ctx context.Context, key K, r R) error {
	req := &request[R]{ctx: ctx, r: r, done: make(chan error, 1)}
	q.mu.Lock()
	kq := q.keys[key]
	if kq == nil {
		kq = &keyQueue[R]{}
		q.keys[key] = kq
	}
	kq.pending = append(kq.pending, req)
	start := !kq.running
	kq.running = true
	q.mu.Unlock()
	if start {
		go q.drain(key, kq)
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain commits key's queued requests batch by batch until none are left,
// then forgets the key.
func (q *Queue[K, R]) drain(key K, kq *keyQueue[R]) {
	for {
		q.mu.Lock()
		batch := kq.pending
		kq.pending = nil
		if len(batch) == 0 {
			kq.running = false
			delete(q.keys, key)
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		var live []*request[R]
		for _, req := range batch {
			if err := req.ctx.Err(); err != nil {
				req.done <- err
				continue
			}
			live = append(live, req)
		}
		if len(live) > 0 {
			q.run(key, live)
		}
	}
}

// run commits one batch and answers every request in it, whatever the
// commit returned.
func (q *Queue[K, R]) run(key K, batch []*request[R]) {
	rs := make([]R, len(batch))
	for i, req := range batch {
		rs[i] = req.r
	}
	errs := q.commit(q.base, key, rs)
	for i, req := range batch {
		var err error
		if i < len(errs) {
			err = errs[i]
		} else {
			err = errCommitShort
		}
		req.done <- err
	}
}
