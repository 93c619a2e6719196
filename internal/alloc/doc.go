// Package alloc allocates, deterministically and stickily, what a mesh needs
// before anything exists: each site's BGP ASN, each tunnel's inside /30 and
// its two ends' addresses, gateway interfaces, WireGuard interface names and
// ports; and derives pre-shared keys (never stored).
//
// The previous allocation is an input: an existing tunnel keeps its values
// for as long as it exists. Per-cloud rules (AWS's reserved /30s, Azure's
// APIPA range, PSK alphabet, reserved ASNs) live here as data.
//
// Pure: imports only topology, the standard library and netipx.
package alloc
