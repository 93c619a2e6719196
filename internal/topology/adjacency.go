package topology

import "sort"

// Adjacencies returns the site pairs the topology links directly, each with
// A < B by name, sorted, with the transport that carries it. It assumes a
// mesh that Validate accepted.
func Adjacencies(m *Mesh) []Link {
	var out []Link
	cloud := make(map[string]Cloud, len(m.Sites))
	for _, s := range m.Sites {
		cloud[s.Name] = s.Cloud
	}
	add := func(a, b string, t Transport) {
		if a > b {
			a, b = b, a
		}
		if t == "" {
			t = TransportFor(cloud[a], cloud[b])
		}
		out = append(out, Link{A: a, B: b, Transport: t})
	}
	switch m.Topology {
	case Full:
		for i := range m.Sites {
			for j := i + 1; j < len(m.Sites); j++ {
				add(m.Sites[i].Name, m.Sites[j].Name, "")
			}
		}
	case HubSpoke:
		hub := map[string]bool{}
		for _, h := range m.Hubs {
			hub[h] = true
		}
		for i := range m.Sites {
			for j := i + 1; j < len(m.Sites); j++ {
				a, b := m.Sites[i].Name, m.Sites[j].Name
				if hub[a] || hub[b] {
					add(a, b, "")
				}
			}
		}
	case Links:
		for _, l := range m.Links {
			add(l.A, l.B, l.Transport)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	return out
}

// TransportFor is the transport two clouds use by default: WireGuard between
// hosts, IPsec wherever a cloud VPN gateway is an end.
func TransportFor(a, b Cloud) Transport {
	if a == Host && b == Host {
		return WireGuard
	}
	return IPsec
}
