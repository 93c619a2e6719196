package bgp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"github.com/osrg/gobgp/v4/pkg/server"
)

const (
	defaultPort            = 179
	defaultProbePort       = 3784
	defaultProbeInterval   = 200 * time.Millisecond
	defaultProbeMultiplier = 5
	// connectRetry is GoBGP's ConnectRetry in seconds (it enforces >= 2).
	connectRetry = 1
	// resyncInterval re-pushes the best routes so a route the kernel dropped
	// (device down/up) comes back.
	resyncInterval = 2 * time.Second
	// startupGrace bounds how long a new server leaves the kernel table alone
	// while its sessions come up (see routeLoop).
	startupGrace = 10 * time.Second
	opTimeout    = 10 * time.Second
	// stuckAfter resets a peer that has been opening (OPENSENT/OPENCONFIRM)
	// that long.
	stuckAfter = 15 * time.Second
)

// ErrClosed is returned by operations on a closed Speaker.
var ErrClosed = errors.New("bgp: speaker closed")

// ErrASNMismatch is returned by Apply when a session expects another local
// ASN than the running server's; Restart the speaker with the new ASN.
var ErrASNMismatch = errors.New("bgp: session local ASN differs from the speaker's")

// Options configure a Speaker. Changing any of them needs Restart.
type Options struct {
	RouterID        netip.Addr // IPv4; required
	ASN             uint32     // this site's AS; required
	ListenAddresses []string   // BGP listen addresses; default ["0.0.0.0"]
	Port            int        // BGP port, listened on and dialled; default 179
	Routes          RouteTable // where best paths go; nil = don't install
	Logger          *slog.Logger
	// ProbePort is the liveness probe UDP port: 0 means 3784, -1 disables
	// probing (failover then waits for the BGP hold time).
	ProbePort       int
	ProbeInterval   time.Duration // default 200ms
	ProbeMultiplier int           // missed intervals before a link is down; default 5
}

