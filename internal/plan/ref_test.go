package plan

import "testing"

func TestResolve(t *testing.T) {
	gw := Object{Key: "gcp/g/ha_vpn_gateway/main", ID: "gw-1", Attrs: map[string]string{"interface.0.ip": "203.0.113.5"}}
	lookup := func(k string) (Object, bool) { return gw, k == gw.Key }
	o := Object{Key: "aws/a/customer_gateway/g-0", Attrs: map[string]string{
		"ip_address": Ref(gw.Key, "interface.0.ip"), "gateway": Ref(gw.Key, "id"), "asn": "65001",
	}}
	r, ok := Resolve(o, lookup)
	if !ok || r.Attrs["ip_address"] != "203.0.113.5" || r.Attrs["gateway"] != "gw-1" || r.Attrs["asn"] != "65001" {
		t.Fatalf("resolved %v ok=%v", r.Attrs, ok)
	}
	if o.Attrs["gateway"] != Ref(gw.Key, "id") {
		t.Fatal("Resolve changed its input")
	}
	o.Attrs["peer"] = Ref("gcp/x/ha_vpn_gateway/main", "id")
	if r, ok := Resolve(o, lookup); ok || r.Attrs["peer"] != o.Attrs["peer"] {
		t.Fatalf("unresolvable ref: ok=%v %q", ok, r.Attrs["peer"])
	}
	if got := depsOf(Ref(gw.Key, "interface.1.ip")); len(got) != 1 || got[0] != gw.Key {
		t.Fatalf("depsOf = %v", got)
	}
}
