package plan

import (
	"strings"
	"testing"
)

func TestKindsHaveTheirCloud(t *testing.T) {
	for _, k := range Kinds() {
		s, ok := Spec(k)
		if !ok || s.Name != k {
			t.Fatalf("Spec(%q) = %+v, %v", k, s, ok)
		}
		if !strings.HasPrefix(k, s.Cloud+"_") {
			t.Errorf("kind %s has cloud %q", k, s.Cloud)
		}
	}
	if _, ok := Spec("aws_nat_gateway"); ok {
		t.Error("unknown kind found")
	}
}

func TestSpecReturnsCopies(t *testing.T) {
	s, _ := Spec("host_wireguard_link")
	s.InPlace["public_key"] = true
	s2, _ := Spec("host_wireguard_link")
	if s2.InPlace["public_key"] {
		t.Error("Spec shares its maps with the registry")
	}
}

func TestUpdatableInPlace(t *testing.T) {
	for _, c := range []struct {
		kind, attr string
		want       bool
	}{
		{"aws_vpn_connection", "psk_epoch", true},
		{"aws_vpn_connection", "tunnel.2.psk_epoch", true},
		{"aws_vpn_connection", "tunnel.2.inside_cidr", false},
		{"aws_customer_gateway", "bgp_asn", false},
		{"gcp_vpn_tunnel", "psk_epoch", false}, // GCP cannot change a tunnel's secret
		{"gcp_router", "bgp_asn", true},
		{"gcp_router", "advertised_ip_ranges", true},
		{"gcp_router", "network", false},
		{"gcp_router", "region", false},
		{"gcp_router_bgp_peer", "advertised_route_priority", true},
		{"gcp_router_bgp_peer", "peer_ip_address", true},
		{"gcp_router_bgp_peer", "router", false},
		{"azure_local_network_gateway", "gateway_ip", true},
		{"azure_local_network_gateway", "bgp_peering_address", true},
		{"azure_local_network_gateway", "asn", true},
		{"azure_vpn_connection", "psk_epoch", true},
		{"azure_public_ip", "sku", false},
		{"host_wireguard_link", "key_epoch", true},
		{"host_wireguard_link", "endpoint", true},
		{"host_wireguard_link", "allowed_ips", true},
		{"host_wireguard_link", "listen_port", false},
		{"host_bgp_session", "med", true},
		{"host_bgp_session", "peer_asn", false},
	} {
		s, ok := Spec(c.kind)
		if !ok {
			t.Fatalf("no kind %s", c.kind)
		}
		if got := s.UpdatableInPlace(c.attr); got != c.want {
			t.Errorf("%s.%s in place = %v, want %v", c.kind, c.attr, got, c.want)
		}
	}
}