func (o Options) withDefaults() (Options, error) {
	if !o.RouterID.Is4() {
		return o, fmt.Errorf("bgp: router ID %v is not an IPv4 address", o.RouterID)
	}
	if o.ASN == 0 {
		return o, errors.New("bgp: ASN is required")
	}
	if len(o.ListenAddresses) == 0 {
		o.ListenAddresses = []string{"0.0.0.0"}
	}
	if o.Port <= 0 {
		o.Port = defaultPort
	}
	if o.Port > math.MaxUint16 {
		return o, fmt.Errorf("bgp: port %d out of range", o.Port)
	}
	switch {
	case o.ProbePort == 0:
		o.ProbePort = defaultProbePort
	case o.ProbePort < -1 || o.ProbePort > math.MaxUint16:
		return o, fmt.Errorf("bgp: probe port %d out of range", o.ProbePort)
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = defaultProbeInterval
	}
	if o.ProbeMultiplier <= 0 {
		o.ProbeMultiplier = defaultProbeMultiplier
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Session is one eBGP session over one link.
type Session struct {
	LocalAddress, PeerAddress netip.Addr // IPv4 link addresses; required
	PeerASN                   uint32
	// LocalASN, when set, must equal Options.ASN (else ErrASNMismatch).
	LocalASN uint32
	Announce []netip.Prefix // this site's own prefixes (the union over sessions is announced once)
	MED      uint32         // MED on everything we send on this session
	Prepend  int            // times our ASN is prepended on everything we send on it (0..255)
	// HoldTime and Keepalive are rounded up to whole seconds; 0 = GoBGP's
	// defaults (90s, hold/3).
	HoldTime, Keepalive time.Duration
	Device              string // the link device; learned routes go out of it
}

// peerConfig is what GoBGP holds for a peer; a change means delete + add.
type peerConfig struct {
	local     netip.Addr
	peerASN   uint32
	hold      uint64
	keepalive uint64
}

func (s Session) peerConfig() peerConfig {
	return peerConfig{s.LocalAddress, s.PeerASN, seconds(s.HoldTime), seconds(s.Keepalive)}
}

func seconds(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64((d + time.Second - 1) / time.Second)
}

func (s Session) validate(asn uint32) error {
	switch {
	case !s.PeerAddress.Is4() || !s.LocalAddress.Is4():
		return fmt.Errorf("bgp: session %v-%v: local and peer address must be IPv4", s.LocalAddress, s.PeerAddress)
	case s.LocalASN != 0 && s.LocalASN != asn:
		return fmt.Errorf("%w: session %v wants %d, running %d", ErrASNMismatch, s.PeerAddress, s.LocalASN, asn)
	case s.PeerASN == 0 || s.PeerASN == asn:
		return fmt.Errorf("bgp: session %v: peer ASN %d must be set and differ from ours (eBGP only)", s.PeerAddress, s.PeerASN)
	case s.Prepend < 0 || s.Prepend > maxPrepend:
		return fmt.Errorf("bgp: session %v: prepend %d out of range 0..%d", s.PeerAddress, s.Prepend, maxPrepend)
	}
	return nil
}

// Speaker is the embedded BGP speaker of a site. It is safe for concurrent use.
type Speaker struct {
	opMu sync.Mutex // serialises Apply, Restart and Close

	mu      sync.Mutex // guards the fields below; held across GoBGP config calls
	opts    Options
	inst    *instance
	desired map[netip.Addr]Session
	closed  bool

	best atomic.Pointer[[]Route]
}

// instance is one running GoBGP server with its prober and goroutines.
type instance struct {
	opts   Options
	log    *slog.Logger
	srv    *server.BgpServer
	prober *prober // nil when probing is disabled
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	kick   chan struct{} // recompute best routes
	links  chan struct{} // a probed link changed state (or peers need a sync)
	start  time.Time
	// applied is set once the instance got its sessions (routeLoop waits
	// for it before touching the kernel).
	applied atomic.Bool

	// guarded by Speaker.mu
	configured map[netip.Addr]peerConfig // peers present in GoBGP
	announced  map[netip.Prefix]bool
	skipped    map[netip.Prefix]bool // non-IPv4 prefixes already warned about
	policyFP   string
	rules      map[netip.Addr]exportRule             // as last set in GoBGP
	devices    atomic.Pointer[map[netip.Addr]string] // peer -> device, read by routeLoop
}

// New starts a speaker with no sessions.
func New(o Options) (*Speaker, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Speaker{opts: o, desired: map[netip.Addr]Session{}}
	empty := []Route{}
	s.best.Store(&empty)
	inst, err := s.startInstance(o)
	if err != nil {
		return nil, err
	}
	s.inst = inst
	return s, nil
}

// Restart replaces the GoBGP server (and prober) with one built from o, then
// re-applies the last sessions. Use it when the site's ASN, router ID or
// ports change (New/Close would also do, but would withdraw every kernel
// route in between). Sessions reset; installed routes are left alone until
// the new sessions are up (or startupGrace passes). Sessions whose LocalASN
// disagrees with the new ASN are dropped; the next Apply sets them. If
// o.Routes is a different table, the old one is not flushed.
func (s *Speaker) Restart(o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	old := s.inst
	s.inst = nil
	s.mu.Unlock()
	if old != nil {
		old.stop()
	}
	inst, err := s.startInstance(o)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = o
	if err != nil {
		return err
	}
	s.inst = inst
	for k, ss := range s.desired {
		if ss.validate(o.ASN) != nil {
			delete(s.desired, k)
		}
	}
	return s.applyLocked(context.Background())
}

// Close stops GoBGP and the prober and deletes every installed route.
func (s *Speaker) Close() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	inst := s.inst
	s.inst = nil
	s.mu.Unlock()
	if inst != nil {
		inst.stop()
	}
	empty := []Route{}
	s.best.Store(&empty)
	if s.opts.Routes != nil {
		return s.opts.Routes.Flush()
	}
	return nil
}

// Apply converges the speaker to exactly these sessions: peers, export
// policy and announced prefixes. It is idempotent and only calls GoBGP for
// what changed. All sessions are validated first; a session whose LocalASN
// differs from Options.ASN fails the whole call with ErrASNMismatch.
func (s *Speaker) Apply(ctx context.Context, sessions []Session) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	desired := make(map[netip.Addr]Session, len(sessions))
	for _, ss := range sessions {
		if err := ss.validate(s.opts.ASN); err != nil {
			return err
		}
		if _, dup := desired[ss.PeerAddress]; dup {
			return fmt.Errorf("bgp: two sessions with peer %v", ss.PeerAddress)
		}
		ss.Announce = slices.Clone(ss.Announce)
		desired[ss.PeerAddress] = ss
	}
	s.desired = desired
	if s.inst == nil {
		return errors.New("bgp: speaker not running (failed restart)")
	}
	return s.applyLocked(ctx)
}

