package engine

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBackoffIsFullJitterUnderTheCap(t *testing.T) {
	b := &backoff{rand: rand.New(rand.NewPCG(7, 7)), base: 100 * time.Millisecond, max: time.Second}
	for n := 1; n <= 80; n++ { // far past the shift that would overflow
		ceiling := min(time.Second, 100*time.Millisecond<<min(n-1, 10))
		var top time.Duration
		for range 500 {
			d := b.delay(n)
			if d < 0 || d > ceiling {
				t.Fatalf("retry %d: %v outside [0, %v]", n, d, ceiling)
			}
			top = max(top, d)
		}
		// Full jitter spreads over the whole range, not just near the cap.
		if top < ceiling/2 {
			t.Errorf("retry %d: never above %v of %v", n, top, ceiling)
		}
	}
}

func TestBackoffIsReproducibleFromItsSeed(t *testing.T) {
	draw := func() []time.Duration {
		b := &backoff{rand: rand.New(rand.NewPCG(1, 2)), base: time.Second, max: time.Minute}
		var ds []time.Duration
		for n := 1; n <= 6; n++ {
			ds = append(ds, b.delay(n))
		}
		return ds
	}
	a, b := draw(), draw()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different delays: %v vs %v", a, b)
		}
	}
}
