// Package routing turns a mesh and its allocation into a graph of sites,
// gateways, gateway interfaces and tunnels; finds each pair's primary and
// disjoint backup paths; sets BGP preferences (MED, AS-path prepend) so the
// primary wins and the first backup takes over; lists each site's routes;
// and analyses single failures.
//
// The model:
//   - Each site has one gateway node (a host is its own gateway) and one
//     node per gateway interface: AWS's two tunnel slots (across all its VPN
//     connections), GCP HA VPN interfaces 0/1, Azure active-active instances
//     0/1. Hosts have none: their tunnels end on the gateway itself.
//   - Tunnels join interface (or host gateway) nodes; interfaces join their
//     gateway. A path may cross an intermediate site, always through its
//     gateway (the site routes between its tunnels).
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
//   - Routes: per site and remote prefix, priority 0 over the primary's
//     first tunnel (next hop: the peer's inside address), 1.. over each
//     backup's first tunnel.
//   - Weak points: elements (tunnel, interface, gateway, site) whose single
//     loss disconnects a pair, found from bridges and articulation points
//     (Tarjan) rather than by removing each element; see failure.go. The
//     loss of a gateway is its site's loss, so pairs with that site are not
//     counted; an interface's loss counts for every pair.
//
// Results are deterministic and do not depend on the order of sites or
// tunnels in the input: everything is indexed in name and key order.
//
// Pure: imports topology, alloc and the standard library only.
package routing
