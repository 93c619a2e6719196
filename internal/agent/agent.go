package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/bgp"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/wg"
)

// wireguard is what the agent needs of wg.Manager (tests use a double).
type wireguard interface {
	EnsureDevice(ctx context.Context, c wg.DeviceConfig) (wg.DeviceState, error)
	SetPeer(ctx context.Context, device string, p *wg.PeerConfig) error
	RemoveDevice(ctx context.Context, name string) error
	Device(ctx context.Context, name string) (wg.DeviceState, bool, error)
	Close() error
}

// router is what the agent needs of a bgp.Speaker.
type router interface {
	Apply(ctx context.Context, sessions []bgp.Session) error
	Sessions() []bgp.SessionState
	BestRoutes() []bgp.Route
	Close() error
}

// host is the rest of the system the agent touches.
type host interface {
	// forwarding turns IPv4 forwarding on (links carry transit traffic for
	// backup paths) or back to what it was before the first link.
	forwarding(on bool) error
	looseRPFilter(dev string) error
}

// Agent holds a host's objects and keeps the system converged to them.
type Agent struct {
	mu        sync.Mutex
	store     *store
	wg        wireguard
	newRouter func(asn uint32) (router, error)
	router    router
	asn       uint32
	host      host
	log       *slog.Logger
	hostname  string
}

// retryable marks an error the caller may retry unchanged (HTTP 409).
type retryable struct{ error }

func (r retryable) Unwrap() error { return r.error }

// Put applies one object and returns it as the system now holds it.
func (a *Agent) Put(ctx context.Context, mesh string, o api.Object) (api.Object, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.check(mesh, o); err != nil {
		return api.Object{}, err
	}
	prev, had := a.store.get(mesh, o.Key)
	if err := a.store.put(mesh, o); err != nil {
		return api.Object{}, fmt.Errorf("saving %s: %w", o.Key, err)
	}
	if err := a.apply(ctx, mesh, o); err != nil {
		// A request that can never apply is forgotten; a failure of the
		// system keeps the object so the reconcile loop and the next
		// request converge it.
		var b badObject
		if errors.As(err, &b) {
			if had {
				_ = a.store.put(mesh, prev)
			} else {
				_ = a.store.remove(mesh, o.Key)
			}
		}
		return api.Object{}, err
	}
	got, ok, err := a.observe(ctx, mesh, o)
	if err != nil {
		return api.Object{}, err
	}
	if !ok {
		return api.Object{}, fmt.Errorf("%s %s: applied but not found on the host", o.Kind, o.Key)
	}
	return got, nil
}

// check refuses objects that cannot be applied, before anything changes.
func (a *Agent) check(mesh string, o api.Object) error {
	switch o.Kind {
	case kindDevice:
		c, err := deviceConfig(o)
		if err != nil {
			return err
		}
		// A device name belongs to one object, whatever the mesh.
		var clash error
		a.store.all(func(m string, x api.Object) {
			if x.Kind == kindDevice && (m != mesh || x.Key != o.Key) && x.Attrs["device"] == c.Name {
				clash = bad(o, "device %s is already used by %s of mesh %q", c.Name, x.Key, m)
			}
		})
		return clash
	case kindPeer:
		_, _, err := peerConfig(o)
		return err
	case kindSession:
		_, asn, err := sessionConfig(o)
		if err != nil {
			return err
		}
		var clash error
		a.store.all(func(_ string, x api.Object) {
			if x.Kind == kindSession && x.Key != o.Key && x.Attrs["local_asn"] != o.Attrs["local_asn"] {
				clash = bad(o, "local ASN %d differs from %s's %s; a host is one AS", asn, x.Key, x.Attrs["local_asn"])
			}
		})
		return clash
	case kindIPsec:
		return bad(o, "IPsec tunnels from a host are not supported by this agent yet; link hosts to hosts over WireGuard")
	default:
		return bad(o, "unknown kind")
	}
}

