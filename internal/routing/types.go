package routing

import "net/netip"

// Path is a route between two sites: the sites it visits in order (first is
// the source, last the destination) and the tunnel keys between them.
type Path struct {
	Sites   []string
	Tunnels []string
}

// PairPaths holds, for one pair of sites (A < B by name), the primary path
// and the disjoint backups, best first. Paths run from A to B.
type PairPaths struct {
	A, B    string
	Primary Path
	Backups []Path
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
// remote prefix. Priority 0 is the primary; higher numbers are backups.
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
}

// WhatIfResult is the state of the mesh with some elements removed.
type WhatIfResult struct {
	// Pairs holds every pair (A < B), sorted; a disconnected pair has an
	// empty Primary.
	Pairs []PairPaths
	// Disconnected lists the pairs left without any path, sorted.
	Disconnected [][2]string
	// Shortfall, as in Result, for the reduced mesh.
	Shortfall map[[2]string]int
}
