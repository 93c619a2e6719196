package routing

import (
	"net/netip"
	"slices"
)

// routes lists, for every site and every other site's prefixes, an entry
// per tunnel the site sends on: priority 0 for the tunnels of its chosen
// routes (several with ECMP, or where its router picks one), 1 for those
// it moves to once they are down (at most MaxPaths each; the pair's
// Forwarding counts what is left out). The next hop is the peer's inside
// address on that tunnel. Sorted by (Site, Dest, Priority, Tunnel key,
// Prefix).
func (g *graph) routes(ft *fwdTable) []Route {
	n := int32(len(g.sites))
	prefixes := make([][]netip.Prefix, n)
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
	count := 0
	for a := int32(0); a < n; a++ {
		for d := int32(0); d < n; d++ {
			i := int(a)*ft.n + int(d)
			count += (min(len(ft.prim[i].first), MaxPaths) + min(len(ft.back[i].first), MaxPaths)) * len(prefixes[d])
		}
	}
	out := make([]Route, 0, count)
	for a := int32(0); a < n; a++ {
		for d := int32(0); d < n; d++ {
			i := int(a)*ft.n + int(d)
			for prio, ts := range [2][]int32{ft.prim[i].first, ft.back[i].first} {
				for _, t := range ts[:min(len(ts), MaxPaths)] { // in id order: key order
					tun := &g.tunnels[t]
					_, hop := tun.peer(a)
					for _, p := range prefixes[d] {
						out = append(out, Route{
							Site: g.sites[a].name, Prefix: p, Tunnel: tun.key,
							NextHop: hop, Priority: prio, Dest: g.sites[d].name,
						})
					}
				}
			}
		}
	}
	return out
}
