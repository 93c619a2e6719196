package routing

import (
	"net/netip"
	"slices"
)

// routes lists, for every site and every other site's prefixes, one entry
// per planned path: priority 0 over the primary's first tunnel, then the
// backups' first tunnels, best first. The next hop is the peer's inside
// address on that tunnel. Sorted by (Site, Dest, Priority, Prefix).
func (g *graph) routes(pt *pairTable) []Route {
	n := int32(len(g.sites))
	prefixes := make([][]netip.Prefix, n)
	count := 0
	for d := range g.sites {
		ps := slices.Clone(g.sites[d].prefixes)
		slices.SortFunc(ps, func(x, y netip.Prefix) int {
			if c := x.Addr().Compare(y.Addr()); c != 0 {
				return c
			}
			return x.Bits() - y.Bits()
		})
		prefixes[d] = ps
	}
	for a := int32(0); a < n; a++ {
		for d := int32(0); d < n; d++ {
			ps, _ := pt.get2(a, d)
			count += len(ps) * len(prefixes[d])
		}
	}
	out := make([]Route, 0, count)
	for a := int32(0); a < n; a++ {
		for d := int32(0); d < n; d++ {
			ps, rev := pt.get2(a, d)
			for k := range ps {
				t, _ := firstHop(&ps[k], rev)
				tun := &g.tunnels[t]
				_, hop := tun.peer(a)
				for _, p := range prefixes[d] {
					out = append(out, Route{
						Site: g.sites[a].name, Prefix: p, Tunnel: tun.key,
						NextHop: hop, Priority: k, Dest: g.sites[d].name,
					})
				}
			}
		}
	}
	return out
}
