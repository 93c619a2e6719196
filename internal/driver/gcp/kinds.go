package gcp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// The object kinds the compiler asks of GCP (plan/compile_clouds.go).
const (
	kindHAGateway       = "gcp_ha_vpn_gateway"
	kindExternalGateway = "gcp_external_vpn_gateway"
	kindTunnel          = "gcp_vpn_tunnel"
	kindRouter          = "gcp_router"
	kindPeer            = "gcp_router_bgp_peer"
)

// Collections of the Compute API, as they appear in IDs.
const (
	colGateways  = "vpnGateways"
	colExternals = "externalVpnGateways"
	colTunnels   = "vpnTunnels"
	colRouters   = "routers"
)

var kindNames = map[string]string{
	kindHAGateway:       "GCP HA VPN gateway",
	kindExternalGateway: "GCP external VPN gateway",
	kindTunnel:          "GCP VPN tunnel",
	kindRouter:          "GCP Cloud Router",
	kindPeer:            "GCP Cloud Router BGP peer and interface",
}

func kindName(kind string) string {
	if n, ok := kindNames[kind]; ok {
		return n
	}
	return kind
}

// wrap names the object in an error: "creating GCP VPN tunnel
// (gcp/site/vpn_tunnel/a~b#0): …". The key names the site.
func wrap(doing string, o plan.Object, err error) error {
	return fmt.Errorf("%s %s (%s): %w", doing, kindName(o.Kind), o.Key, err)
}

// object is an observed object of this cloud.
func object(kind, key, site, id string, attrs map[string]string) plan.Object {
	return plan.Object{Key: key, Kind: kind, Cloud: "gcp", Site: site, ID: id, Attrs: attrs}
}

// unresolved reports desired attributes that still hold a reference: the
// engine resolves them before it calls a driver, so one left is a bug that
// must not reach the cloud as a literal.
func unresolved(o plan.Object) error {
	var bad []string
	for k, v := range o.Attrs {
		if strings.Contains(v, "${") {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("attributes %s still hold unresolved references", strings.Join(bad, ", "))
}

// need returns a desired attribute that must be present.
func need(o plan.Object, attr string) (string, error) {
	v, ok := o.Attrs[attr]
	if !ok || v == "" {
		return "", fmt.Errorf("attribute %q is missing", attr)
	}
	return v, nil
}

// needUint parses a desired numeric attribute.
func needUint(o plan.Object, attr string, bits int) (uint64, error) {
	v, err := need(o, attr)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("attribute %q is %q, not a number", attr, v)
	}
	return n, nil
}

// owned checks that an existing object with our deterministic name was
// made by crosslink for this key, so a 409 on insert can adopt it.
func owned(desc, mesh, key string) error {
	m, k, ok := parseDescription(desc)
	if !ok || m != mesh || k != key {
		return fmt.Errorf("its name is taken by an object crosslink does not own (description %q)", desc)
	}
	return nil
}

func itoa[T ~int32 | ~uint32 | ~int64](v T) string { return strconv.FormatInt(int64(v), 10) }
