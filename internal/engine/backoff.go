package engine

import (
	"math/rand/v2"
	"sync"
	"time"
)

// backoff draws retry delays. One is shared by all workers of a Run, so its
// rand is guarded.
type backoff struct {
	mu        sync.Mutex
	rand      *rand.Rand
	base, max time.Duration
}

// delay is the wait before retry n (1 for the first retry): full jitter over
// the capped exponential.
func (b *backoff) delay(n int) time.Duration {
	ceiling := b.max
	if n-1 < 62 { // beyond that the shift overflows; the cap applies anyway
		if d := b.base << (n - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return time.Duration(b.rand.Int64N(int64(ceiling) + 1))
}