// Delete removes one object; a missing one is already deleted.
func (a *Agent) Delete(ctx context.Context, mesh, key string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ok := a.store.get(mesh, key)
	if !ok {
		return nil
	}
	var err error
	switch o.Kind {
	case kindDevice:
		err = a.wg.RemoveDevice(ctx, o.Attrs["device"])
	case kindPeer:
		err = a.wg.SetPeer(ctx, o.Attrs["device"], nil)
		if isNoDevice(err) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("deleting %s %s: %w", o.Kind, key, err)
	}
	if err := a.store.remove(mesh, key); err != nil {
		return err
	}
	switch o.Kind {
	case kindSession:
		return a.applySessions(ctx)
	case kindDevice:
		return a.syncForwarding()
	}
	return nil
}

// List returns a mesh's objects as the system holds them: an object the
// agent was given but the system lost is absent, so the planner puts it back.
func (a *Agent) List(ctx context.Context, mesh string) ([]api.Object, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := []api.Object{}
	for _, o := range a.store.list(mesh) {
		got, ok, err := a.observe(ctx, mesh, o)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, got)
		}
	}
	return out, nil
}

// apply converges the system to one stored object.
func (a *Agent) apply(ctx context.Context, mesh string, o api.Object) error {
	switch o.Kind {
	case kindDevice:
		c, _ := deviceConfig(o)
		if _, err := a.wg.EnsureDevice(ctx, c); err != nil {
			return fmt.Errorf("configuring WireGuard device %s: %w", c.Name, err)
		}
		if err := a.host.looseRPFilter(c.Name); err != nil {
			return fmt.Errorf("configuring WireGuard device %s: %w", c.Name, err)
		}
		return a.syncForwarding()
	case kindPeer:
		dev, p, _ := peerConfig(o)
		if _, ok, err := a.wg.Device(ctx, dev); err != nil {
			return err
		} else if !ok {
			return retryable{fmt.Errorf("%s %s: device %s does not exist yet", o.Kind, o.Key, dev)}
		}
		if err := a.wg.SetPeer(ctx, dev, &p); err != nil {
			return fmt.Errorf("configuring the peer of WireGuard device %s: %w", dev, err)
		}
		return nil
	case kindSession:
		return a.applySessions(ctx)
	}
	return nil
}

// applySessions hands the speaker every stored session: BGP is configured
// as a whole (one AS, one set of announcements).
func (a *Agent) applySessions(ctx context.Context) error {
	var sessions []bgp.Session
	var asn uint32
	a.store.all(func(_ string, o api.Object) {
		if o.Kind != kindSession {
			return
		}
		s, local, err := sessionConfig(o)
		if err != nil {
			return
		}
		s.Device = a.deviceFor(s.LocalAddress)
		sessions = append(sessions, s)
		asn = local
	})
	if len(sessions) == 0 {
		if a.router != nil {
			err := a.router.Close()
			a.router, a.asn = nil, 0
			return err
		}
		return nil
	}
	if a.router != nil && a.asn != asn {
		if err := a.router.Close(); err != nil {
			return err
		}
		a.router = nil
	}
	if a.router == nil {
		r, err := a.newRouter(asn)
		if err != nil {
			return fmt.Errorf("starting BGP as AS%d: %w", asn, err)
		}
		a.router, a.asn = r, asn
	}
	if err := a.router.Apply(ctx, sessions); err != nil {
		return fmt.Errorf("configuring BGP: %w", err)
	}
	return nil
}

// deviceFor names the stored device whose link holds addr.
func (a *Agent) deviceFor(addr netip.Addr) string {
	dev := ""
	a.store.all(func(_ string, o api.Object) {
		if o.Kind != kindDevice {
			return
		}
		if p, err := netip.ParsePrefix(o.Attrs["address"]); err == nil && p.Contains(addr) {
			dev = o.Attrs["device"]
		}
	})
	return dev
}

