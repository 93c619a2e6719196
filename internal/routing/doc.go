// Package routing turns a mesh and its allocation into a graph of sites,
// gateways, gateway interfaces and tunnels; finds each pair's disjoint
// paths; sets BGP preferences (MED, AS-path prepend) where the announcing
// cloud can; computes, per direction, where traffic really goes as each
// cloud's router chooses; lists each site's routes; and analyses single
// failures.
//
// How each kind of site routes (whether it transits, what it may set,
// how it chooses among routes, what it does with equal ones) is one table,
// model.go, with a source per fact; forward.go computes the stable BGP
// state from it; failure.go decides connectivity over it (a site that does
// not transit is never in the middle of a path).
//
// The graph:
//   - Each site has one gateway node (a host is its own gateway) and one
//     node per gateway interface: AWS's two tunnel slots (across all its VPN
//     connections), GCP HA VPN interfaces 0/1, Azure active-active instances
//     0/1. Hosts have none: their tunnels end on the gateway itself.
//   - Tunnels join interface (or host gateway) nodes; interfaces join their
//     gateway. A path may cross an intermediate site that transits, always
//     through its gateway (the site routes between its tunnels).
//   - For each pair of sites (A < B by name) up to max(redundancy, 2) paths
//     from A's gateway to B's, disjoint in tunnels, interfaces and
//     intermediate gateways (the end gateways are shared by necessity):
//     a min-cost flow on the node-split graph by successive shortest paths
//     (Suurballe/Bhandari), see disjoint.go. Cost, lexicographically: site
//     hops, then transit sites by name, then interface index, then tunnel
//     key. The cheapest path is the primary, the rest are backups, best
//     first. Paths are site sequences plus tunnel keys.
//   - A pair with fewer disjoint paths than the mesh's redundancy is in the
//     Shortfall, with the number found.
//   - Preferences: see preference.go for the BGP model and its limits.
//   - Forwarding: per ordered pair, the paths the routers choose (single,
//     ECMP, or one of several the plan cannot decide between) and where
//     traffic goes once the source's chosen tunnels are down.
//   - Routes: per site and remote prefix, priority 0 over the tunnels the
//     site's router uses (next hop: the peer's inside address), 1 over
//     those it moves to.
//   - Weak points: elements (tunnel, interface, gateway, site) whose single
//     loss disconnects a pair, found by removing the few elements whose
//     loss can matter (bridges and cut vertices of the transiting core,
//     Tarjan) and comparing connectivity; see failure.go. The loss of a
//     gateway is its site's loss, so pairs with that site are not counted;
//     an interface's loss counts for every pair.
//
// Results are deterministic and do not depend on the order of sites or
// tunnels in the input: everything is indexed in name and key order.
//
// Pure: imports topology, alloc and the standard library only.
package routing
