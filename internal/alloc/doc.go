// Package alloc allocates, deterministically and stickily, what a mesh needs
// before anything exists: each site's BGP ASN, each tunnel's inside /30 and
// its two ends' addresses, gateway interfaces, WireGuard interface names and
// ports; and derives pre-shared keys (never stored).
//
// The previous allocation is an input: an existing tunnel keeps its values
// for as long as it exists. Per-cloud rules (AWS's reserved /30s, Azure's
// APIPA range, PSK alphabet, reserved ASNs) live here as data, in the
// subpackage rules (standard library only, so topology validation can use
// them without an import cycle) and re-exported here.
//
// How (each file says why):
//   - asn.go: user ASNs kept; else the previous one while still acceptable;
//     else 64513–65534 (minus Azure's), probed from a hash of the site name.
//   - layout.go: tunnels per adjacency and the gateway interface of each end,
//     per pair of clouds.
//   - inside.go: /30s unique per site (not globally), Azure tunnels in APIPA
//     and no others, never AWS's reserved ones; probed from a hash of the
//     tunnel key; the AWS end gets .1.
//   - wireguard.go: device "xl<n>" and port 51820+n per host end.
//   - allocate.go: the order: sites by name, tunnels by key, everything that
//     may keep its previous value claimed before anything new is placed.
//
// Pure: imports only topology, the standard library and its own rules.
package alloc
