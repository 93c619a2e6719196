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

// put is the edit that puts the BGP peer "bgp-<s>" on interface "if-<s>".
func put(s, rng, ip, peerIP string) *edit {
	return &edit{op: putPeer, iface: iface("if-"+s, rng), peer: bgpPeer("bgp-"+s, "if-"+s, ip, peerIP)}
}

// del is the edit that removes them.
func del(s string) *edit {
	return &edit{op: deletePeer, iface: &computepb.RouterInterface{Name: ptr("if-" + s)}, peer: &computepb.RouterBgpPeer{Name: ptr("bgp-" + s)}}
}

// TestApplyEditsDeletesFirst: a batch that removes one session and adds
// another on the range it frees is valid in either arrival order.
func TestApplyEditsDeletesFirst(t *testing.T) {
	doc := &computepb.Router{}
	if errs, changed := applyEdits(doc, []*edit{put("a-0", "169.254.0.0/30", "169.254.0.1", "169.254.0.2")}); errs[0] != nil || !changed {
		t.Fatalf("errs %v changed %v", errs, changed)
	}
	errs, changed := applyEdits(doc, []*edit{put("b-0", "169.254.0.0/30", "169.254.0.1", "169.254.0.2"), del("a-0")})
	if errs[0] != nil || errs[1] != nil || !changed {
		t.Fatalf("errs %v changed %v", errs, changed)
	}
	if len(doc.Interfaces) != 1 || len(doc.BgpPeers) != 1 || doc.Interfaces[0].GetName() != "if-b-0" || doc.BgpPeers[0].GetInterfaceName() != "if-b-0" {
		t.Fatalf("doc %v", doc)
	}
	if errs, changed = applyEdits(doc, []*edit{del("b-0")}); errs[0] != nil || !changed || len(doc.Interfaces)+len(doc.BgpPeers) != 0 {
		t.Fatalf("errs %v changed %v doc %v", errs, changed, doc)
	}
}

// TestApplyEditsRefusesOnlyTheBadEdit: each refused edit fails alone and
// leaves nothing behind, not even the interface half of a put whose peer
// was refused.
func TestApplyEditsRefusesOnlyTheBadEdit(t *testing.T) {
	doc := &computepb.Router{Interfaces: []*computepb.RouterInterface{iface("if-a-0", "169.254.0.0/30"), iface("if-h-0", "169.254.7.0/30")}}
	doc.BgpPeers = []*computepb.RouterBgpPeer{bgpPeer("bgp-a-0", "if-a-0", "169.254.0.1", "169.254.0.2"), bgpPeer("custom", "if-h-0", "169.254.7.1", "169.254.7.2")}
	noASN := put("n-0", "169.254.4.0/30", "169.254.4.1", "169.254.4.2")
	noASN.peer.PeerAsn = nil
	taken := put("x-0", "169.254.0.0/30", "169.254.0.1", "169.254.0.2")
	taken.iface.Name, taken.peer.InterfaceName = ptr("if-a-0"), ptr("if-a-0")
	batch := []*edit{
		put("c-0", "169.254.0.0/29", "169.254.0.1", "169.254.0.2"), // overlaps if-a-0
		put("e-0", "169.254.2.0/30", "169.254.2.9", "169.254.2.2"), // outside the range
		taken, // if-a-0 has a peer already
		put("f-0", "nonsense", "169.254.5.1", "169.254.5.2"),
		put("g-0", "169.254.3.0/30", "169.254.3.1", "169.254.3.2"),
		del("h-0"), // a peer crosslink did not make uses if-h-0
		noASN,
	}
	errs, changed := applyEdits(doc, batch)
	wantErr := map[int]string{0: "overlaps", 1: "not within", 2: "already has", 3: "not a prefix", 5: "still used", 6: "no peer ASN"}
	for i, err := range errs {
		if w, bad := wantErr[i]; bad != (err != nil) || bad && !strings.Contains(err.Error(), w) {
			t.Errorf("edit %d: error %v, want one containing %q", i, err, w)
		}
	}
	var names []string
	for _, i := range doc.Interfaces {
		names = append(names, i.GetName())
	}
	for _, p := range doc.BgpPeers {
		names = append(names, p.GetName())
	}
	if want := "if-a-0 if-h-0 if-g-0 bgp-a-0 custom bgp-g-0"; !changed || strings.Join(names, " ") != want {
		t.Fatalf("changed %v, entries %v, want %s", changed, names, want)
	}
}

// TestApplyEditsAdoptsAndReplaces: a put of what the router holds changes
// nothing; a put of something else replaces the entries in place and keeps
// the settings crosslink does not manage.
func TestApplyEditsAdoptsAndReplaces(t *testing.T) {
	kept := iface("if-a-0", "169.254.0.0/30")
	kept.LinkedVpnTunnel = ptr("https://compute.googleapis.com/compute/v1/" + kept.GetLinkedVpnTunnel())
	kept.ManagementType = ptr("MANAGED_BY_USER")
	doc := &computepb.Router{Interfaces: []*computepb.RouterInterface{kept}, BgpPeers: []*computepb.RouterBgpPeer{bgpPeer("bgp-a-0", "if-a-0", "169.254.0.1", "169.254.0.2")}}
	if errs, changed := applyEdits(doc, []*edit{put("a-0", "169.254.0.0/30", "169.254.0.1", "169.254.0.2")}); errs[0] != nil || changed {
		t.Fatalf("the same session (a URL for a path) was not adopted: %v %v", errs, changed)
	}
	if errs, changed := applyEdits(doc, []*edit{put("a-0", "169.254.0.4/30", "169.254.0.5", "169.254.0.6")}); errs[0] != nil || !changed {
		t.Fatalf("a changed session was not replaced: %v %v", errs, changed)
	}
	if len(doc.Interfaces) != 1 || doc.Interfaces[0].GetIpRange() != "169.254.0.4/30" || doc.Interfaces[0].GetManagementType() != "MANAGED_BY_USER" ||
		len(doc.BgpPeers) != 1 || doc.BgpPeers[0].GetIpAddress() != "169.254.0.5" {
		t.Fatalf("replacement lost or duplicated: %v", doc)
	}
	if kept.GetIpRange() != "169.254.0.0/30" {
		t.Fatal("the replacement edited the original document")
	}
	if errs, changed := applyEdits(doc, []*edit{del("none")}); errs[0] != nil || changed {
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
