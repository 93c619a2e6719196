package routing

import "net/netip"

// Path is a route between two sites: the sites it visits in order (first is
// the source, last the destination) and the tunnel keys between them.
type Path struct {
	Sites   []string
	Tunnels []string
}

// PairPaths holds, for one pair of sites (A < B by name), the disjoint
// paths found between them (Primary, then Backups, best first; paths run
// from A to B): how many independent ways the mesh has, which redundancy
// and the preferences are planned on. Where traffic really goes, per
// direction and as each cloud routes, is AB and BA.
type PairPaths struct {
	A, B    string
	Primary Path
	Backups []Path
	AB, BA  Forwarding
}

// Preference is what a site announces over one BGP session (one tunnel, one
// direction) to make primaries win: a MED and an AS-path prepend count.
type Preference struct {
	Tunnel    string // tunnel key
	Announcer string // site that announces
	MED       uint32
	Prepend   int
}

// Route is one entry a site installs (or its cloud router learns) for a
// remote prefix. Priority 0 is the primary (several with ECMP or where one
// of them is chosen by the router); 1 is where traffic goes once those are
// down.
type Route struct {
	Site     string
	Prefix   netip.Prefix
	Tunnel   string     // first tunnel of the path
	NextHop  netip.Addr // the peer's inside address on that tunnel
	Priority int
	Dest     string // destination site
}

// Element names something that can fail: "tunnel:<key>",
// "interface:<site>/<n>", "gateway:<site>", "site:<site>".
type Element string

// WeakPoint is an element whose loss disconnects at least one pair of sites
// that does not include the element's own site.
type WeakPoint struct {
	Element Element
	Cuts    [][2]string // pairs (A < B) that lose all connectivity
}

// Result is the full routing analysis of a mesh.
type Result struct {
	Pairs       []PairPaths  // sorted by (A, B)
	Preferences []Preference // sorted by (Tunnel, Announcer)
	Routes      []Route      // sorted by (Site, Dest, Priority)
	WeakPoints  []WeakPoint  // sorted by Element
	// Shortfall lists pairs with fewer disjoint paths than the mesh's
	// redundancy asks for, with the number found.
	Shortfall map[[2]string]int
	// NoTransit names, for pairs in Shortfall that would have more
	// disjoint paths if every site transited, the sites that do not
	// transit on those paths.
	NoTransit map[[2]string][]string
}

// WhatIfResult is the state of the mesh with some elements removed.
type WhatIfResult struct {
	// Pairs holds every pair (A < B), sorted; a disconnected pair has an
	// empty Primary and no forwarding paths.
	Pairs []PairPaths
	// Disconnected lists the pairs left without any path, sorted.
	Disconnected [][2]string
	// Shortfall, as in Result, for the reduced mesh.
	Shortfall map[[2]string]int
}
