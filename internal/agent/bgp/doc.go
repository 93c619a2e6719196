// Package bgp is the runtime routing of the crosslink host agent.
//
// A Speaker embeds a GoBGP v4 server for one site (one AS). Every WireGuard
// link to another host carries one eBGP session (a Session). The speaker:
//
//   - announces the site's own prefixes once (the union over all sessions),
//     and re-announces its best routes (plain eBGP);
//   - applies the planner's per-session export policy: MED replace and an
//     AS-path prepend of its own ASN, on everything sent on that session
//     (policy.go). The decision process runs with always-compare-med
//     (Global.RouteSelectionOptions.AlwaysCompareMed), so MED is compared
//     across neighbouring ASes and the planned primary path wins;
//   - installs the best path of every learned prefix into the kernel through a
//     RouteTable (NetlinkRoutes: main table, rtm_protocol RouteProtocol,
//     metric RouteMetric), on every best-path event and every 2s;
//   - runs a UDP liveness prober per link (default every 200ms, down after 5
//     missed intervals; prober.go). A dead link's peer is deleted from GoBGP,
//     which drops its paths synchronously, so traffic moves to the backup in
//     about one second, well below the BGP hold time; it is re-added (and
//     dials at once) when probes return.
//
// Lifecycle: New starts everything, Apply converges to a session set (cheap
// when nothing changed), Restart replaces the GoBGP server (e.g. the site's
// ASN changed) and re-applies the last sessions, Close stops everything and
// removes every route it installed.
//
// Both ends of a link must use this package with the same Port and
// ProbePort: only the end with the lower link address dials (see apiPeer),
// and probing needs the peer to probe back.
//
// Only IPv4 is routed: sessions run over IPv4 link addresses, only IPv4
// prefixes are announced (others are skipped with a warning) and only IPv4
// unicast best paths are installed.
//
// GoBGP keeps its route-selection options in a package variable, so all
// speakers of a process share them (always the same values here), and
// starting one while another is busy is a data race under -race; the agent
// runs one speaker per process.
package bgp
