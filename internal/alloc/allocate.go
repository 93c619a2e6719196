package alloc

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Allocate computes the allocation of m. m is a mesh validation accepted;
// prev is the previous allocation (nil on the first plan), reconstructed
// from state. Whatever prev holds that is still valid is kept: a tunnel that
// exists in both keeps its inside /30, addresses and WireGuard device, and a
// site its ASN, so adding or removing a site never moves anything else.
// Invalid values in prev are ignored, never an error.
//
// The result does not depend on the order of sites, links or hubs in m.
func Allocate(m *topology.Mesh, prev *Allocation) (*Allocation, error) {
	if m == nil {
		return nil, errors.New("alloc: no mesh")
	}
	switch m.Topology {
	case topology.Full, topology.HubSpoke, topology.Links:
	default:
		return nil, fmt.Errorf("alloc: unknown topology %q", m.Topology)
	}

	// Sites in name order: all processing follows it.
	sites := slices.Clone(m.Sites)
	slices.SortFunc(sites, func(x, y topology.Site) int { return strings.Compare(x.Name, y.Name) })
	index := make(map[string]int, len(sites))
	for i, s := range sites {
		if i > 0 && sites[i-1].Name == s.Name {
			return nil, fmt.Errorf("alloc: site %q appears twice", s.Name)
		}
		switch s.Cloud {
		case topology.AWS, topology.GCP, topology.Azure, topology.Host:
		default:
			return nil, fmt.Errorf("alloc: site %q: unknown cloud %q", s.Name, s.Cloud)
		}
		index[s.Name] = i
	}

	adj := topology.Adjacencies(m)
	pairs := make([][2]int, len(adj))
	facesAWS := make([]bool, len(sites))
	ntun := 0
	for k, l := range adj {
		a, okA := index[l.A]
		b, okB := index[l.B]
		switch {
		case !okA || !okB:
			return nil, fmt.Errorf("alloc: link %s–%s names an unknown site", l.A, l.B)
		case a == b:
			return nil, fmt.Errorf("alloc: site %q is linked to itself", l.A)
		case k > 0 && adj[k-1].A == l.A && adj[k-1].B == l.B:
			return nil, fmt.Errorf("alloc: sites %q and %q are linked twice", l.A, l.B)
		}
		pairs[k] = [2]int{a, b}
		ca, cb := sites[a].Cloud, sites[b].Cloud
		facesAWS[a] = facesAWS[a] || cb == topology.AWS
		facesAWS[b] = facesAWS[b] || ca == topology.AWS
		lay, _, ok := layoutFor(ca, cb)
		if !ok {
			return nil, fmt.Errorf("alloc: sites %q and %q: no tunnel layout joins %s to %s", l.A, l.B, ca, cb)
		}
		switch l.Transport {
		case topology.IPsec:
		case topology.WireGuard:
			if ca != topology.Host || cb != topology.Host {
				return nil, fmt.Errorf("alloc: sites %q and %q: WireGuard joins hosts only (%s–%s)", l.A, l.B, ca, cb)
			}
		default:
			return nil, fmt.Errorf("alloc: sites %q and %q: unknown transport %q", l.A, l.B, l.Transport)
		}
		ntun += len(lay)
	}

	var prevASNs map[string]uint32
	if prev != nil {
		prevASNs = prev.ASNs
	}
	asns, err := allocateASNs(sites, facesAWS, prevASNs)
	if err != nil {
		return nil, err
	}

	// Every tunnel's key first, sorted: sticky and new tunnels are both
	// processed in key order. The tunnels themselves are built once, in that
	// order (they are large; 10⁴–10⁵ of them).
	type spec struct {
		key  string
		link int32
		n    int32
	}
	specs := make([]spec, 0, ntun)
	for k, l := range adj {
		lay, _, _ := layoutFor(sites[pairs[k][0]].Cloud, sites[pairs[k][1]].Cloud)
		prefix := l.A + "~" + l.B + "#"
		for n := range lay {
			specs = append(specs, spec{key: prefix + strconv.Itoa(n), link: int32(k), n: int32(n)})
		}
	}
	slices.SortFunc(specs, func(x, y spec) int { return strings.Compare(x.key, y.key) })
	tunnels := make([]Tunnel, len(specs))
	ends := make([][2]int, len(specs))
	for i, sp := range specs {
		if i > 0 && specs[i-1].key == sp.key {
			return nil, fmt.Errorf("alloc: tunnel key %q arises twice (do site names contain '~' or '#'?)", sp.key)
		}
		a, b := pairs[sp.link][0], pairs[sp.link][1]
		sa, sb := &sites[a], &sites[b]
		lay, swapped, _ := layoutFor(sa.Cloud, sb.Cloud)
		f := lay[sp.n]
		ai, ac, bi, bc := f.xIf, f.xConn, f.yIf, f.yConn
		if swapped {
			ai, ac, bi, bc = bi, bc, ai, ac
		}
		tunnels[i] = Tunnel{
			Key:       sp.key,
			A:         End{Site: sa.Name, Cloud: sa.Cloud, Interface: ai, Connection: ac, ASN: asns[a]},
			B:         End{Site: sb.Name, Cloud: sb.Cloud, Interface: bi, Connection: bc, ASN: asns[b]},
			Transport: adj[sp.link].Transport,
		}
		ends[i] = [2]int{a, b}
	}

	var prevTunnels []Tunnel
	if prev != nil {
		prevTunnels = prev.Tunnels
	}
	match := matchPrev(tunnels, prevTunnels)

	if err := assignInside(tunnels, ends, match, sites); err != nil {
		return nil, err
	}
	if err := assignWireGuard(tunnels, ends, match, sites); err != nil {
		return nil, err
	}

	out := &Allocation{ASNs: make(map[string]uint32, len(sites)), Tunnels: tunnels}
	for i, s := range sites {
		out.ASNs[s.Name] = asns[i]
	}
	return out, nil
}

