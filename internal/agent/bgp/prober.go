package bgp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Link liveness, faster than BGP's hold time.
//
// Both ends of a link send a small UDP datagram from LocalAddress to
// PeerAddress:ProbePort every interval, and listen on LocalAddress:ProbePort.
// Each probe carries one bit: "I have heard you within the window". A probe
// with that bit set is proof the link works both ways; a link is up while such
// a probe arrived within interval*multiplier. The bit makes a one-way failure
// visible to both ends.
//
// States: unknown -> up after upProbes proofs; up -> down when proofs stop;
// down -> up again on proofs; down -> unknown after downRevert. Only "down"
// takes the BGP session away, so a peer that never probes (older agent,
// firewall) is never held down: unknown leaves BGP and its hold timer in
// charge, and down reverts to unknown after downRevert for the same reason.

const (
	probeMagic = "XLP1"
	probeLen   = 8
	flagHeard  = 1

	// upProbes consecutive proofs bring a link up; damps flapping links.
	upProbes = 3
	// downRevert returns a down link to unknown (BGP re-enabled, hold timer
	// decides) so a peer that stopped probing is not held down forever.
	downRevert = 30 * time.Second
)

type linkState uint8

const (
	linkUnknown linkState = iota
	linkUp
	linkDown
)

func (s linkState) String() string {
	switch s {
	case linkUp:
		return "up"
	case linkDown:
		return "down"
	default:
		return "unknown"
	}
}

type linkKey struct{ local, peer netip.Addr }

type probeLink struct {
	state     linkState
	since     time.Time // last state change
	lastRx    time.Time // last probe of any kind from the peer
	lastProof time.Time // last probe saying the peer hears us
	proofs    int       // consecutive proofs while not up
}

type prober struct {
	port     int
	interval time.Duration
	window   time.Duration
	log      *slog.Logger
	notify   func() // a link changed state; must not block

	// drop, when set, makes the prober ignore a peer both ways (tests).
	drop atomic.Pointer[func(peer netip.Addr) bool]

	mu      sync.Mutex
	links   map[linkKey]*probeLink
	socks   map[netip.Addr]*net.UDPConn
	bindErr map[netip.Addr]string // last bind error logged, per address
	closed  bool

	stop chan struct{}
	wg   sync.WaitGroup
}

func newProber(port int, interval time.Duration, mult int, log *slog.Logger, notify func()) *prober {
	p := makeProber(port, interval, mult, log, notify)
	p.wg.Add(1)
	go p.loop()
	return p
}

// makeProber returns a prober whose loop is not running (tests drive tick).
func makeProber(port int, interval time.Duration, mult int, log *slog.Logger, notify func()) *prober {
	return &prober{
		port:     port,
		interval: interval,
		window:   interval * time.Duration(mult),
		log:      log,
		notify:   notify,
		links:    map[linkKey]*probeLink{},
		socks:    map[netip.Addr]*net.UDPConn{},
		bindErr:  map[netip.Addr]string{},
		stop:     make(chan struct{}),
	}
}

// setLinks makes keys the probed links; links that stay keep their state.
func (p *prober) setLinks(keys []linkKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := map[linkKey]bool{}
	locals := map[netip.Addr]bool{}
	for _, k := range keys {
		want[k] = true
		locals[k.local] = true
		if p.links[k] == nil {
			p.links[k] = &probeLink{since: time.Now()}
		}
	}
	for k := range p.links {
		if !want[k] {
			delete(p.links, k)
		}
	}
	for a, c := range p.socks {
		if !locals[a] {
			c.Close()
			delete(p.socks, a)
		}
	}
	for a := range p.bindErr {
		if !locals[a] {
			delete(p.bindErr, a)
		}
	}
}

// state reports a link's state and when it entered it.
func (p *prober) state(k linkKey) (linkState, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.links[k]; l != nil {
		return l.state, l.since
	}
	return linkUnknown, time.Time{}
}

