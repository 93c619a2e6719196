package groupcommit

import (
	"context"
	"sync"
	"time"
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
	base    context.Context
	commit  Commit[K, R]
	spacing time.Duration

	mu   sync.Mutex
	keys map[K]*keyQueue[R]
}

type keyQueue[R any] struct {
	pending []*request[R]
	running bool
	last    time.Time // when the last commit started
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

// NewSpaced is New with commits of one key started at least spacing apart:
// requests gather in between. It suits reads that many callers repeat,
// such as state polls, which then cost one call per key and spacing
// however many callers poll. Its keys are remembered, so use it for a
// bounded set of keys.
func NewSpaced[K comparable, R any](base context.Context, spacing time.Duration, commit Commit[K, R]) *Queue[K, R] {
	q := New(base, commit)
	q.spacing = spacing
	return q
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
			if q.spacing == 0 {
				delete(q.keys, key)
			}
			q.mu.Unlock()
			return
		}
		if wait := q.spacing - time.Since(kq.last); q.spacing > 0 && wait > 0 {
			// Too soon after the last commit: let more requests gather.
			kq.pending = batch
			q.mu.Unlock()
			if !q.sleep(wait) {
				q.fail(key, kq)
				return
			}
			continue
		}
		kq.last = time.Now()
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

// sleep waits d, or until the base context ends (false).
func (q *Queue[K, R]) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-q.base.Done():
		return false
	}
}

// fail answers every request pending for key with the base context's
// error: the queue is shut down.
func (q *Queue[K, R]) fail(key K, kq *keyQueue[R]) {
	q.mu.Lock()
	batch := kq.pending
	kq.pending, kq.running = nil, false
	delete(q.keys, key)
	q.mu.Unlock()
	for _, req := range batch {
		req.done <- q.base.Err()
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
