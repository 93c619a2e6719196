package bgp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/vishvananda/netlink"
)

// RouteTable is the kernel side of the speaker: Sync makes the installed set
// exactly routes (only ever touching its own routes), Flush removes them all.
type RouteTable interface {
	Sync(routes []Route) error
	Flush() error
}

// RouteProtocol marks every route crosslink installs (rtm_protocol; see
// "ip route show proto 201"). 201 is unassigned in iproute2's rt_protos.
const RouteProtocol netlink.RouteProtocol = 201

// RouteMetric is the metric of crosslink routes. Non-zero so an operator's
// route for the same prefix (metric 0 by default) coexists, wins, and is never
// replaced by ours: RouteReplace matches on prefix and metric, not protocol.
const RouteMetric = 20

// NetlinkRoutes installs routes in the main table with RouteProtocol.
type NetlinkRoutes struct {
	mu sync.Mutex
	h  *netlink.Handle
}

var _ RouteTable = (*NetlinkRoutes)(nil)

// NewNetlinkRoutes returns a RouteTable working through h, or the current
// network namespace when h is nil (tests pass netlink.NewHandleAt(ns)).
func NewNetlinkRoutes(h *netlink.Handle) *NetlinkRoutes {
	if h == nil {
		h = &netlink.Handle{} // the zero Handle is what netlink's package funcs use
	}
	return &NetlinkRoutes{h: h}
}

type routeKey struct {
	dst    netip.Prefix
	metric int
}

// Sync adds or replaces the given routes (gateway NextHop, out Device) and
// deletes every other route of ours. A route is only replaced when it differs,
// so the periodic resync costs one dump. Errors on single routes do not stop
// the others.
func (n *NetlinkRoutes) Sync(routes []Route) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	ours, theirs, err := n.list(wantsV6(routes))
	if err != nil {
		return err
	}
	var errs []error
	links := map[string]int{}
	want := map[routeKey]bool{}
	for _, r := range routes {
		nr, err := n.toNetlink(r, links)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		k := routeKey{r.Prefix.Masked(), RouteMetric}
		want[k] = true
		if t, ok := theirs[k]; ok {
			errs = append(errs, fmt.Errorf("route %s: a protocol %d route with metric %d exists, not touching it", k.dst, t.Protocol, RouteMetric))
			continue
		}
		if cur, ok := ours[k]; ok && cur.Gw.Equal(nr.Gw) && (nr.LinkIndex == 0 || cur.LinkIndex == nr.LinkIndex) {
			continue
		}
		if err := n.h.RouteReplace(nr); err != nil {
			errs = append(errs, fmt.Errorf("route %s via %s dev %q: %w", r.Prefix, r.NextHop, r.Device, err))
		}
	}
	for k, cur := range ours {
		if !want[k] {
			if err := n.h.RouteDel(&cur); err != nil {
				errs = append(errs, fmt.Errorf("delete route %s: %w", k.dst, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Flush deletes every route with RouteProtocol from the main table.
func (n *NetlinkRoutes) Flush() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	ours, _, err := n.list(false)
	if err != nil {
		return err
	}
	var errs []error
	for k, r := range ours {
		if err := n.h.RouteDel(&r); err != nil {
			errs = append(errs, fmt.Errorf("delete route %s: %w", k.dst, err))
		}
	}
	return errors.Join(errs...)
}

func wantsV6(routes []Route) bool {
	for _, r := range routes {
		if r.Prefix.Addr().Is6() {
			return true
		}
	}
	return false
}

func (n *NetlinkRoutes) toNetlink(r Route, links map[string]int) (*netlink.Route, error) {
	if !r.Prefix.IsValid() || !r.NextHop.IsValid() || r.Prefix.Addr().Is4() != r.NextHop.Is4() {
		return nil, fmt.Errorf("route %s via %s: invalid prefix or next hop", r.Prefix, r.NextHop)
	}
	p := r.Prefix.Masked()
	nr := &netlink.Route{
		Dst:      &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())},
		Gw:       r.NextHop.AsSlice(),
		Protocol: RouteProtocol,
		Priority: RouteMetric,
	}
	if r.Device != "" {
		idx, ok := links[r.Device]
		if !ok {
			l, err := n.h.LinkByName(r.Device)
			if err != nil {
				return nil, fmt.Errorf("route %s: device %q: %w", r.Prefix, r.Device, err)
			}
			idx = l.Attrs().Index
			links[r.Device] = idx
		}
		nr.LinkIndex = idx
		// The gateway is the far end of a point-to-point link: on-link by
		// definition, whether or not the /30 is configured yet.
		nr.Flags = int(netlink.FLAG_ONLINK)
	}
	return nr, nil
}

// list returns the main table's routes, split into ours and others. IPv6 is
// listed best-effort unless required (hosts may have IPv6 disabled).
func (n *NetlinkRoutes) list(needV6 bool) (ours, theirs map[routeKey]netlink.Route, err error) {
	ours, theirs = map[routeKey]netlink.Route{}, map[routeKey]netlink.Route{}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		var rs []netlink.Route
		var err error
		for range 3 { // a dump interrupted by a concurrent change is retried
			if rs, err = n.h.RouteListFiltered(fam, &netlink.Route{}, 0); !errors.Is(err, netlink.ErrDumpInterrupted) {
				break
			}
		}
		if err != nil {
			if fam == netlink.FAMILY_V6 && !needV6 {
				continue
			}
			return nil, nil, fmt.Errorf("list routes: %w", err)
		}
		for _, r := range rs {
			k := routeKey{dstPrefix(r.Dst, fam), r.Priority}
			if r.Protocol == RouteProtocol {
				ours[k] = r
			} else {
				theirs[k] = r
			}
		}
	}
	return ours, theirs, nil
}

func dstPrefix(dst *net.IPNet, fam int) netip.Prefix {
	if dst == nil { // default route
		if fam == netlink.FAMILY_V6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	a, _ := netip.AddrFromSlice(dst.IP)
	ones, _ := dst.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones)
}
