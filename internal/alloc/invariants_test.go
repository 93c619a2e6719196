package alloc

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// wantEnds is the tunnel layout restated independently of layouts (by
// roles rather than as a table), so a typo in either shows up.
func wantEnds(ca, cb topology.Cloud) (out [][4]int) { // aIf, aConn, bIf, bConn
	if cb == topology.AWS && ca != topology.AWS {
		for _, e := range wantEnds(cb, ca) {
			out = append(out, [4]int{e[2], e[3], e[0], e[1]})
		}
		return out
	}
	if ca == topology.Host && cb != topology.Host {
		for _, e := range wantEnds(cb, ca) {
			out = append(out, [4]int{e[2], e[3], e[0], e[1]})
		}
		return out
	}
	switch {
	case ca == topology.AWS && cb == topology.Host:
		return [][4]int{{0, 0, 0, 0}, {1, 0, 0, 0}}
	case ca == topology.AWS && cb != topology.AWS:
		for k := range 2 {
			for t := range 2 {
				out = append(out, [4]int{t, k, k, 0})
			}
		}
		return out
	case ca == topology.Host && cb == topology.Host:
		return [][4]int{{0, 0, 0, 0}}
	case cb == topology.Host:
		return [][4]int{{0, 0, 0, 0}, {1, 0, 0, 0}}
	case ca != topology.AWS:
		return [][4]int{{0, 0, 0, 0}, {1, 0, 1, 0}}
	}
	return nil
}

