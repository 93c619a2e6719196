// Package wg manages the WireGuard devices of the crosslink host agent: it
// creates a device, converges its key, port, address, MTU and link state,
// sets its single peer and reads back what the system really holds.
//
// A device is made in the kernel when the kernel can (netlink link type
// "wireguard"). Where it cannot (no module, a container kernel), the
// device is the embedded wireguard-go implementation: a TUN interface
// driven by this process, reachable through the same UAPI socket
// (/var/run/wireguard/<name>.sock) that wg(8) and wgctrl use. Either way
// the device is configured only through wgctrl, so both kinds behave the
// same to the caller; an embedded device lives only as long as the process.
//
// Private keys are generated on this host, kept 0600 in the state
// directory, and never returned, logged or put in an error.
//
// A Manager can work on another network namespace (Options.NetNS); the
// production agent runs inside its namespace and leaves it unset.
package wg