// matchPrev returns, for each tunnel (sorted by key), the previous tunnel
// with the same key or nil. A merge of two sorted lists: no map of tens of
// thousands of keys. When prev holds a key twice, the first wins.
func matchPrev(tunnels, prev []Tunnel) []*Tunnel {
	match := make([]*Tunnel, len(tunnels))
	if len(prev) == 0 {
		return match
	}
	idx := make([]int32, len(prev))
	for i := range idx {
		idx[i] = int32(i)
	}
	if !slices.IsSortedFunc(prev, func(x, y Tunnel) int { return strings.Compare(x.Key, y.Key) }) {
		slices.SortStableFunc(idx, func(x, y int32) int { return strings.Compare(prev[x].Key, prev[y].Key) })
	}
	j := 0
	for i := range tunnels {
		for j < len(idx) && prev[idx[j]].Key < tunnels[i].Key {
			j++
		}
		if j < len(idx) && prev[idx[j]].Key == tunnels[i].Key {
			match[i] = &prev[idx[j]]
		}
	}
	return match
}

// assignInside gives every tunnel its /30 and end addresses: first the
// tunnels that had one and may keep it (right pool for their ends, not
// clashing with an earlier sticky tunnel at a shared site), then the new
// ones, each in key order.
func assignInside(tunnels []Tunnel, ends [][2]int, match []*Tunnel, sites []topology.Site) error {
	ia := newInsideAllocator(len(sites))
	slot := make([]int, len(tunnels))
	for i := range tunnels {
		slot[i] = -1
		p := match[i]
		if p == nil {
			continue
		}
		if j, ok := prefixSlot(p.Inside); ok && ia.claim(j, ends[i][0], ends[i][1], poolOf(&tunnels[i])) {
			slot[i] = j
		}
	}
	for i := range tunnels {
		if slot[i] >= 0 {
			continue
		}
		kind := poolOf(&tunnels[i])
		j := ia.pick(tunnels[i].Key, ends[i][0], ends[i][1], kind)
		if j < 0 {
			return fmt.Errorf("tunnel %s: no free inside /30 left in %s: each of sites %q and %q may use a /30 only once",
				tunnels[i].Key, poolName(kind), tunnels[i].A.Site, tunnels[i].B.Site)
		}
		slot[i] = j
	}
	for i := range tunnels {
		t := &tunnels[i]
		t.Inside = slotPrefix(slot[i])
		t.A.Address, t.B.Address = endAddrs(slot[i], t.B.Cloud == topology.AWS, t.A.Cloud == topology.AWS)
	}
	return nil
}

func poolOf(t *Tunnel) int8 {
	if t.A.Cloud == topology.Azure || t.B.Cloud == topology.Azure {
		return poolAzure
	}
	return poolGeneral
}

// assignWireGuard gives the host ends of WireGuard tunnels a device and a
// port: kept from prev when still canonical and free at that host, else the
// lowest free slot at the host, new tunnels in key order.
func assignWireGuard(tunnels []Tunnel, ends [][2]int, match []*Tunnel, sites []topology.Site) error {
	w := newWGAllocator(len(sites))
	type pending struct{ t, side int }
	var todo []pending
	for i := range tunnels {
		t := &tunnels[i]
		if t.Transport != topology.WireGuard {
			continue
		}
		for side, e := range []*End{&t.A, &t.B} {
			if e.Cloud != topology.Host {
				continue
			}
			if p := match[i]; p != nil {
				pe := &p.A
				if side == 1 {
					pe = &p.B
				}
				if n, ok := wgSlot(pe.WGDevice, pe.WGPort); ok && w.claim(ends[i][side], n) {
					e.WGDevice, e.WGPort = WGDevice(n), WGBasePort+n
					continue
				}
			}
			todo = append(todo, pending{i, side})
		}
	}
	for _, p := range todo {
		t := &tunnels[p.t]
		e := &t.A
		if p.side == 1 {
			e = &t.B
		}
		n := w.lowest(ends[p.t][p.side])
		if n < 0 {
			return fmt.Errorf("tunnel %s: site %q has no free WireGuard device/port left (ports %d–65535)", t.Key, e.Site, WGBasePort)
		}
		e.WGDevice, e.WGPort = WGDevice(n), WGBasePort+n
	}
	return nil
}
