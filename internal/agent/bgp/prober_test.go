package bgp

import (
	"log/slog"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// The state machine, driven with synthetic times (the loop is not started;
// tick still opens a real socket and sends real probes to nowhere).
func TestProberStates(t *testing.T) {
	var notified atomic.Int32
	p := makeProber(13984, 200*time.Millisecond, 5, slog.New(slog.DiscardHandler), func() { notified.Add(1) })
	t.Cleanup(p.close)
	k := linkKey{netip.MustParseAddr("127.0.0.31"), netip.MustParseAddr("127.0.0.32")}
	p.setLinks([]linkKey{k})
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	st := func() linkState { s, _ := p.state(k); return s }

	// Never heard: stays unknown (BGP stays enabled) however long.
	p.tick(at(60_000))
	if st() != linkUnknown {
		t.Fatalf("silent link: %v", st())
	}
	// Probes that do not say "heard you" are no proof.
	for i := range 5 {
		p.receive(k, false, at(100*i))
	}
	if st() != linkUnknown {
		t.Fatalf("after unproven probes: %v", st())
	}
	// upProbes proofs bring it up.
	for i := range upProbes {
		changed := p.receive(k, true, at(1000+200*i))
		if changed != (i == upProbes-1) {
			t.Fatalf("proof %d: changed %v", i, changed)
		}
	}
	if st() != linkUp {
		t.Fatalf("after proofs: %v", st())
	}
	last := 1000 + 200*(upProbes-1)
	p.tick(at(last + 1000)) // exactly the window: still up
	if st() != linkUp {
		t.Fatalf("within window: %v", st())
	}
	p.tick(at(last + 1001))
	if st() != linkDown || notified.Load() != 1 {
		t.Fatalf("after window: %v, notified %d", st(), notified.Load())
	}
	// Down reverts to unknown after downRevert.
	p.tick(at(last + 1001 + int(downRevert/time.Millisecond) + 1))
	if st() != linkUnknown {
		t.Fatalf("after downRevert: %v", st())
	}
	// Sparse proofs (gaps over the window) are not consecutive.
	base := last + 40_000
	for i := range upProbes {
		p.receive(k, true, at(base+2000*i))
	}
	if st() != linkUnknown {
		t.Fatalf("sparse proofs: %v", st())
	}
	// Removing the link forgets it.
	p.setLinks(nil)
	if s, _ := p.state(k); s != linkUnknown || len(p.links) != 0 || len(p.socks) != 0 {
		t.Fatalf("after removal: %v %v %v", s, p.links, p.socks)
	}
}
