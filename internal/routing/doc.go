// Package routing turns a mesh and its allocation into a graph of sites,
// gateways, gateway interfaces and tunnels; finds each pair's primary and
// disjoint backup paths (Bhandari's algorithm); sets BGP preferences (MED,
// AS-path prepend) so the primary wins; and analyses single failures.
//
// Pure: imports topology, alloc and the standard library only.
package routing