// applyLocked pushes s.desired into the running instance.
func (s *Speaker) applyLocked(ctx context.Context) error {
	in := s.inst
	var errs []error

	devices := make(map[netip.Addr]string, len(s.desired))
	var keys []linkKey
	for k, ss := range s.desired {
		devices[k] = ss.Device
		keys = append(keys, linkKey{ss.LocalAddress, k})
	}
	in.devices.Store(&devices)
	if in.prober != nil {
		in.prober.setLinks(keys) // before syncPeers: new links start "unknown"
	}

	// Export policy first so new peers never see unshaped routes.
	rules := exportRules(s.desired)
	var resetOut []netip.Addr
	if fp := policyFingerprint(in.opts.ASN, rules); fp != in.policyFP {
		if err := in.srv.SetPolicies(ctx, exportPolicy(in.opts.ASN, rules)); err != nil {
			errs = append(errs, fmt.Errorf("bgp: set export policy: %w", err))
		} else {
			in.policyFP = fp
			// Re-send only to peers whose own MED/prepend changed: a rule
			// shapes what goes to its peer alone, and resetting every peer
			// for each new session made a big apply quadratic.
			now := make(map[netip.Addr]exportRule, len(rules))
			for _, r := range rules {
				now[r.peer] = r
				if old, ok := in.rules[r.peer]; ok && old != r {
					resetOut = append(resetOut, r.peer)
				}
			}
			in.rules = now
		}
	}

	errs = append(errs, s.syncPeersLocked(ctx))

	for _, k := range resetOut {
		if _, ok := in.configured[k]; !ok {
			continue
		}
		err := in.srv.ResetPeer(ctx, &api.ResetPeerRequest{Address: k.String(), Soft: true, Direction: api.ResetPeerRequest_DIRECTION_OUT})
		if err != nil {
			errs = append(errs, fmt.Errorf("bgp: soft reset %v: %w", k, err))
		}
	}

	errs = append(errs, s.syncAnnouncedLocked())
	in.applied.Store(true)
	in.kickRoutes()
	return errors.Join(errs...)
}

// syncPeersLocked makes GoBGP's peers the desired sessions whose link is not
// down. A down link's peer is deleted rather than disabled: DeletePeer drops
// its paths synchronously, while DisablePeer is an asynchronous, droppable
// request and leaves the FSM in a 5s idle hold when re-enabled; a re-added
// peer dials at once.
func (s *Speaker) syncPeersLocked(ctx context.Context) error {
	in := s.inst
	var errs []error
	want := map[netip.Addr]Session{}
	for k, ss := range s.desired {
		if in.prober != nil {
			if st, _ := in.prober.state(linkKey{ss.LocalAddress, k}); st == linkDown {
				continue
			}
		}
		want[k] = ss
	}
	for k, pc := range in.configured {
		if ss, ok := want[k]; ok && ss.peerConfig() == pc {
			continue
		}
		if err := in.srv.DeletePeer(ctx, &api.DeletePeerRequest{Address: k.String()}); err != nil {
			errs = append(errs, fmt.Errorf("bgp: delete peer %v: %w", k, err))
			continue
		}
		delete(in.configured, k)
		in.log.Info("peer removed", "peer", k)
	}
	for k, ss := range want {
		if _, ok := in.configured[k]; ok {
			continue
		}
		if err := in.srv.AddPeer(ctx, &api.AddPeerRequest{Peer: in.apiPeer(ss)}); err != nil {
			errs = append(errs, fmt.Errorf("bgp: add peer %v: %w", k, err))
			continue
		}
		in.configured[k] = ss.peerConfig()
		in.log.Info("peer added", "peer", k, "asn", ss.PeerASN)
	}
	return errors.Join(errs...)
}

