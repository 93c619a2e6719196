package routing

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Test meshes and allocations, built by hand so these tests do not depend
// on alloc.Allocate. The tunnel layouts follow alloc's recipes:
//   aws↔gcp, aws↔azure: 4 tunnels; AWS connection k faces the peer's
//     interface k, AWS tunnel slot t is AWS interface t (index 2k+t);
//   aws↔host: 2 (AWS slots 0, 1; host interface 0);
//   gcp/azure↔gcp/azure: 2, interface i↔i; gcp/azure↔host: 2 (host 0);
//   host↔host: 1 WireGuard tunnel.

func st(name string, c topology.Cloud) topology.Site { return topology.Site{Name: name, Cloud: c} }

// newMesh fills each site's CIDRs/Prefixes with 10.<i>.0.0/16 (in the
// given order) and its ASN.
func newMesh(kind topology.Kind, redundancy int, sites ...topology.Site) *topology.Mesh {
	m := &topology.Mesh{Name: "t", Topology: kind, Redundancy: redundancy}
	for i, s := range sites {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
		s.CIDRs = []string{p.String()}
		s.Prefixes = []netip.Prefix{p}
		s.ASN = 64512 + uint32(i)
		m.Sites = append(m.Sites, s)
	}
	return m
}

func fullMesh(redundancy int, sites ...topology.Site) *topology.Mesh {
	return newMesh(topology.Full, redundancy, sites...)
}

func hubSpoke(redundancy int, hubs []string, sites ...topology.Site) *topology.Mesh {
	m := newMesh(topology.HubSpoke, redundancy, sites...)
	m.Hubs = hubs
	return m
}

func linksMesh(redundancy int, links [][2]string, sites ...topology.Site) *topology.Mesh {
	m := newMesh(topology.Links, redundancy, sites...)
	for _, l := range links {
		m.Links = append(m.Links, topology.Link{A: l[0], B: l[1]})
	}
	return m
}

// layout gives, for a pair of clouds, each tunnel's (interface, connection)
// at each end.
func layout(ca, cb topology.Cloud) (ends [][2][2]int, wg bool) {
	cloudy := func(c topology.Cloud) bool { return c == topology.GCP || c == topology.Azure }
	switch {
	case ca == topology.AWS && (cloudy(cb)):
		for n := 0; n < 4; n++ {
			k, t := n/2, n%2
			ends = append(ends, [2][2]int{{t, k}, {k, 0}})
		}
	case cb == topology.AWS && ca != topology.AWS:
		e, w := layout(cb, ca)
		for i := range e {
			e[i][0], e[i][1] = e[i][1], e[i][0]
		}
		return e, w
	case ca == topology.AWS && cb == topology.Host:
		ends = [][2][2]int{{{0, 0}, {0, 0}}, {{1, 0}, {0, 0}}}
	case ca == topology.Host && cb == topology.Host:
		return [][2][2]int{{{0, 0}, {0, 0}}}, true
	case ca == topology.Host:
		ends = [][2][2]int{{{0, 0}, {0, 0}}, {{0, 0}, {1, 0}}}
	case cb == topology.Host:
		ends = [][2][2]int{{{0, 0}, {0, 0}}, {{1, 0}, {0, 0}}}
	default: // gcp/azure pairs (and aws↔aws, which alloc does not make)
		ends = [][2][2]int{{{0, 0}, {0, 0}}, {{1, 0}, {1, 0}}}
	}
	return ends, false
}

// newAlloc lays out the tunnels of every adjacency of m.
func newAlloc(m *topology.Mesh) *alloc.Allocation {
	a := &alloc.Allocation{ASNs: map[string]uint32{}}
	for _, s := range m.Sites {
		a.ASNs[s.Name] = s.ASN
	}
	var c uint32
	for _, l := range topology.Adjacencies(m) {
		sa, _ := m.Site(l.A)
		sb, _ := m.Site(l.B)
		ends, wg := layout(sa.Cloud, sb.Cloud)
		for n, e := range ends {
			base := uint32(169)<<24 | uint32(254)<<16 + 4*c
			c++
			addr := func(off uint32) netip.Addr {
				v := base + off
				return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
			}
			t := alloc.Tunnel{
				Key:       l.A + "~" + l.B + "#" + strconv.Itoa(n),
				Transport: topology.IPsec,
				Inside:    netip.PrefixFrom(addr(0), 30),
				A:         alloc.End{Site: l.A, Cloud: sa.Cloud, Interface: e[0][0], Connection: e[0][1], Address: addr(1), ASN: sa.ASN},
				B:         alloc.End{Site: l.B, Cloud: sb.Cloud, Interface: e[1][0], Connection: e[1][1], Address: addr(2), ASN: sb.ASN},
			}
			if wg {
				t.Transport = topology.WireGuard
			}
			a.Tunnels = append(a.Tunnels, t)
		}
	}
	return a
}

// benchSites: site 0 aws, then gcp, azure, host in turn.
func benchSites(n int) []topology.Site {
	clouds := []topology.Cloud{topology.GCP, topology.Azure, topology.Host}
	out := make([]topology.Site, n)
	for i := range out {
		c := topology.AWS
		if i > 0 {
			c = clouds[(i-1)%3]
		}
		out[i] = st(fmt.Sprintf("s%03d", i), c)
	}
	return out
}

// randomSites makes n sites with random clouds (at most one aws, as alloc
// makes no aws↔aws tunnels).
func randomSites(r *rand.Rand, n int) []topology.Site {
	out := make([]topology.Site, n)
	aws := false
	for i := range out {
		c := topology.Clouds[r.IntN(len(topology.Clouds))]
		if c == topology.AWS {
			if aws {
				c = topology.Host
			}
			aws = true
		}
		out[i] = st(fmt.Sprintf("%c%d", 'a'+rune(r.IntN(26)), i), c)
	}
	return out
}

// randomLinks makes a random connected-ish set of explicit links: a random
// spanning tree plus extra edges.
func randomLinks(r *rand.Rand, sites []topology.Site, extra int) [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	add := func(a, b string) {
		if a == b {
			return
		}
		if a > b {
			a, b = b, a
		}
		if !seen[[2]string{a, b}] {
			seen[[2]string{a, b}] = true
			out = append(out, [2]string{a, b})
		}
	}
	for i := 1; i < len(sites); i++ {
		add(sites[i].Name, sites[r.IntN(i)].Name)
	}
	for k := 0; k < extra; k++ {
		add(sites[r.IntN(len(sites))].Name, sites[r.IntN(len(sites))].Name)
	}
	return out
}

// shuffled returns m with its sites (and links) in a random order.
func shuffled(r *rand.Rand, m *topology.Mesh) *topology.Mesh {
	c := *m
	c.Sites = append([]topology.Site(nil), m.Sites...)
	r.Shuffle(len(c.Sites), func(i, j int) { c.Sites[i], c.Sites[j] = c.Sites[j], c.Sites[i] })
	c.Links = append([]topology.Link(nil), m.Links...)
	r.Shuffle(len(c.Links), func(i, j int) { c.Links[i], c.Links[j] = c.Links[j], c.Links[i] })
	return &c
}

func shuffledAlloc(r *rand.Rand, a *alloc.Allocation) *alloc.Allocation {
	c := *a
	c.Tunnels = append([]alloc.Tunnel(nil), a.Tunnels...)
	r.Shuffle(len(c.Tunnels), func(i, j int) { c.Tunnels[i], c.Tunnels[j] = c.Tunnels[j], c.Tunnels[i] })
	return &c
}
