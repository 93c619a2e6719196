package fabric

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"sync"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// End is one half of a tunnel as one cloud's configuration describes it.
// Zero values mean "not configured" (no BGP session yet, for instance).
type End struct {
	// ID names the half for its front-end (e.g. "vpn-0abc#1", a GCP tunnel's
	// self link); it is the key of Evaluate's result.
	ID string
	// Up is false while the holding resource is not ready (pending,
	// provisioning); such a half never negotiates.
	Up                bool
	LocalIP, RemoteIP netip.Addr // outside addresses
	PSK               string
	// Inside is the /30 the BGP session runs in; LocalInside and
	// RemoteInside the addresses this half uses and expects.
	Inside                    netip.Prefix
	LocalInside, RemoteInside netip.Addr
	LocalASN, RemoteASN       uint32
	// Routes are the prefixes this half's router announces of its own
	// over BGP.
	Routes []netip.Prefix
	// Router names the BGP speaker the half belongs to (a gateway, a
	// Cloud Router); halves of one router share what it learns.
	Router string
	// Transit: the router re-advertises what it learns on one session to
	// its others (AWS gateways do; a GCP Cloud Router does not).
	Transit bool
}

// Status is what one half would see.
type Status struct {
	IKE      bool   // the IPsec tunnel is established
	BGP      bool   // the BGP session over it is established
	Reason   string // why not, when either is false
	PeerID   string // the matching half, when one was found
	Received []netip.Prefix
}

// Source lists the tunnel halves one front-end holds, reading the store
// through v (the store is locked: Source must not call the Store).
type Source func(v store.View) []End

// Fabric joins the sources of every front-end sharing a store.
type Fabric struct {
	mu      sync.Mutex
	sources []Source
}

// New returns an empty fabric.
func New() *Fabric { return &Fabric{} }

// Register adds a front-end's source.
func (f *Fabric) Register(s Source) {
	f.mu.Lock()
	f.sources = append(f.sources, s)
	f.mu.Unlock()
}

// Snapshot evaluates every half in one consistent read of st.
func (f *Fabric) Snapshot(st *store.Store) map[string]Status {
	f.mu.Lock()
	srcs := append([]Source(nil), f.sources...)
	f.mu.Unlock()
	var ends []End
	st.Read(func(v store.View) {
		for _, s := range srcs {
			ends = append(ends, s(v)...)
		}
	})
	return Evaluate(ends)
}

// EvaluateView evaluates every half as v holds them, for a front-end that
// is already inside a store read.
func (f *Fabric) EvaluateView(v store.View) map[string]Status {
	f.mu.Lock()
	srcs := append([]Source(nil), f.sources...)
	f.mu.Unlock()
	var ends []End
	for _, s := range srcs {
		ends = append(ends, s(v)...)
	}
	return Evaluate(ends)
}

// Evaluate pairs halves by outside addresses and checks them. A half whose
// address pair is claimed by more than one half is down: real gateways
// would see two tunnels fight over one IKE association.
func Evaluate(ends []End) map[string]Status {
	type pair struct{ local, remote netip.Addr }
	by := map[pair][]int{}
	for i, e := range ends {
		by[pair{e.LocalIP, e.RemoteIP}] = append(by[pair{e.LocalIP, e.RemoteIP}], i)
	}
	out := make(map[string]Status, len(ends))
	for _, e := range ends {
		out[e.ID] = evaluate(e, ends, by[pair{e.LocalIP, e.RemoteIP}], by[pair{e.RemoteIP, e.LocalIP}])
	}
	propagate(ends, out)
	return out
}

