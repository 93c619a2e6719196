package gcp

import (
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
)

func iface(name, rng string) *computepb.RouterInterface {
	return &computepb.RouterInterface{Name: ptr(name), IpRange: ptr(rng), LinkedVpnTunnel: ptr("projects/p/regions/r/vpnTunnels/" + name)}
}

func bgpPeer(name, ifName, ip, peerIP string) *computepb.RouterBgpPeer {
	return &computepb.RouterBgpPeer{Name: ptr(name), InterfaceName: ptr(ifName), IpAddress: ptr(ip), PeerIpAddress: ptr(peerIP), PeerAsn: ptr(uint32(64600)), AdvertisedRoutePriority: ptr(uint32(100))}
}

func TestApplyEditsOrdersPeersAfterTheirInterface(t *testing.T) {
	doc := &computepb.Router{}
	batch := []*edit{
		{op: putPeer, peer: bgpPeer("bgp-b-0", "if-b-0", "169.254.0.1", "169.254.0.2")},
		{op: putInterface, iface: iface("if-b-0", "169.254.0.1/30")},
	}
	errs, changed := applyEdits(doc, batch)
	if errs[0] != nil || errs[1] != nil || !changed {
		t.Fatalf("errs %v changed %v", errs, changed)
	}
	if len(doc.Interfaces) != 1 || len(doc.BgpPeers) != 1 {
		t.Fatalf("doc %v", doc)
	}
	// Deleting both in the wrong order works too.
	errs, changed = applyEdits(doc, []*edit{{op: deleteInterface, name: "if-b-0"}, {op: deletePeer, name: "bgp-b-0"}})
	if errs[0] != nil || errs[1] != nil || !changed || len(doc.Interfaces)+len(doc.BgpPeers) != 0 {
		t.Fatalf("errs %v changed %v doc %v", errs, changed, doc)
	}
}

func TestApplyEditsRefusesOnlyTheBadEdit(t *testing.T) {
	doc := &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-a-0", "169.254.0.0/30")}}
	doc.BgpPeers = []*computepb.RouterBgpPeer{bgpPeer("bgp-a-0", "if-a-0", "169.254.0.1", "169.254.0.2")}
	batch := []*edit{
		{op: putInterface, iface: iface("if-c-0", "169.254.0.0/29")},                    // overlaps if-a-0
		{op: putPeer, peer: bgpPeer("bgp-d-0", "if-d-0", "169.254.1.1", "169.254.1.2")}, // no interface
		{op: putPeer, peer: bgpPeer("bgp-e-0", "if-e-0", "169.254.2.9", "169.254.2.2")}, // outside the range
		{op: putInterface, iface: iface("if-e-0", "169.254.2.0/30")},
		{op: deleteInterface, name: "if-a-0"},                                           // its peer stays
		{op: putPeer, peer: bgpPeer("bgp-x-0", "if-a-0", "169.254.0.1", "169.254.0.2")}, // interface taken
		{op: putInterface, iface: &computepb.RouterInterface{Name: ptr("if-f-0"), IpRange: ptr("nonsense")}},
	}
	errs, changed := applyEdits(doc, batch)
	wantErr := map[int]string{0: "overlaps", 1: "does not exist", 2: "not within", 4: "still used", 5: "already has", 6: "not a prefix"}
	for i, err := range errs {
		if w, bad := wantErr[i]; bad != (err != nil) || bad && !strings.Contains(err.Error(), w) {
			t.Errorf("edit %d: error %v, want one containing %q", i, err, w)
		}
	}
	if !changed || len(doc.Interfaces) != 2 || len(doc.BgpPeers) != 1 {
		t.Fatalf("changed %v, doc %v", changed, doc)
	}
}

func TestApplyEditsAdoptsAndReplaces(t *testing.T) {
	kept := iface("if-a-0", "169.254.0.0/30")
	kept.LinkedVpnTunnel = ptr("https://compute.googleapis.com/compute/v1/" + kept.GetLinkedVpnTunnel())
	kept.ManagementType = ptr("MANAGED_BY_USER")
	doc := &computepb.Router{Interfaces: []*computepb.RouterInterface{kept}}
	if errs, changed := applyEdits(doc, []*edit{{op: putInterface, iface: iface("if-a-0", "169.254.0.0/30")}}); errs[0] != nil || changed {
		t.Fatalf("the same interface (a URL for a path) was not adopted: %v %v", errs, changed)
	}
	if errs, changed := applyEdits(doc, []*edit{{op: putInterface, iface: iface("if-a-0", "169.254.0.4/30")}}); errs[0] != nil || !changed {
		t.Fatalf("a changed interface was not replaced: %v %v", errs, changed)
	}
	if len(doc.Interfaces) != 1 || doc.Interfaces[0].GetIpRange() != "169.254.0.4/30" || doc.Interfaces[0].GetManagementType() != "MANAGED_BY_USER" {
		t.Fatalf("replacement lost or duplicated: %v", doc.Interfaces)
	}
	if kept.GetIpRange() != "169.254.0.0/30" {
		t.Fatal("the replacement edited the original document")
	}
	if errs, changed := applyEdits(doc, []*edit{{op: deletePeer, name: "bgp-none"}, {op: deleteInterface, name: "if-none"}}); errs[0] != nil || errs[1] != nil || changed {
		t.Fatalf("deleting what is missing: %v %v", errs, changed)
	}
}

func TestRouterWrite(t *testing.T) {
	one := &computepb.Router{Name: ptr("r"), Interfaces: []*computepb.RouterInterface{iface("if-a-0", "169.254.0.0/30")}, Bgp: &computepb.RouterBgp{Asn: ptr(uint32(64512))}}
	none := &computepb.Router{Name: ptr("r"), Bgp: &computepb.RouterBgp{Asn: ptr(uint32(64512))}}
	if body, put := routerWrite(one, none); !put || body.GetName() != "r" {
		t.Fatalf("emptying the interfaces must PUT the whole document, got put=%v %v", put, body)
	}
	body, put := routerWrite(none, one)
	if put || body.GetName() != "" || len(body.Interfaces) != 1 || body.Bgp != nil {
		t.Fatalf("adding must PATCH only the lists, got put=%v %v", put, body)
	}
	asn := &computepb.Router{Bgp: &computepb.RouterBgp{Asn: ptr(uint32(64513))}}
	if body, put := routerWrite(none, asn); put || body.GetBgp().GetAsn() != 64513 {
		t.Fatalf("an ASN change must be in the PATCH, got put=%v %v", put, body)
	}
}