func (in *instance) apiPeer(ss Session) *api.Peer {
	pc := ss.peerConfig()
	return &api.Peer{
		Conf: &api.PeerConf{
			NeighborAddress: ss.PeerAddress.String(),
			PeerAsn:         ss.PeerASN,
		},
		Timers: &api.Timers{Config: &api.TimersConfig{
			ConnectRetry:      connectRetry,
			HoldTime:          pc.hold,
			KeepaliveInterval: pc.keepalive,
		}},
		Transport: &api.Transport{
			LocalAddress: ss.LocalAddress.String(),
			RemotePort:   uint32(in.opts.Port),
			// Only the end with the lower address dials. When both dial at
			// once, GoBGP 4.8.0 can pick crossed connections on the two ends
			// and leave both FSMs in OPENCONFIRM for good (no hold timer
			// runs there before the first session); seen in tests.
			PassiveMode: ss.LocalAddress.Compare(ss.PeerAddress) > 0,
		},
	}
}

// syncAnnouncedLocked announces the union of Announce, once, and withdraws
// what is no longer in it.
func (s *Speaker) syncAnnouncedLocked() error {
	in := s.inst
	want := map[netip.Prefix]bool{}
	for _, ss := range s.desired {
		for _, p := range ss.Announce {
			if !p.IsValid() || !p.Addr().Is4() {
				if !in.skipped[p] { // once per instance, Apply may run often
					in.skipped[p] = true
					in.log.Warn("not announcing a non-IPv4 prefix", "prefix", p)
				}
				continue
			}
			want[p.Masked()] = true
		}
	}
	var errs []error
	for p := range in.announced {
		if want[p] {
			continue
		}
		if err := in.srv.DeletePath(apiutil.DeletePathRequest{Paths: []*apiutil.Path{localPath(p)}}); err != nil {
			errs = append(errs, fmt.Errorf("bgp: withdraw %v: %w", p, err))
			continue
		}
		delete(in.announced, p)
	}
	var add []*apiutil.Path
	var addP []netip.Prefix
	for p := range want {
		if !in.announced[p] {
			add = append(add, localPath(p))
			addP = append(addP, p)
		}
	}
	if len(add) > 0 {
		resp, err := in.srv.AddPath(apiutil.AddPathRequest{Paths: add})
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("bgp: announce: %w", err))...)
		}
		for i, p := range addP {
			if i < len(resp) && resp[i].Error != nil {
				errs = append(errs, fmt.Errorf("bgp: announce %v: %w", p, resp[i].Error))
				continue
			}
			in.announced[p] = true
		}
	}
	return errors.Join(errs...)
}

// localPath is an originated IPv4 prefix. Next hop 0.0.0.0 makes GoBGP send
// the session's local address.
func localPath(p netip.Prefix) *apiutil.Path {
	nlri, _ := bgp.NewIPAddrPrefix(p)
	nh, _ := bgp.NewPathAttributeNextHop(netip.IPv4Unspecified())
	return &apiutil.Path{
		Family: bgp.RF_IPv4_UC,
		Nlri:   nlri,
		Attrs:  []bgp.PathAttributeInterface{bgp.NewPathAttributeOrigin(bgp.BGP_ORIGIN_ATTR_TYPE_IGP), nh},
	}
}