func (p *prober) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.stop)
	for a, c := range p.socks {
		c.Close()
		delete(p.socks, a)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *prober) dropped(peer netip.Addr) bool {
	f := p.drop.Load()
	return f != nil && (*f)(peer)
}

func (p *prober) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.tick(time.Now())
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

type probeSend struct {
	conn *net.UDPConn
	to   netip.AddrPort
	msg  []byte
}

// tick opens missing sockets, sends one probe per link and expires links.
func (p *prober) tick(now time.Time) {
	var sends []probeSend
	changed := false
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	for k, l := range p.links {
		c := p.socks[k.local]
		if c == nil {
			c = p.bindLocked(k.local)
		}
		if l.state == linkUp && now.Sub(l.lastProof) > p.window {
			l.state, l.since, l.proofs = linkDown, now, 0
			changed = true
			p.log.Warn("link down", "local", k.local, "peer", k.peer)
		} else if l.state == linkDown && now.Sub(l.since) > downRevert {
			l.state, l.since, l.proofs = linkUnknown, now, 0
			changed = true
			p.log.Info("link still silent, leaving it to BGP", "local", k.local, "peer", k.peer)
		}
		if c == nil || p.dropped(k.peer) {
			continue
		}
		msg := make([]byte, probeLen)
		copy(msg, probeMagic)
		if !l.lastRx.IsZero() && now.Sub(l.lastRx) <= p.window {
			msg[4] = flagHeard
		}
		sends = append(sends, probeSend{c, netip.AddrPortFrom(k.peer, uint16(p.port)), msg})
	}
	p.mu.Unlock()
	for _, s := range sends {
		// Errors are expected while a link or its address is down.
		_, _ = s.conn.WriteToUDPAddrPort(s.msg, s.to)
	}
	if changed {
		p.notify()
	}
}

// bindLocked opens the probe socket of a local address. IP_FREEBIND lets it
// bind before the WireGuard address exists; it starts working once it does.
func (p *prober) bindLocked(local netip.Addr) *net.UDPConn {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_IP, syscall.IP_FREEBIND, 1)
		})
		return errors.Join(err, serr)
	}}
	addr := net.JoinHostPort(local.String(), strconv.Itoa(p.port))
	pc, err := lc.ListenPacket(context.Background(), "udp4", addr)
	if err != nil {
		if msg := err.Error(); p.bindErr[local] != msg {
			p.bindErr[local] = msg
			p.log.Warn("probe socket", "addr", addr, "err", err)
		}
		return nil
	}
	delete(p.bindErr, local)
	c := pc.(*net.UDPConn)
	p.socks[local] = c
	p.wg.Add(1)
	go p.read(local, c)
	return c
}

func (p *prober) read(local netip.Addr, c *net.UDPConn) {
	defer p.wg.Done()
	buf := make([]byte, 64)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // no hot loop on a persistent error
			continue
		}
		if n < probeLen || string(buf[:4]) != probeMagic {
			continue
		}
		if p.receive(linkKey{local, from.Addr().Unmap()}, buf[4]&flagHeard != 0, time.Now()) {
			p.notify()
		}
	}
}

// receive records a probe and reports whether the link changed state.
func (p *prober) receive(k linkKey, heard bool, now time.Time) bool {
	if p.dropped(k.peer) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.links[k]
	if l == nil {
		return false
	}
	l.lastRx = now
	if !heard {
		return false
	}
	if now.Sub(l.lastProof) > p.window {
		l.proofs = 0 // not consecutive
	}
	l.lastProof = now
	if l.state == linkUp {
		return false
	}
	if l.proofs++; l.proofs < upProbes {
		return false
	}
	if l.state == linkDown {
		p.log.Info("link up again", "local", k.local, "peer", k.peer)
	}
	l.state, l.since, l.proofs = linkUp, now, 0
	return true
}
