package ec2

import (
	"errors"
	"net/netip"
	"strconv"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// cgwAttrs is a customer gateway's document. Stored by value in
// Resource.Attrs: it holds no references, so the store's copies never
// alias.
type cgwAttrs struct {
	Type       string
	IP         string
	ASN        int64
	Extended   bool // the ASN came as BgpAsnExtended (above 2^31-1)
	DeviceName string
}

func cgwOf(r *store.Resource) cgwAttrs { a, _ := r.Attrs["cgw"].(cgwAttrs); return a }

// errDuplicateCGW is how cgwRule tells the handler that an identical
// gateway appeared concurrently: the handler then returns that one.
var errDuplicateCGW = errors.New("identical customer gateway exists")

// cgwRule keeps creates idempotent under concurrency and refuses to delete
// a gateway a VPN connection still uses.
func cgwRule(v store.View, op store.Op, old, nw *store.Resource) error {
	switch op {
	case store.OpCreate:
		if len(v.Find(sameCGW(nw))) > 0 {
			return errDuplicateCGW
		}
	case store.OpDelete:
		for _, c := range v.Find(store.ByKind(kVPN.name)) {
			if c.State != stateDeleted && vpnOf(&c).CustomerGatewayID == old.ID {
				return errState("The customer gateway '%s' is in use by %s", old.ID, c.ID)
			}
		}
	}
	return nil
}

// sameCGW matches live gateways EC2 would return instead of creating one.
func sameCGW(want *store.Resource) store.Filter {
	a := cgwOf(want)
	return func(r *store.Resource) bool {
		return r.Kind == kCGW.name && r.Scope == want.Scope && r.ID != want.ID && !gone(r.State) && cgwOf(r) == a
	}
}

func (c *call) createCustomerGateway() ([]node, error) {
	a := cgwAttrs{Type: c.str("Type"), IP: c.str("IpAddress"), DeviceName: c.str("DeviceName")}
	if a.Type != "ipsec.1" {
		return nil, errParam("Value (%s) for parameter type is invalid. Valid values: ipsec.1", a.Type)
	}
	if a.IP == "" {
		a.IP = c.str("PublicIp") // the deprecated spelling
	}
	if ip, err := netip.ParseAddr(a.IP); err != nil || !ip.Is4() {
		return nil, errParam("Value (%s) for parameter ipAddress is invalid. Expected an IPv4 address.", a.IP)
	}
	asn, hasASN, err := c.integer("BgpAsn")
	if err != nil {
		return nil, err
	}
	ext, hasExt, err := c.integer("BgpAsnExtended")
	switch {
	case err != nil:
		return nil, err
	case hasASN && hasExt:
		return nil, errParam("Only one of BgpAsn and BgpAsnExtended may be specified")
	case hasExt && (ext < 2147483648 || ext > 4294967295):
		return nil, errParam("Value (%d) for parameter BgpAsnExtended is invalid. Valid range: 2147483648-4294967295.", ext)
	case hasExt:
		a.ASN, a.Extended = ext, true
	case !hasASN:
		a.ASN = 65000
	case asn < 1 || asn > 2147483647:
		return nil, errParam("Value (%d) for parameter BgpAsn is invalid. Valid range: 1-2147483647.", asn)
	default:
		a.ASN = asn
	}
	tags, err := c.tagSpecs("TagSpecification", kCGW.tagType)
	if err != nil {
		return nil, err
	}
	want := store.Resource{Scope: c.region, Attrs: map[string]any{"cgw": a}}
	for range 3 {
		var existing []store.Resource
		c.f.st.Read(func(v store.View) { existing = v.Find(sameCGW(&want)) })
		if len(existing) > 0 {
			return []node{as("customerGateway", renderCGW(existing[0]))}, nil
		}
		r, _, err := c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kCGW.name, Scope: c.region, Tags: tags, Attrs: want.Attrs})
		if !errors.Is(err, errDuplicateCGW) {
			if err != nil {
				return nil, ec2Error(err, kCGW, "")
			}
			return []node{as("customerGateway", renderCGW(r))}, nil
		}
	}
	return nil, errState("The customer gateway is being created concurrently; retry")
}

func (c *call) deleteCustomerGateway() ([]node, error) {
	id, err := c.required("CustomerGatewayId")
	if err != nil {
		return nil, err
	}
	if _, err := c.remove(kCGW, id); err != nil {
		return nil, err
	}
	return []node{flag("return", true)}, nil
}

var describeCGWs = &describer{
	k: kCGW, idParam: "CustomerGatewayId", wrapper: "customerGatewaySet",
	fields: map[string]fieldFn{
		"customer-gateway-id": idField,
		"state":               stateField,
		"type":                func(_ store.View, r *store.Resource) []string { return one(cgwOf(r).Type) },
		"ip-address":          func(_ store.View, r *store.Resource) []string { return one(cgwOf(r).IP) },
		"bgp-asn":             func(_ store.View, r *store.Resource) []string { return one(strconv.FormatInt(cgwOf(r).ASN, 10)) },
		"device-name":         func(_ store.View, r *store.Resource) []string { return one(cgwOf(r).DeviceName) },
	},
	render: func(_ *call, _ store.View, r store.Resource) node { return renderCGW(r) },
}

func renderCGW(r store.Resource) node {
	a := cgwOf(&r)
	asn := tx("bgpAsn", strconv.FormatInt(a.ASN, 10))
	if a.Extended {
		// EC2 reports an extended ASN only in bgpAsnExtended.
		asn = tx("bgpAsnExtended", strconv.FormatInt(a.ASN, 10))
	}
	return el("item",
		tx("customerGatewayId", r.ID), tx("state", r.State), tx("type", a.Type),
		tx("ipAddress", a.IP), asn, tx("deviceName", a.DeviceName), tagSet(r.Tags))
}
