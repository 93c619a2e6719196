package bgp

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// SessionState is the observed state of one session.
type SessionState struct {
	PeerAddress netip.Addr
	PeerASN     uint32
	// State is GoBGP's FSM state in lower case: "idle", "connect",
	// "active", "opensent", "openconfirm", "established".
	State              string
	Since              time.Time // established since / down since, when known
	Received, Accepted int       // prefixes from the peer
	// HoldTime and Keepalive are the negotiated timers once established,
	// else the configured ones.
	HoldTime, Keepalive time.Duration
	MED                 uint32
	Prepend             int
	LinkAlive           bool   // the prober currently proves the link up
	LinkState           string // "up", "down", "unknown" (no proof yet), "disabled" (no probing)
}

// Route is a best path learned from a peer.
type Route struct {
	Prefix  netip.Prefix
	NextHop netip.Addr
	Device  string   // the session's device ("" if none was given)
	ASPath  []uint32 // as received, nearest AS first
}

func (r Route) equal(o Route) bool {
	return r.Prefix == o.Prefix && r.NextHop == o.NextHop && r.Device == o.Device && slices.Equal(r.ASPath, o.ASPath)
}

// BestRoutes returns the current best paths learned from peers (never our own
// prefixes), sorted by prefix: the set last computed by the route loop, which
// runs on every best-path change.
func (s *Speaker) BestRoutes() []Route {
	rs := *s.best.Load()
	out := make([]Route, len(rs))
	for i, r := range rs {
		r.ASPath = slices.Clone(r.ASPath)
		out[i] = r
	}
	return out
}

// Sessions reports every configured session, sorted by peer address.
func (s *Speaker) Sessions() []SessionState {
	s.mu.Lock()
	in := s.inst
	desired := make([]Session, 0, len(s.desired))
	for _, ss := range s.desired {
		desired = append(desired, ss)
	}
	s.mu.Unlock()
	slices.SortFunc(desired, func(a, b Session) int { return a.PeerAddress.Compare(b.PeerAddress) })

	peers := map[netip.Addr]*api.Peer{}
	if in != nil {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		_ = in.srv.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
			if p.Conf == nil {
				return
			}
			if a, err := netip.ParseAddr(p.Conf.NeighborAddress); err == nil {
				peers[a] = p
			}
		})
	}

	out := make([]SessionState, 0, len(desired))
	for _, ss := range desired {
		st := SessionState{
			PeerAddress: ss.PeerAddress,
			PeerASN:     ss.PeerASN,
			State:       "idle",
			HoldTime:    ss.HoldTime,
			Keepalive:   ss.Keepalive,
			MED:         ss.MED,
			Prepend:     ss.Prepend,
			LinkState:   "disabled",
		}
		if p := peers[ss.PeerAddress]; p != nil {
			fillPeerState(&st, p)
		}
		if in != nil && in.prober != nil {
			ls, since := in.prober.state(linkKey{ss.LocalAddress, ss.PeerAddress})
			st.LinkAlive, st.LinkState = ls == linkUp, ls.String()
			if ls == linkDown && peers[ss.PeerAddress] == nil {
				st.Since = since // removed from GoBGP because the link died
			}
		}
		out = append(out, st)
	}
	return out
}

func fillPeerState(st *SessionState, p *api.Peer) {
	if p.State != nil {
		st.State = strings.ToLower(strings.TrimPrefix(p.State.SessionState.String(), "SESSION_STATE_"))
	}
	established := p.State != nil && p.State.SessionState == api.PeerState_SESSION_STATE_ESTABLISHED
	if t := p.Timers.GetState(); t != nil {
		ts := t.Downtime
		if established {
			ts = t.Uptime
			if t.NegotiatedHoldTime > 0 {
				st.HoldTime = time.Duration(t.NegotiatedHoldTime) * time.Second
			}
			if t.KeepaliveInterval > 0 {
				st.Keepalive = time.Duration(t.KeepaliveInterval) * time.Second
			}
		}
		if ts != nil && ts.GetSeconds() > 0 {
			st.Since = ts.AsTime()
		}
	}
	for _, af := range p.AfiSafis {
		if a := af.GetState(); a != nil {
			st.Received += int(a.Received)
			st.Accepted += int(a.Accepted)
		}
	}
}

// routeLoop recomputes the best routes on every best-path or peer event (and
// every resyncInterval) and pushes them to the RouteTable: event to kernel is
// one ListPath plus the netlink calls for what changed.
//
// A fresh instance leaves the kernel alone until its sessions are applied and
// established (or startupGrace passed), so a restart does not withdraw every
// route while sessions come back.
func (s *Speaker) routeLoop(in *instance) {
	defer in.wg.Done()
	t := time.NewTicker(resyncInterval)
	defer t.Stop()
	var last []Route
	dirty, synced := true, false
	lastErr := ""
	for {
		periodic := false
		select {
		case <-in.ctx.Done():
			return
		case <-in.kick:
		case <-t.C:
			periodic = true
		}
		routes, err := in.bestRoutes()
		if err != nil {
			if in.ctx.Err() == nil {
				in.log.Warn("list best paths", "err", err)
			}
			continue
		}
		if !slices.EqualFunc(routes, last, Route.equal) || last == nil {
			last = routes
			dirty = true
			s.best.Store(&routes)
		}
		rt := in.opts.Routes
		if rt == nil || !(dirty || periodic) || (!synced && !in.ready()) {
			continue
		}
		if err := rt.Sync(routes); err != nil {
			if msg := err.Error(); msg != lastErr {
				lastErr = msg
				in.log.Warn("install routes", "err", err)
			}
			continue // dirty stays set: retried on the next event or tick
		}
		lastErr = ""
		dirty, synced = false, true
	}
}

// ready reports whether a fresh instance may start changing the kernel table.
func (in *instance) ready() bool {
	if time.Since(in.start) > startupGrace {
		return true
	}
	if !in.applied.Load() {
		return false
	}
	all := true
	_ = in.srv.ListPeer(in.ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		if p.State == nil || p.State.SessionState != api.PeerState_SESSION_STATE_ESTABLISHED {
			all = false
		}
	})
	return all
}

// bestRoutes lists the best IPv4 paths that were learned from a session.
func (in *instance) bestRoutes() ([]Route, error) {
	devs := *in.devices.Load()
	out := []Route{}
	err := in.srv.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_GLOBAL, Family: bgp.RF_IPv4_UC}, func(n bgp.NLRI, paths []*apiutil.Path) {
		for _, p := range paths {
			if !p.Best {
				continue
			}
			dev, ours := devs[p.PeerAddress] // local paths have no session
			pfx, ok := n.(*bgp.IPAddrPrefix)
			if !ours || !ok || p.Withdrawal || p.IsNexthopInvalid {
				return
			}
			r := Route{Prefix: pfx.Prefix, Device: dev}
			for _, a := range p.Attrs {
				switch a := a.(type) {
				case *bgp.PathAttributeNextHop:
					r.NextHop = a.Value
				case *bgp.PathAttributeMpReachNLRI:
					r.NextHop = a.Nexthop
				case *bgp.PathAttributeAsPath:
					for _, seg := range a.Value {
						r.ASPath = append(r.ASPath, seg.GetAS()...)
					}
				}
			}
			if r.NextHop.IsValid() {
				out = append(out, r)
			}
			return
		}
	})
	slices.SortFunc(out, func(a, b Route) int {
		if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
			return c
		}
		return a.Prefix.Bits() - b.Prefix.Bits()
	})
	return out, err
}
