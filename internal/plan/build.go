package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/routing"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Desired is everything the core derives from a mesh at plan time.
type Desired struct {
	Mesh    *topology.Mesh
	Alloc   *alloc.Allocation
	Routing *routing.Result
	Objects []Object
	// Warnings are problems that do not stop the plan (what apply will
	// refuse, and why).
	Warnings topology.Problems
}

// Build runs the pure pipeline: validate, allocate (sticky on prev), route,
// analyse failures, compile. Problems carry attribute paths; when there are
// any, Desired is nil.
func Build(m *topology.Mesh, prev *alloc.Allocation) (*Desired, topology.Problems) {
	if ps := topology.Validate(m); len(ps) > 0 {
		return nil, ps
	}
	if ps := checkASNs(m); len(ps) > 0 {
		return nil, ps
	}
	a, err := alloc.Allocate(m, prev)
	if err != nil {
		var ps topology.Problems
		ps.Add(topology.Path{"site"}, "Cannot allocate tunnel addresses", "%v", err)
		return nil, ps
	}
	r, err := routing.Analyze(m, a)
	if err != nil {
		var ps topology.Problems
		ps.Add(topology.Path{"topology"}, "Cannot analyse routing", "%v", err)
		return nil, ps
	}
	if ps := checkRouting(m, r); len(ps) > 0 {
		return nil, ps
	}
	d := &Desired{Mesh: m, Alloc: a, Routing: r, Objects: CompileObjects(m, a, r)}
	if pairs := HostCloudPairs(a); len(pairs) > 0 {
		d.Warnings.Add(topology.Path{"site"}, "Host ↔ cloud links cannot be applied yet", "%s", hostCloudWhy(pairs))
	}
	return d, nil
}

// HostCloudPairs lists the host ↔ cloud site pairs (host first) joined by
// IPsec tunnels, sorted. The agent does not speak IPsec yet, so apply
// refuses a mesh with any before it changes anything, rather than create
// and bill the cloud halves of tunnels the host cannot end.
func HostCloudPairs(a *alloc.Allocation) [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, t := range a.Tunnels {
		if t.Transport != topology.IPsec {
			continue
		}
		var p [2]string
		switch {
		case t.A.Cloud == topology.Host && t.B.Cloud != topology.Host:
			p = [2]string{t.A.Site, t.B.Site}
		case t.B.Cloud == topology.Host && t.A.Cloud != topology.Host:
			p = [2]string{t.B.Site, t.A.Site}
		default:
			continue
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0]+"\x00"+out[i][1] < out[j][0]+"\x00"+out[j][1] })
	return out
}

// HostCloudRefusal is the message apply stops with when the mesh has host
// ↔ cloud links ("" when it has none).
func HostCloudRefusal(a *alloc.Allocation) string {
	pairs := HostCloudPairs(a)
	if len(pairs) == 0 {
		return ""
	}
	return hostCloudWhy(pairs) + " Apply stopped before changing anything."
}

func hostCloudWhy(pairs [][2]string) string {
	names := make([]string, len(pairs))
	for i, p := range pairs {
		names[i] = p[0] + "–" + p[1]
	}
	return fmt.Sprintf("The mesh links host sites to cloud sites over IPsec (%d pair(s): %s). The plan shows these tunnels, but this build's agent does not speak IPsec yet, so apply refuses the mesh before touching any cloud, instead of creating and billing cloud tunnels no host can end. Link hosts only to hosts (topology = \"links\") or wait for the agent's IPsec support.",
		len(pairs), clip(names, 10))
}

// checkASNs applies each cloud's ASN rules to the ASNs users chose.
func checkASNs(m *topology.Mesh) topology.Problems {
	facesAWS := map[string]bool{}
	for _, l := range topology.Adjacencies(m) {
		sa, _ := m.Site(l.A)
		sb, _ := m.Site(l.B)
		facesAWS[l.A] = facesAWS[l.A] || sb.Cloud == topology.AWS
		facesAWS[l.B] = facesAWS[l.B] || sa.Cloud == topology.AWS
	}
	var ps topology.Problems
	for i, s := range m.Sites {
		if s.ASN == 0 {
			continue
		}
		if why := alloc.ASNProblem(s.Cloud, s.ASN, facesAWS[s.Name]); why != "" {
			ps.Add(topology.Path{"site", i, "asn"}, "ASN not allowed here", "Site %q cannot use ASN %d: %s. Leave asn unset to have one allocated.", s.Name, s.ASN, why)
		}
	}
	return ps
}

// checkRouting turns unreachable redundancy and single points of failure
// into problems on the attribute that asks for them.
func checkRouting(m *topology.Mesh, r *routing.Result) topology.Problems {
	var ps topology.Problems
	where := topology.Path{"redundancy"}
	if m.Topology == topology.Links {
		where = topology.Path{"link"}
	}
	// Shortfalls that sites which do not transit cause, grouped by those
	// sites, then the rest.
	blocked := map[string][]string{}
	var pairs []string
	for p, n := range r.Shortfall {
		pair := fmt.Sprintf("%s–%s (%d)", p[0], p[1], n)
		if sites := r.NoTransit[p]; len(sites) > 0 {
			k := strings.Join(sites, ", ")
			blocked[k] = append(blocked[k], pair)
			continue
		}
		pairs = append(pairs, pair)
	}
	keys := make([]string, 0, len(blocked))
	for k := range blocked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		bp := blocked[k]
		sort.Strings(bp)
		ps.Add(where, "Path through a site that does not transit",
			"redundancy = %d asks for that many disjoint paths between every pair of sites; %d pair(s) have fewer (found in brackets): %s. Paths between them would cross %s, whose router does not pass traffic between its tunnels: %s. Make a site that transits (a host, AWS or Azure site) the hub or the middle of those paths, link those pairs directly, or lower redundancy.",
			m.Redundancy, len(bp), clip(bp, 10), k, noTransitWhy(m, strings.Split(k, ", ")))
	}
	if len(pairs) > 0 {
		sort.Strings(pairs)
		ps.Add(where, "Redundancy cannot be reached",
			"redundancy = %d asks for that many disjoint paths between every pair of sites, but %d pair(s) have fewer (disjoint paths found in brackets): %s. Add links or sites that give those pairs independent paths, or lower redundancy.",
			m.Redundancy, len(pairs), clip(pairs, 10))
	}
	if m.Redundancy >= 2 {
		for _, w := range r.WeakPoints {
			cuts := make([]string, len(w.Cuts))
			for i, c := range w.Cuts {
				cuts[i] = c[0] + "–" + c[1]
			}
			ps.Add(where, "Single point of failure",
				"Losing %s disconnects %d pair(s): %s. At redundancy %d no single element may cut a pair; add a path around it.",
				w.Element, len(cuts), clip(cuts, 10), m.Redundancy)
		}
	}
	return ps
}

func clip(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(" and %d more", len(xs)-n)
}

// noTransitWhy says, once per kind, why those sites do not transit (the
// routing model's source).
func noTransitWhy(m *topology.Mesh, sites []string) string {
	var why []string
	seen := map[routing.Kind]bool{}
	for _, n := range sites {
		s, ok := m.Site(n)
		if !ok {
			continue
		}
		k := routing.KindOf(&s)
		if seen[k] {
			continue
		}
		seen[k] = true
		b := routing.Behaviours[k]
		why = append(why, b.Name+" ("+b.Sources["Transit"]+")")
	}
	return strings.Join(why, "; ")
}
