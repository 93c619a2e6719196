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
	return &Desired{Mesh: m, Alloc: a, Routing: r, Objects: CompileObjects(m, a, r)}, nil
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
	if len(r.Shortfall) > 0 {
		pairs := make([]string, 0, len(r.Shortfall))
		for p, n := range r.Shortfall {
			pairs = append(pairs, fmt.Sprintf("%s–%s (%d)", p[0], p[1], n))
		}
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
