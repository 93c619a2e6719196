package plan

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/routing"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Ref is how an attribute names a value only the cloud will know (an outside
// IP, an ID): "${<key>.<attr>}". The engine resolves refs from the objects it
// has created or observed before it calls a driver, so the plan can show the
// whole object graph before anything exists.
func Ref(key, attr string) string { return "${" + key + "." + attr + "}" }

// end is one side of a tunnel seen from the site that owns it.
type end struct {
	t           *alloc.Tunnel
	local, peer alloc.End
	localSite   topology.Site
	peerSite    topology.Site
}

// compiler accumulates the desired objects of one mesh.
type compiler struct {
	m     *topology.Mesh
	a     *alloc.Allocation
	prefs map[[2]string]routing.Preference // (tunnel, announcer)
	out   []Object
}

// CompileObjects turns an allocation and its routing into the cloud objects
// every site needs, sorted by key. It assumes a validated mesh.
func CompileObjects(m *topology.Mesh, a *alloc.Allocation, r *routing.Result) []Object {
	c := &compiler{m: m, a: a, prefs: map[[2]string]routing.Preference{}}
	if r != nil {
		for _, p := range r.Preferences {
			c.prefs[[2]string{p.Tunnel, p.Announcer}] = p
		}
	}
	ends := map[string][]end{}
	for i := range a.Tunnels {
		t := &a.Tunnels[i]
		sa, _ := m.Site(t.A.Site)
		sb, _ := m.Site(t.B.Site)
		ends[t.A.Site] = append(ends[t.A.Site], end{t: t, local: t.A, peer: t.B, localSite: sa, peerSite: sb})
		ends[t.B.Site] = append(ends[t.B.Site], end{t: t, local: t.B, peer: t.A, localSite: sb, peerSite: sa})
	}
	for _, s := range m.Sites {
		es := ends[s.Name]
		switch s.Cloud {
		case topology.AWS:
			c.aws(s, es)
		case topology.GCP:
			c.gcp(s, es)
		case topology.Azure:
			c.azure(s, es)
		case topology.Host:
			c.host(s, es)
		}
	}
	sort.Slice(c.out, func(i, j int) bool { return c.out[i].Key < c.out[j].Key })
	return c.out
}

// add records an object; attrs are given as alternating name, value pairs.
func (c *compiler) add(cloud topology.Cloud, site, kind, name string, deps []string, kv ...string) string {
	key := Key(string(cloud), site, kind, name)
	attrs := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i]] = kv[i+1]
	}
	c.out = append(c.out, Object{Key: key, Kind: string(cloud) + "_" + kind, Cloud: string(cloud), Site: site, Attrs: attrs, Deps: deps})
	return key
}

// med is what a site announces over a tunnel; 100 when routing set nothing.
func (c *compiler) pref(tunnel, announcer string) (med string, prepend string) {
	p, ok := c.prefs[[2]string{tunnel, announcer}]
	if !ok {
		return "100", "0"
	}
	return strconv.FormatUint(uint64(p.MED), 10), strconv.Itoa(p.Prepend)
}

func (c *compiler) epoch() string { return strconv.FormatInt(c.m.PSKEpoch, 10) }

// outsideIP names the public address a peer's tunnel end is reached at: a
// literal for hosts, a reference to the peer's gateway object for clouds.
func (c *compiler) outsideIP(e end) string {
	p := e.peer
	switch p.Cloud {
	case topology.AWS:
		return Ref(Key("aws", p.Site, "vpn_connection", connName(e.localSite.Name, p.Connection)), "tunnel."+strconv.Itoa(p.Interface)+".outside_ip")
	case topology.GCP:
		return Ref(Key("gcp", p.Site, "ha_vpn_gateway", "main"), "interface."+strconv.Itoa(p.Interface)+".ip")
	case topology.Azure:
		return Ref(Key("azure", p.Site, "public_ip", strconv.Itoa(p.Interface)), "ip")
	default:
		return hostEndpoint(e.peerSite)
	}
}

// hostEndpoint is the address a host is reached at for tunnels: its
// endpoint, else its agent URL's host (the lab and most deployments run
// the agent on the public IP). Validation makes it an IPv4 literal where a
// cloud peers with the host.
func hostEndpoint(s topology.Site) string { return s.DataPlaneAddress() }

func connName(peer string, k int) string { return peer + "-" + strconv.Itoa(k) }

func prefixes(s topology.Site) string {
	ps := make([]string, len(s.Prefixes))
	for i, p := range s.Prefixes {
		ps[i] = p.String()
	}
	return strings.Join(ps, ",")
}

// remotePrefixes lists every other site's prefixes, in site then prefix
// order: what a site's network must route into the mesh.
func (c *compiler) remotePrefixes(s topology.Site) []string {
	var out []string
	for _, o := range c.m.Sites {
		if o.Name == s.Name {
			continue
		}
		for _, p := range o.Prefixes {
			out = append(out, p.String())
		}
	}
	return out
}

// sortedPrefixes is prefixes in text order (how a GCP router's advertised
// ranges are compared).
func sortedPrefixes(s topology.Site) string {
	ps := strings.Split(prefixes(s), ",")
	slices.Sort(ps)
	return strings.Join(ps, ",")
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