// checkAllocation returns the first rule a allocation breaks for m, or nil.
func checkAllocation(m *topology.Mesh, a *Allocation) error {
	if a == nil {
		return fmt.Errorf("nil allocation")
	}
	site := map[string]topology.Site{}
	for _, s := range m.Sites {
		site[s.Name] = s
	}
	adj := topology.Adjacencies(m)
	faces := map[string]bool{}
	for _, l := range adj {
		if site[l.A].Cloud == topology.AWS {
			faces[l.B] = true
		}
		if site[l.B].Cloud == topology.AWS {
			faces[l.A] = true
		}
	}

	// ASNs: one per site, unique, acceptable for the cloud; user's kept.
	if len(a.ASNs) != len(m.Sites) {
		return fmt.Errorf("%d ASNs for %d sites", len(a.ASNs), len(m.Sites))
	}
	owner := map[uint32]string{}
	for _, s := range m.Sites {
		asn, ok := a.ASNs[s.Name]
		if !ok {
			return fmt.Errorf("site %s has no ASN", s.Name)
		}
		if s.ASN != 0 && asn != s.ASN {
			return fmt.Errorf("site %s: user ASN %d became %d", s.Name, s.ASN, asn)
		}
		if p := ASNProblem(s.Cloud, asn, faces[s.Name]); p != "" {
			return fmt.Errorf("site %s: ASN %d: %s", s.Name, asn, p)
		}
		if o, dup := owner[asn]; dup {
			return fmt.Errorf("ASN %d used by %s and %s", asn, o, s.Name)
		}
		owner[asn] = s.Name
	}

	// The expected tunnels.
	type want struct {
		l     topology.Link
		n     int
		ifs   [4]int
		found bool
	}
	wants := map[string]*want{}
	for _, l := range adj {
		for n, e := range wantEnds(site[l.A].Cloud, site[l.B].Cloud) {
			wants[l.A+"~"+l.B+"#"+strconv.Itoa(n)] = &want{l: l, n: n, ifs: e}
		}
	}
	if len(a.Tunnels) != len(wants) {
		return fmt.Errorf("%d tunnels, want %d", len(a.Tunnels), len(wants))
	}

	perSite := map[string]map[netip.Prefix]string{}
	wgDev := map[string]map[string]string{}
	wgPort := map[string]map[int]string{}
	for i, t := range a.Tunnels {
		if i > 0 && a.Tunnels[i-1].Key >= t.Key {
			return fmt.Errorf("tunnels not sorted/unique at %q, %q", a.Tunnels[i-1].Key, t.Key)
		}
		w := wants[t.Key]
		if w == nil {
			return fmt.Errorf("unexpected tunnel %q", t.Key)
		}
		w.found = true
		if t.A.Site != w.l.A || t.B.Site != w.l.B {
			return fmt.Errorf("%s: ends %s,%s", t.Key, t.A.Site, t.B.Site)
		}
		if t.Transport != w.l.Transport {
			return fmt.Errorf("%s: transport %q, want %q", t.Key, t.Transport, w.l.Transport)
		}
		for _, e := range []End{t.A, t.B} {
			if e.Cloud != site[e.Site].Cloud || e.ASN != a.ASNs[e.Site] {
				return fmt.Errorf("%s: end %s has cloud %s ASN %d", t.Key, e.Site, e.Cloud, e.ASN)
			}
		}
		if got := [4]int{t.A.Interface, t.A.Connection, t.B.Interface, t.B.Connection}; got != w.ifs {
			return fmt.Errorf("%s (%s–%s): interfaces %v, want %v", t.Key, t.A.Cloud, t.B.Cloud, got, w.ifs)
		}

		// Inside /30.
		p := t.Inside
		if !p.IsValid() || p.Bits() != 30 || !p.Addr().Is4() || p.Masked() != p || !LinkLocal.Contains(p.Addr()) {
			return fmt.Errorf("%s: inside %v is not a /30 of %v", t.Key, p, LinkLocal)
		}
		for _, r := range AWSReservedInside {
			if r.Overlaps(p) {
				return fmt.Errorf("%s: inside %v is AWS-reserved", t.Key, p)
			}
		}
		azure := t.A.Cloud == topology.Azure || t.B.Cloud == topology.Azure
		if azure && !AzureAPIPA.ContainsPrefix(p) {
			return fmt.Errorf("%s: Azure tunnel inside %v outside APIPA", t.Key, p)
		}
		if !azure && AzureAPIPA.Overlaps(p) {
			return fmt.Errorf("%s: non-Azure tunnel inside %v in APIPA", t.Key, p)
		}
		one, two := p.Addr().Next(), p.Addr().Next().Next()
		wantA, wantB := one, two
		if t.B.Cloud == topology.AWS && t.A.Cloud != topology.AWS {
			wantA, wantB = two, one
		}
		if t.A.Address != wantA || t.B.Address != wantB {
			return fmt.Errorf("%s (%s–%s) in %v: addresses %v,%v want %v,%v", t.Key, t.A.Cloud, t.B.Cloud, p, t.A.Address, t.B.Address, wantA, wantB)
		}
		for _, s := range []string{t.A.Site, t.B.Site} {
			if perSite[s] == nil {
				perSite[s] = map[netip.Prefix]string{}
			}
			if o, dup := perSite[s][p]; dup {
				return fmt.Errorf("site %s uses %v twice: %s and %s", s, p, o, t.Key)
			}
			perSite[s][p] = t.Key
		}

		// WireGuard.
		for _, e := range []End{t.A, t.B} {
			if t.Transport != topology.WireGuard || e.Cloud != topology.Host {
				if e.WGDevice != "" || e.WGPort != 0 {
					return fmt.Errorf("%s: end %s has WireGuard %q:%d", t.Key, e.Site, e.WGDevice, e.WGPort)
				}
				continue
			}
			num, ok := strings.CutPrefix(e.WGDevice, "xl")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || len(e.WGDevice) > 15 || strconv.Itoa(n) != num || e.WGPort != 51820+n || e.WGPort > 65535 {
				return fmt.Errorf("%s: end %s has WireGuard %q:%d", t.Key, e.Site, e.WGDevice, e.WGPort)
			}
			if wgDev[e.Site] == nil {
				wgDev[e.Site], wgPort[e.Site] = map[string]string{}, map[int]string{}
			}
			if o, dup := wgDev[e.Site][e.WGDevice]; dup {
				return fmt.Errorf("host %s: device %s on %s and %s", e.Site, e.WGDevice, o, t.Key)
			}
			if o, dup := wgPort[e.Site][e.WGPort]; dup {
				return fmt.Errorf("host %s: port %d on %s and %s", e.Site, e.WGPort, o, t.Key)
			}
			wgDev[e.Site][e.WGDevice], wgPort[e.Site][e.WGPort] = t.Key, t.Key
		}
	}
	for k, w := range wants {
		if !w.found {
			return fmt.Errorf("missing tunnel %s", k)
		}
	}
	return nil
}