// propagate fills Received over every established session: the peer's
// router announces its own prefixes and, if it transits, the best (shortest
// AS path) of what it learned on its other sessions, never a route whose
// AS path holds the receiver's ASN (BGP loop prevention). Rounds run until
// nothing changes, as path-vector routing converges.
func propagate(ends []End, out map[string]Status) {
	byID := make(map[string]int, len(ends))
	for i, e := range ends {
		byID[e.ID] = i
	}
	own := map[string]map[netip.Prefix]bool{}
	asn := map[string]uint32{}
	transit := map[string]bool{}
	type session struct{ half, peer int }
	var sessions []session
	for i, e := range ends {
		if e.Router == "" {
			continue
		}
		if own[e.Router] == nil {
			own[e.Router] = map[netip.Prefix]bool{}
		}
		for _, p := range e.Routes {
			own[e.Router][p] = true
		}
		asn[e.Router], transit[e.Router] = e.LocalASN, e.Transit
		if st := out[e.ID]; st.BGP {
			if j, ok := byID[st.PeerID]; ok && ends[j].Router != "" {
				sessions = append(sessions, session{i, j})
			}
		}
	}
	// learned[router][prefix] is the best AS path (nearest AS first).
	learned := map[string]map[netip.Prefix][]uint32{}
	advertised := func(p End, to uint32) map[netip.Prefix][]uint32 {
		adv := map[netip.Prefix][]uint32{}
		for pfx := range own[p.Router] {
			adv[pfx] = []uint32{asn[p.Router]}
		}
		if transit[p.Router] {
			for pfx, path := range learned[p.Router] {
				if _, mine := adv[pfx]; mine || slices.Contains(path, to) {
					continue
				}
				adv[pfx] = append([]uint32{asn[p.Router]}, path...)
			}
		}
		for pfx, path := range adv {
			if slices.Contains(path[1:], to) {
				delete(adv, pfx)
			}
		}
		return adv
	}
	for round := 0; round <= len(own)+1; round++ {
		changed := false
		for _, s := range sessions {
			e, p := ends[s.half], ends[s.peer]
			if learned[e.Router] == nil {
				learned[e.Router] = map[netip.Prefix][]uint32{}
			}
			for pfx, path := range advertised(p, e.LocalASN) {
				if own[e.Router][pfx] || slices.Contains(path, e.LocalASN) {
					continue
				}
				if cur, ok := learned[e.Router][pfx]; !ok || len(path) < len(cur) {
					learned[e.Router][pfx] = path
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	for _, s := range sessions {
		e, p := ends[s.half], ends[s.peer]
		st := out[e.ID]
		st.Received = st.Received[:0]
		for pfx, path := range advertised(p, e.LocalASN) {
			if !own[e.Router][pfx] && !slices.Contains(path, e.LocalASN) {
				st.Received = append(st.Received, pfx)
			}
		}
		sort.Slice(st.Received, func(i, j int) bool { return st.Received[i].String() < st.Received[j].String() })
		out[e.ID] = st
	}
}

func evaluate(e End, ends []End, mine, theirs []int) Status {
	switch {
	case !e.Up:
		return Status{Reason: "the gateway is not ready"}
	case !e.LocalIP.IsValid() || !e.RemoteIP.IsValid():
		return Status{Reason: "no outside address configured"}
	case len(mine) > 1:
		return Status{Reason: fmt.Sprintf("%d tunnels claim %s to %s", len(mine), e.LocalIP, e.RemoteIP)}
	case len(theirs) == 0:
		return Status{Reason: fmt.Sprintf("no tunnel at %s answers %s", e.RemoteIP, e.LocalIP)}
	case len(theirs) > 1:
		return Status{Reason: fmt.Sprintf("%d tunnels at %s answer %s", len(theirs), e.RemoteIP, e.LocalIP)}
	}
	p := ends[theirs[0]]
	st := Status{PeerID: p.ID}
	switch {
	case !p.Up:
		st.Reason = "the peer gateway is not ready"
		return st
	case e.PSK == "" || p.PSK != e.PSK:
		st.Reason = "IKE authentication failed: the pre-shared keys differ"
		return st
	}
	st.IKE = true
	switch {
	case !e.LocalInside.IsValid() || !p.LocalInside.IsValid():
		st.Reason = "BGP is not configured on both sides"
	case !e.Inside.IsValid() || e.Inside != p.Inside:
		st.Reason = fmt.Sprintf("inside networks differ: %s here, %s at the peer", e.Inside, p.Inside)
	case e.RemoteInside != p.LocalInside || p.RemoteInside != e.LocalInside:
		st.Reason = fmt.Sprintf("inside addresses disagree: %s expects peer %s, the peer is %s and expects %s",
			e.LocalInside, e.RemoteInside, p.LocalInside, p.RemoteInside)
	case e.RemoteASN != p.LocalASN:
		st.Reason = fmt.Sprintf("BGP OPEN refused: peer ASN %d, expected %d", p.LocalASN, e.RemoteASN)
	case p.RemoteASN != e.LocalASN:
		st.Reason = fmt.Sprintf("BGP OPEN refused by the peer: it expects ASN %d, this side is %d", p.RemoteASN, e.LocalASN)
	default:
		st.BGP = true
		st.Received = append([]netip.Prefix(nil), p.Routes...)
		sort.Slice(st.Received, func(i, j int) bool { return st.Received[i].String() < st.Received[j].String() })
	}
	return st
}
