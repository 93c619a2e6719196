package routing

import (
	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// WhatIf answers "what if these elements failed?": with them removed, every
// pair's paths in what remains and the pairs left without any path. Pairs
// with a removed site (or its gateway) count as disconnected. Element
// names are checked: malformed or unknown ones are an error naming them.
func WhatIf(m *topology.Mesh, a *alloc.Allocation, removed []Element) (*WhatIfResult, error) {
	r, err := newRemoval(removed)
	if err != nil {
		return nil, err
	}
	// The routers keep the MEDs and prepends of the whole mesh's plan.
	full, err := buildGraph(m, a, nil)
	if err != nil {
		return nil, err
	}
	pr := full.preferences(full.allPairs())
	g, err := buildGraph(m, a, r)
	if err != nil {
		return nil, err
	}
	pt := g.allPairs()
	res := &WhatIfResult{Pairs: g.pairPaths(pt, g.forwarding(pr)), Shortfall: g.shortfall(pt)}
	for _, p := range res.Pairs {
		if len(p.Primary.Tunnels) == 0 {
			res.Disconnected = append(res.Disconnected, [2]string{p.A, p.B})
		}
	}
	return res, nil
}