// syncForwarding keeps forwarding on while the agent holds any device.
func (a *Agent) syncForwarding() error {
	any := false
	a.store.all(func(_ string, o api.Object) { any = any || o.Kind == kindDevice })
	return a.host.forwarding(any)
}

// observe reads one object back from the system; false when it is absent.
func (a *Agent) observe(ctx context.Context, _ string, o api.Object) (api.Object, bool, error) {
	switch o.Kind {
	case kindDevice, kindPeer:
		st, ok, err := a.wg.Device(ctx, o.Attrs["device"])
		if err != nil || !ok {
			return api.Object{}, false, err
		}
		if o.Kind == kindDevice {
			return observedDevice(o, st), true, nil
		}
		got, ok := observedPeer(o, st)
		return got, ok, nil
	case kindSession:
		s, local, err := sessionConfig(o)
		if err != nil || a.router == nil || local != a.asn {
			return api.Object{}, false, nil
		}
		for _, st := range a.router.Sessions() {
			if st.PeerAddress == s.PeerAddress {
				return observedSession(o, local, s, st), true, nil
			}
		}
	}
	return api.Object{}, false, nil
}

// Reconcile re-applies every stored object: after a start, and now and then
// so that what the system lost (a device, a route) comes back.
func (a *Agent) Reconcile(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	// Devices before peers before sessions, whatever the key order.
	for _, kind := range []string{kindDevice, kindPeer} {
		a.store.all(func(mesh string, o api.Object) {
			if o.Kind == kind {
				if err := a.apply(ctx, mesh, o); err != nil {
					errs = append(errs, err)
				}
			}
		})
	}
	errs = append(errs, a.applySessions(ctx))
	return errors.Join(errs...)
}

// Status reports the host's live state.
func (a *Agent) Status(ctx context.Context) (api.Status, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := api.Status{Host: a.hostname, Devices: []api.Device{}, Sessions: []api.Session{}, Routes: []api.Route{}}
	var errs []error
	a.store.all(func(_ string, o api.Object) {
		if o.Kind != kindDevice {
			return
		}
		d, ok, err := a.wg.Device(ctx, o.Attrs["device"])
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			st.Devices = append(st.Devices, statusDevice(d))
		}
	})
	if a.router != nil {
		for _, s := range a.router.Sessions() {
			st.Sessions = append(st.Sessions, api.Session{PeerAddress: s.PeerAddress.String(), PeerASN: s.PeerASN, State: s.State,
				Since: s.Since, Received: s.Received, Accepted: s.Accepted, LinkAlive: s.LinkAlive})
		}
		for _, r := range a.router.BestRoutes() {
			st.Routes = append(st.Routes, api.Route{Prefix: r.Prefix.String(), NextHop: r.NextHop.String(), Device: r.Device})
		}
	}
	return st, errors.Join(errs...)
}

func statusDevice(d wg.DeviceState) api.Device {
	out := api.Device{Name: d.Name, Kind: d.Kind, PublicKey: d.PublicKey, ListenPort: d.ListenPort, Up: d.Up, Addresses: []string{}}
	for _, p := range d.Addresses {
		out.Addresses = append(out.Addresses, p.String())
	}
	if p := d.Peer; p != nil {
		out.PeerPublicKey, out.PeerEndpoint, out.LastHandshake, out.RxBytes, out.TxBytes = p.PublicKey, p.Endpoint, p.LastHandshake, p.RxBytes, p.TxBytes
	}
	return out
}

// Close stops BGP (withdrawing its routes) and the embedded devices; kernel
// devices and the stored objects stay for the next start.
func (a *Agent) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	if a.router != nil {
		errs = append(errs, a.router.Close())
		a.router = nil
	}
	errs = append(errs, a.wg.Close())
	return errors.Join(errs...)
}

// isNoDevice: the device is gone, which for removing its peer is success.
func isNoDevice(err error) bool { return errors.Is(err, fs.ErrNotExist) }
