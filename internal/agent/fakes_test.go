package agent

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/bgp"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/wg"
)

// fakeWG is an in-memory WireGuard: devices by name, keys by epoch.
type fakeWG struct {
	mu      sync.Mutex
	devices map[string]*wg.DeviceState
	calls   int
}

func (f *fakeWG) EnsureDevice(_ context.Context, c wg.DeviceConfig) (wg.DeviceState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	d := f.devices[c.Name]
	if d == nil {
		d = &wg.DeviceState{Name: c.Name, Kind: "userspace"}
		f.devices[c.Name] = d
	}
	d.ListenPort, d.Addresses, d.KeyEpoch, d.Up = c.ListenPort, append(d.Addresses[:0], c.Address), c.KeyEpoch, true
	d.PublicKey = fmt.Sprintf("pub-%s-%d", c.Name, c.KeyEpoch)
	return *d, nil
}

func (f *fakeWG) SetPeer(_ context.Context, dev string, p *wg.PeerConfig) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.devices[dev]
	if d == nil {
		return fmt.Errorf("device %s: %w", dev, fs.ErrNotExist)
	}
	d.Peer = nil
	if p != nil {
		d.Peer = &wg.PeerState{PublicKey: p.PublicKey, Endpoint: p.Endpoint, Keepalive: p.Keepalive, AllowedIPs: p.AllowedIPs}
	}
	return nil
}

func (f *fakeWG) RemoveDevice(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.devices, name)
	return nil
}

func (f *fakeWG) Device(_ context.Context, name string) (wg.DeviceState, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.devices[name]
	if d == nil {
		return wg.DeviceState{}, false, nil
	}
	return *d, true, nil
}

func (f *fakeWG) Close() error { return nil }

// fakeRouter keeps the sessions it was given, all established.
type fakeRouter struct {
	asn      uint32
	sessions []bgp.Session
	closed   bool
}

func (r *fakeRouter) Apply(_ context.Context, ss []bgp.Session) error {
	r.sessions = slices.Clone(ss)
	return nil
}

func (r *fakeRouter) Sessions() []bgp.SessionState {
	var out []bgp.SessionState
	for _, s := range r.sessions {
		out = append(out, bgp.SessionState{PeerAddress: s.PeerAddress, PeerASN: s.PeerASN, State: "established",
			HoldTime: s.HoldTime, Keepalive: s.Keepalive, MED: s.MED, Prepend: s.Prepend, LinkAlive: true})
	}
	return out
}

func (r *fakeRouter) BestRoutes() []bgp.Route { return nil }
func (r *fakeRouter) Close() error            { r.closed = true; return nil }

type fakeHost struct{ forward bool }

func (h *fakeHost) forwarding(on bool) error   { h.forward = on; return nil }
func (h *fakeHost) looseRPFilter(string) error { return nil }

// newTestAgent builds an agent on the doubles, with its store in dir.
func newTestAgent(t *testing.T, dir string) (*Agent, *fakeWG, *[]*fakeRouter, *fakeHost) {
	t.Helper()
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := &fakeWG{devices: map[string]*wg.DeviceState{}}
	routers := &[]*fakeRouter{}
	h := &fakeHost{}
	a := &Agent{store: st, wg: w, host: h, log: slog.New(slog.DiscardHandler), hostname: "test",
		newRouter: func(asn uint32) (router, error) {
			r := &fakeRouter{asn: asn}
			*routers = append(*routers, r)
			return r, nil
		}}
	return a, w, routers, h
}

func keys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }
