package alloc

import "github.com/crosslink-net/terraform-provider-crosslink/internal/topology"

// ifaces is where one tunnel attaches on each side of an adjacency between
// clouds x and y (the order of the layouts key).
type ifaces struct {
	xIf, xConn int // x's gateway interface and AWS VPN connection
	yIf, yConn int
}

// layouts is the per-cloud data: for each pair of clouds, the tunnels an
// adjacency gets, index by index (the index is the "#n" of the tunnel key).
//
// Every cloud gateway has two interfaces (AWS: two tunnels per VPN
// connection; GCP HA VPN: interfaces 0/1; Azure active-active: instances
// 0/1), and each interface gets a tunnel so that losing one interface never
// cuts a pair. AWS against a two-interface peer needs two VPN connections
// (one per peer interface), hence four tunnels; a host has one interface.
// aws↔aws is missing: validation rejects it (two AWS gateways cannot be
// joined by a VPN connection).
var layouts = map[[2]topology.Cloud][]ifaces{
	// Connection k faces peer interface k; AWS tunnel slot t within it.
	{topology.AWS, topology.GCP}:   {{0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 1, 0}, {1, 1, 1, 0}},
	{topology.AWS, topology.Azure}: {{0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 1, 0}, {1, 1, 1, 0}},
	{topology.AWS, topology.Host}:  {{0, 0, 0, 0}, {1, 0, 0, 0}},
	// Interface i faces interface i.
	{topology.GCP, topology.GCP}:     {{0, 0, 0, 0}, {1, 0, 1, 0}},
	{topology.GCP, topology.Azure}:   {{0, 0, 0, 0}, {1, 0, 1, 0}},
	{topology.Azure, topology.Azure}: {{0, 0, 0, 0}, {1, 0, 1, 0}},
	// Both gateway interfaces face the host's single one.
	{topology.GCP, topology.Host}:   {{0, 0, 0, 0}, {1, 0, 0, 0}},
	{topology.Azure, topology.Host}: {{0, 0, 0, 0}, {1, 0, 0, 0}},
	// Hosts have no gateway pair: one tunnel; routing adds redundancy by
	// other paths.
	{topology.Host, topology.Host}: {{0, 0, 0, 0}},
}

// layoutFor returns the tunnels between a site in cloud a and one in cloud
// b, with x = a; ok is false for a pair no layout covers.
func layoutFor(a, b topology.Cloud) (l []ifaces, swapped, ok bool) {
	ia, ib := cloudRank(a), cloudRank(b)
	if ia < 0 || ib < 0 {
		return nil, false, false
	}
	l, swapped = layoutTable[ia][ib], layoutSwapped[ia][ib]
	return l, swapped, l != nil
}

// layoutTable is layouts indexed by cloud rank in both orders (the lookup
// runs once per tunnel).
var layoutTable, layoutSwapped = func() (t [4][4][]ifaces, sw [4][4]bool) {
	for k, l := range layouts {
		x, y := cloudRank(k[0]), cloudRank(k[1])
		t[x][y] = l
		if x != y {
			t[y][x], sw[y][x] = l, true
		}
	}
	return t, sw
}()

func cloudRank(c topology.Cloud) int {
	switch c {
	case topology.AWS:
		return 0
	case topology.GCP:
		return 1
	case topology.Azure:
		return 2
	case topology.Host:
		return 3
	}
	return -1
}