// startInstance starts GoBGP (always-compare-med), the export policy, the
// best-path watch, the route loop and the prober.
func (s *Speaker) startInstance(o Options) (*instance, error) {
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{
		opts:       o,
		log:        o.Logger,
		ctx:        ctx,
		cancel:     cancel,
		kick:       make(chan struct{}, 1),
		links:      make(chan struct{}, 1),
		start:      time.Now(),
		configured: map[netip.Addr]peerConfig{},
		announced:  map[netip.Prefix]bool{},
		skipped:    map[netip.Prefix]bool{},
	}
	devices := map[netip.Addr]string{}
	in.devices.Store(&devices)
	in.srv = server.NewBgpServer(server.LoggerOption(o.Logger.With("component", "gobgp"), nil))
	go in.srv.Serve()

	octx, ocancel := context.WithTimeout(ctx, opTimeout)
	defer ocancel()
	err := in.srv.StartBgp(octx, &api.StartBgpRequest{Global: &api.Global{
		Asn:             o.ASN,
		RouterId:        o.RouterID.String(),
		ListenPort:      int32(o.Port),
		ListenAddresses: o.ListenAddresses,
		// Compare MED across neighbouring ASes: the planner's per-session
		// MED then decides between equally long paths via different sites.
		RouteSelectionOptions: &api.RouteSelectionOptionsConfig{AlwaysCompareMed: true},
	}})
	if err == nil {
		err = installExportPolicy(octx, in.srv)
	}
	if err == nil {
		err = in.srv.WatchEvent(ctx, server.WatchEventMessageCallbacks{
			OnBestPath:   func([]*apiutil.Path, time.Time) { in.kickRoutes() },
			OnPeerUpdate: func(*apiutil.WatchEventMessage_PeerEvent, time.Time) { in.kickRoutes() },
		}, server.WatchBestPath(true), server.WatchPeer())
	}
	if err != nil {
		cancel()
		in.srv.Stop()
		return nil, fmt.Errorf("bgp: start: %w", err)
	}
	if o.ProbePort > 0 {
		in.prober = newProber(o.ProbePort, o.ProbeInterval, o.ProbeMultiplier, o.Logger.With("component", "probe"), in.kickLinks)
	}
	in.wg.Add(2)
	go s.peerLoop(in)
	go s.routeLoop(in)
	return in, nil
}

func (in *instance) kickRoutes() {
	select {
	case in.kick <- struct{}{}:
	default:
	}
}

func (in *instance) kickLinks() {
	select {
	case in.links <- struct{}{}:
	default:
	}
}

// stop tears the instance down; the caller must not hold Speaker.mu (the
// instance's goroutines take it).
func (in *instance) stop() {
	in.cancel()
	if in.prober != nil {
		in.prober.close()
	}
	in.wg.Wait()
	in.srv.Stop()
}

// peerLoop applies link state changes to GoBGP's peers, and resets peers
// stuck opening (see unstick).
func (s *Speaker) peerLoop(in *instance) {
	defer in.wg.Done()
	t := time.NewTicker(resyncInterval)
	defer t.Stop()
	opening := map[netip.Addr]time.Time{}
	for {
		var stuck []netip.Addr
		select {
		case <-in.ctx.Done():
			return
		case <-in.links:
		case now := <-t.C:
			stuck = in.stuckPeers(opening, now)
		}
		s.mu.Lock()
		if s.inst == in && in.ctx.Err() == nil {
			for _, k := range stuck {
				// Deleted here, re-added by syncPeersLocked with a fresh FSM.
				in.log.Warn("peer stuck opening, resetting it", "peer", k)
				if err := in.srv.DeletePeer(in.ctx, &api.DeletePeerRequest{Address: k.String()}); err == nil {
					delete(in.configured, k)
				}
			}
			if err := s.syncPeersLocked(in.ctx); err != nil {
				in.log.Warn("peer sync", "err", err)
			}
		}
		s.mu.Unlock()
	}
}

// stuckPeers returns the peers that have been in OPENSENT or OPENCONFIRM for
// longer than stuckAfter. Such a session is normally through in
// milliseconds; GoBGP runs no hold timer in OPENCONFIRM before a peer's
// first session, so a lost KEEPALIVE would otherwise wedge it forever.
func (in *instance) stuckPeers(opening map[netip.Addr]time.Time, now time.Time) []netip.Addr {
	seen := map[netip.Addr]bool{}
	var stuck []netip.Addr
	_ = in.srv.ListPeer(in.ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		a, err := netip.ParseAddr(p.GetConf().GetNeighborAddress())
		st := p.GetState().GetSessionState()
		if err != nil || (st != api.PeerState_SESSION_STATE_OPENSENT && st != api.PeerState_SESSION_STATE_OPENCONFIRM) {
			return
		}
		seen[a] = true
		if since, ok := opening[a]; !ok {
			opening[a] = now
		} else if now.Sub(since) > stuckAfter {
			stuck = append(stuck, a)
			delete(opening, a)
		}
	})
	for a := range opening {
		if !seen[a] {
			delete(opening, a)
		}
	}
	return stuck
}
