package gcp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Ownership marks. Labels let Observe filter server-side; routers take no
// labels, so every object also carries the description, which holds the
// key the object was created for.
const (
	labelMesh     = "crosslink-mesh"
	labelPSKEpoch = "crosslink-psk-epoch"
	descPrefix    = "crosslink"
)

// siteName is the shape topology allows for site names.
var siteName = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// maxName is GCP's limit on resource names (RFC 1035 labels).
const maxName = 63

// Entry name prefixes of router interfaces and BGP peers. They carry the
// peer site and tunnel index so the key can be rebuilt from the router's
// site alone, even when the tunnel the entry points at is gone.
const (
	ifacePrefix = "if-"
	peerPrefix  = "bgp-"
)

// resourceName joins parts with '-'. A name longer than GCP allows is cut
// and suffixed with a hash of the whole, so distinct inputs stay distinct.
func resourceName(parts ...string) string {
	n := strings.Join(parts, "-")
	if len(n) <= maxName {
		return n
	}
	sum := sha256.Sum256([]byte(n))
	return strings.TrimRight(n[:maxName-9], "-") + "-" + hex.EncodeToString(sum[:4])
}

// description is what every object carries to name its mesh and key.
func description(mesh, key string) string {
	return descPrefix + " mesh=" + mesh + " key=" + key
}

// parseDescription is description's inverse; ok is false for anything
// crosslink did not write.
func parseDescription(s string) (mesh, key string, ok bool) {
	f := strings.Fields(s)
	if len(f) != 3 || f[0] != descPrefix || !strings.HasPrefix(f[1], "mesh=") || !strings.HasPrefix(f[2], "key=") {
		return "", "", false
	}
	mesh, key = strings.TrimPrefix(f[1], "mesh="), strings.TrimPrefix(f[2], "key=")
	if _, _, _, _, good := plan.SplitKey(key); !good || mesh == "" {
		return "", "", false
	}
	return mesh, key, true
}

// splitTunnelKey parses "<a>~<b>#<n>".
func splitTunnelKey(k string) (a, b string, n int, ok bool) {
	hash := strings.LastIndexByte(k, '#')
	if hash < 0 {
		return "", "", 0, false
	}
	n, err := strconv.Atoi(k[hash+1:])
	if err != nil || n < 0 {
		return "", "", 0, false
	}
	a, b, found := strings.Cut(k[:hash], "~")
	if !found || a == "" || b == "" {
		return "", "", 0, false
	}
	return a, b, n, true
}

// tunnelKey is the allocator's key of tunnel n between two sites.
func tunnelKey(x, y string, n int) string {
	if y < x {
		x, y = y, x
	}
	return x + "~" + y + "#" + strconv.Itoa(n)
}

// peerEnd returns the other site of a tunnel seen from site, and the
// tunnel's index.
func peerEnd(site, tunnel string) (peer string, n int, err error) {
	a, b, n, ok := splitTunnelKey(tunnel)
	switch {
	case !ok:
		return "", 0, fmt.Errorf("%q is not a tunnel key", tunnel)
	case a == site:
		return b, n, nil
	case b == site:
		return a, n, nil
	}
	return "", 0, fmt.Errorf("tunnel %q does not end at site %q", tunnel, site)
}

// objectName is the GCP name of the object key names (for BGP peers: the
// peer's entry name inside the router; entryNames gives its interface's).
func objectName(mesh, key string) (string, error) {
	_, site, kind, name, ok := plan.SplitKey(key)
	if !ok {
		return "", fmt.Errorf("%q is not an object key", key)
	}
	switch kind {
	case "ha_vpn_gateway", "router":
		return resourceName(mesh, site), nil
	case "external_vpn_gateway":
		return resourceName(mesh, site, name), nil
	case "vpn_tunnel", "router_bgp_peer":
		peer, n, err := peerEnd(site, name)
		if err != nil {
			return "", err
		}
		if kind == "vpn_tunnel" {
			return resourceName(mesh, site, peer, strconv.Itoa(n)), nil
		}
		return peerPrefix + peer + "-" + strconv.Itoa(n), nil
	}
	return "", fmt.Errorf("GCP has no object kind %q", kind)
}

// entryNames are the router entries a BGP peer object stands for: its
// interface and the peer on it.
func entryNames(key string) (iface, peer string, err error) {
	_, site, kind, name, ok := plan.SplitKey(key)
	if !ok || kind != "router_bgp_peer" {
		return "", "", fmt.Errorf("%q is not the key of a BGP peer", key)
	}
	end, n, err := peerEnd(site, name)
	if err != nil {
		return "", "", err
	}
	suffix := end + "-" + strconv.Itoa(n)
	return ifacePrefix + suffix, peerPrefix + suffix, nil
}

// entryKey rebuilds the key of the BGP peer object that a router entry of
// site's router (an interface or a peer) belongs to; ok is false for
// entries crosslink did not name.
func entryKey(site, entry string) (string, bool) {
	rest, found := strings.CutPrefix(entry, ifacePrefix)
	if !found {
		rest, found = strings.CutPrefix(entry, peerPrefix)
	}
	dash := strings.LastIndexByte(rest, '-')
	if !found || dash <= 0 {
		return "", false
	}
	n, err := strconv.Atoi(rest[dash+1:])
	if err != nil || n < 0 || strconv.Itoa(n) != rest[dash+1:] || !siteName.MatchString(rest[:dash]) {
		return "", false
	}
	return plan.Key("gcp", site, "router_bgp_peer", tunnelKey(site, rest[:dash], n)), true
}
