package lab

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"
)

// PingAddr pings addr from namespace ns (`ping -c1 -W1`, retried) until a
// reply or timeout; a zero timeout makes one attempt.
func (l *Lab) PingAddr(ns string, addr netip.Addr, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		_, err := l.Exec(ns, "ping", "-n", "-q", "-c1", "-W1", addr.String())
		if err == nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("ping %s from %s: no reply within %v: %w", addr, ns, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Ping pings the LAN of host to from the LAN of host from.
func (l *Lab) Ping(from, to string, timeout time.Duration) error {
	src, dst, err := l.pair(from, to)
	if err != nil {
		return err
	}
	return l.PingAddr(src.LANNS, dst.LANAddr, timeout)
}

// ListenTCP opens a TCP listener inside namespace ns.
func ListenTCP(ns string, addr netip.AddrPort) (*net.TCPListener, error) {
	var ln *net.TCPListener
	err := inNS(ns, func() (err error) {
		ln, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
		return err
	})
	return ln, err
}

// ListenUDP opens a UDP socket inside namespace ns.
func ListenUDP(ns string, addr netip.AddrPort) (*net.UDPConn, error) {
	var c *net.UDPConn
	err := inNS(ns, func() (err error) {
		c, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
		return err
	})
	return c, err
}

// DialTCP connects from namespace ns, retrying refused or unreachable
// attempts until deadline (routes may still be converging).
func DialTCP(ns string, to netip.AddrPort, deadline time.Time) (*net.TCPConn, error) {
	for {
		var c net.Conn
		err := inNS(ns, func() (err error) {
			d := net.Dialer{Deadline: deadline}
			c, err = d.Dial("tcp", to.String())
			return err
		})
		if err == nil {
			return c.(*net.TCPConn), nil
		}
		if time.Now().Add(200 * time.Millisecond).After(deadline) {
			return nil, fmt.Errorf("dial %s from %s: %w", to, ns, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// streamResult is what a receiving end saw.
type streamResult struct {
	n            int64
	sum          []byte
	first, close time.Time
	err          error
}

// receiveOne accepts one connection on ln and reads it to EOF, hashing.
func receiveOne(ln *net.TCPListener, deadline time.Time) <-chan streamResult {
	res := make(chan streamResult, 1)
	go func() {
		var r streamResult
		defer func() { res <- r }()
		_ = ln.SetDeadline(deadline)
		c, err := ln.Accept()
		if err != nil {
			r.err = fmt.Errorf("accept: %w", err)
			return
		}
		defer c.Close()
		_ = c.SetDeadline(deadline)
		h := sha256.New()
		buf := make([]byte, 256<<10)
		for {
			k, err := c.Read(buf)
			if k > 0 {
				if r.n == 0 {
					r.first = time.Now()
				}
				r.n += int64(k)
				h.Write(buf[:k])
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				r.err = fmt.Errorf("receive after %d bytes: %w", r.n, err)
				return
			}
		}
		r.close = time.Now()
		r.sum = h.Sum(nil)
	}()
	return res
}

// connectLANs listens in to's LAN and connects from from's LAN.
func (l *Lab) connectLANs(from, to string, deadline time.Time) (*net.TCPConn, <-chan streamResult, func(), error) {
	src, dst, err := l.pair(from, to)
	if err != nil {
		return nil, nil, nil, err
	}
	ln, err := ListenTCP(dst.LANNS, netip.AddrPortFrom(dst.LANAddr, 0))
	if err != nil {
		return nil, nil, nil, err
	}
	res := receiveOne(ln, deadline)
	c, err := DialTCP(src.LANNS, ln.Addr().(*net.TCPAddr).AddrPort(), deadline)
	if err != nil {
		ln.Close()
		<-res
		return nil, nil, nil, fmt.Errorf("%s→%s: %w", from, to, err)
	}
	_ = c.SetDeadline(deadline)
	return c, res, func() { c.Close(); ln.Close() }, nil
}

// TCPStream sends n pseudo-random bytes over one TCP connection from the
// LAN of from to a listener in the LAN of to, and checks that exactly those
// bytes arrived (length and SHA-256).
func (l *Lab) TCPStream(from, to string, n int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c, res, done, err := l.connectLANs(from, to, deadline)
	if err != nil {
		return err
	}
	defer done()
	h := sha256.New()
	data := rand.NewChaCha8([32]byte{'c', 'r', 'o', 's', 's', 'l', 'i', 'n', 'k'})
	sent, werr := io.CopyN(io.MultiWriter(c, h), data, n)
	if werr == nil {
		werr = c.CloseWrite()
	}
	r := <-res
	if werr != nil {
		return fmt.Errorf("%s→%s: send after %d of %d bytes: %w (receiver: %v)", from, to, sent, n, werr, r.err)
	}
	if r.err != nil {
		return fmt.Errorf("%s→%s: %w", from, to, r.err)
	}
	if r.n != n || !bytes.Equal(r.sum, h.Sum(nil)) {
		return fmt.Errorf("%s→%s: received %d bytes (sha256 %x), sent %d (sha256 %x)", from, to, r.n, r.sum, n, h.Sum(nil))
	}
	return nil
}

// Throughput sends TCP bulk data from the LAN of from to the LAN of to for
// d and returns the rate the receiver saw (first byte to EOF).
func (l *Lab) Throughput(from, to string, d time.Duration) (float64, error) {
	deadline := time.Now().Add(d + 30*time.Second)
	c, res, done, err := l.connectLANs(from, to, deadline)
	if err != nil {
		return 0, err
	}
	defer done()
	buf := make([]byte, 256<<10)
	rand.NewChaCha8([32]byte{}).Read(buf)
	var werr error
	for end := time.Now().Add(d); time.Now().Before(end); {
		if _, werr = c.Write(buf); werr != nil {
			break
		}
	}
	if werr == nil {
		werr = c.CloseWrite()
	}
	r := <-res
	if err := errors.Join(werr, r.err); err != nil {
		return 0, fmt.Errorf("%s→%s: %w", from, to, err)
	}
	secs := r.close.Sub(r.first).Seconds()
	if r.n == 0 || secs <= 0 {
		return 0, fmt.Errorf("%s→%s: received %d bytes", from, to, r.n)
	}
	return float64(r.n) * 8 / secs, nil
}

// Sample is one probe datagram; Received is zero if no echo came back.
type Sample struct {
	Seq            uint64
	Sent, Received time.Time
}

// ProbeStats summarizes a probe.
type ProbeStats struct {
	Start, End     time.Time
	Sent, Received int
	// LongestGap is the longest time without echoes: between consecutive
	// echoes, or from the last echo to End (an outage still going on at
	// the end counts). Before the first echo does not count (a tunnel may
	// still be coming up); with no echo at all it is End-Start.
	LongestGap     time.Duration
	GapFrom, GapTo time.Time // the longest gap's bounds
	Samples        []Sample  // by sequence number
	Replies        []time.Time
}

// FirstAfter is the arrival time of the first echo after t, or zero.
func (s ProbeStats) FirstAfter(t time.Time) time.Time {
	for _, r := range s.Replies {
		if r.After(t) {
			return r
		}
	}
	return time.Time{}
}

// Lost is the number of datagrams without echo.
func (s ProbeStats) Lost() int { return s.Sent - s.Received }

// Prober sends sequence-numbered UDP datagrams from one LAN to a UDP echo
// in another at a fixed interval and records every send and echo arrival.
// All methods are safe for concurrent use.
type Prober struct {
	l        *Lab
	interval time.Duration
	src, dst *net.UDPConn
	to       netip.AddrPort
	err      error

	mu      sync.Mutex
	start   time.Time
	end     time.Time
	samples []Sample
	replies []time.Time
	arrived chan struct{} // closed and replaced on every echo

	stopOnce sync.Once
	stop     chan struct{}
	wg       sync.WaitGroup
}

// probeLen pads datagrams a little so they are not degenerate.
const probeLen = 64

// Probe starts probing from the LAN of from to the LAN of to every interval
// (default 20ms). Stop it (Close also does). A setup failure fails the
// lab's test and is kept in Err; the Prober then records nothing.
func (l *Lab) Probe(from, to string, interval time.Duration) *Prober {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	p := &Prober{l: l, interval: interval, stop: make(chan struct{}), arrived: make(chan struct{}), start: time.Now()}
	if p.err = p.open(from, to); p.err != nil {
		l.t.Errorf("lab: probe %s→%s: %v", from, to, p.err)
		p.end = p.start
		close(p.stop)
		return p
	}
	l.mu.Lock()
	l.probers[p] = struct{}{}
	l.mu.Unlock()
	p.wg.Add(3)
	go p.echo()
	go p.receive()
	go p.send()
	return p
}

func (p *Prober) open(from, to string) error {
	src, dst, err := p.l.pair(from, to)
	if err != nil {
		return err
	}
	if p.dst, err = ListenUDP(dst.LANNS, netip.AddrPortFrom(dst.LANAddr, 0)); err != nil {
		return err
	}
	// Unconnected, so ICMP errors during an outage do not end the reads.
	if p.src, err = ListenUDP(src.LANNS, netip.AddrPortFrom(src.LANAddr, 0)); err != nil {
		p.dst.Close()
		return err
	}
	p.to = p.dst.LocalAddr().(*net.UDPAddr).AddrPort()
	return nil
}

// echo returns every datagram to its sender.
func (p *Prober) echo() {
	defer p.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := p.dst.ReadFromUDPAddrPort(buf)
		if err != nil {
			if p.stopped() {
				return
			}
			continue
		}
		_, _ = p.dst.WriteToUDPAddrPort(buf[:n], from)
	}
}

func (p *Prober) send() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	buf := make([]byte, probeLen)
	for seq := uint64(0); ; seq++ {
		binary.BigEndian.PutUint64(buf, seq)
		p.mu.Lock()
		p.samples = append(p.samples, Sample{Seq: seq, Sent: time.Now()})
		p.mu.Unlock()
		// Errors (prohibited, unreachable) are what an outage looks like.
		_, _ = p.src.WriteToUDPAddrPort(buf, p.to)
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

func (p *Prober) receive() {
	defer p.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, _, err := p.src.ReadFromUDPAddrPort(buf)
		now := time.Now()
		if err != nil {
			if p.stopped() {
				return
			}
			continue
		}
		if n < 8 {
			continue
		}
		seq := binary.BigEndian.Uint64(buf)
		p.mu.Lock()
		if seq < uint64(len(p.samples)) && p.samples[seq].Received.IsZero() {
			p.samples[seq].Received = now
			p.replies = append(p.replies, now)
			close(p.arrived)
			p.arrived = make(chan struct{})
		}
		p.mu.Unlock()
	}
}

func (p *Prober) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// Err is the probe's setup error, if any.
func (p *Prober) Err() error { return p.err }

// Stop ends the probe, closes its sockets and returns its statistics.
// Calling it again returns the same statistics.
func (p *Prober) Stop() ProbeStats {
	p.stopOnce.Do(func() {
		if p.err != nil {
			return
		}
		close(p.stop)
		p.src.Close()
		p.dst.Close()
		p.wg.Wait()
		p.mu.Lock()
		p.end = time.Now()
		p.mu.Unlock()
		p.l.mu.Lock()
		delete(p.l.probers, p)
		p.l.mu.Unlock()
	})
	return p.Stats()
}

// Stats returns the statistics so far (End = now while running).
func (p *Prober) Stats() ProbeStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := ProbeStats{
		Start:   p.start,
		End:     p.end,
		Sent:    len(p.samples),
		Samples: append([]Sample(nil), p.samples...),
		Replies: append([]time.Time(nil), p.replies...),
	}
	s.Received = len(s.Replies)
	if s.End.IsZero() {
		s.End = time.Now()
	}
	if len(s.Replies) == 0 {
		s.LongestGap, s.GapFrom, s.GapTo = s.End.Sub(s.Start), s.Start, s.End
		return s
	}
	edges := append(append(make([]time.Time, 0, len(s.Replies)+1), s.Replies...), s.End)
	for i := 1; i < len(edges); i++ {
		if g := edges[i].Sub(edges[i-1]); g > s.LongestGap {
			s.LongestGap, s.GapFrom, s.GapTo = g, edges[i-1], edges[i]
		}
	}
	return s
}

// WaitReply waits until an echo arrives after t, up to timeout, and returns
// its arrival time (zero on timeout).
func (p *Prober) WaitReply(t time.Time, timeout time.Duration) time.Time {
	expire := time.After(timeout)
	for {
		p.mu.Lock()
		arrived := p.arrived
		n := len(p.replies)
		var last time.Time
		if n > 0 {
			last = p.replies[n-1]
		}
		p.mu.Unlock()
		if last.After(t) {
			// The first one after t, not necessarily the latest.
			return p.Stats().FirstAfter(t)
		}
		select {
		case <-arrived:
		case <-p.stop:
			return p.Stats().FirstAfter(t)
		case <-expire:
			return time.Time{}
		}
	}
}
