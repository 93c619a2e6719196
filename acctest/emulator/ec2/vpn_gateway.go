package ec2

import (
	"strconv"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// vgwAttrs is a virtual private gateway's document (stored by value).
type vgwAttrs struct {
	Type string
	AZ   string
	ASN  int64
}

func vgwOf(r *store.Resource) vgwAttrs { a, _ := r.Attrs["vgw"].(vgwAttrs); return a }

// A VGW attachment is a resource of its own, so attaching→attached and
// detaching→detached run on the store's clock like every other state;
// once detached it vanishes, leaving the VGW's attachment list.
func attOf(r *store.Resource) (vgw, vpc string) {
	vgw, _ = r.Attrs["vgw"].(string)
	vpc, _ = r.Attrs["vpc"].(string)
	return vgw, vpc
}

func attachmentsOf(v store.View, vgw string) []store.Resource {
	return v.Find(store.And(store.ByKind(kVGWAtt.name), store.AttrEquals("vgw", vgw)))
}

// privateASN checks an Amazon-side ASN: EC2 accepts only private ones.
func privateASN(n int64, given bool) (int64, error) {
	if !given {
		return 64512, nil
	}
	if (n >= 64512 && n <= 65534) || (n >= 4200000000 && n <= 4294967294) {
		return n, nil
	}
	return 0, errParam("Value (%d) for parameter amazonSideAsn is invalid. It must be a private ASN: 64512-65534 or 4200000000-4294967294.", n)
}

// vgwRule refuses to delete a gateway that is attached, detaching, or used
// by a VPN connection (terraform-provider-aws retries on this IncorrectState).
func vgwRule(v store.View, op store.Op, old, _ *store.Resource) error {
	if op != store.OpDelete {
		return nil
	}
	if atts := attachmentsOf(v, old.ID); len(atts) > 0 {
		_, vpc := attOf(&atts[0])
		return errState("The vpnGateway '%s' is %s to %s; detach it first", old.ID, atts[0].State, vpc)
	}
	for _, c := range v.Find(store.ByKind(kVPN.name)) {
		if c.State != stateDeleted && vpnOf(&c).VpnGatewayID == old.ID {
			return errState("The vpnGateway '%s' is in use by %s", old.ID, c.ID)
		}
	}
	return nil
}

// vgwAttachmentRule: a VGW attaches to one VPC, a VPC has one VGW.
func vgwAttachmentRule(v store.View, op store.Op, _, nw *store.Resource) error {
	if op != store.OpCreate {
		return nil
	}
	vgwID, vpcID := attOf(nw)
	g, ok := view(v, kVGW, nw.Scope, vgwID)
	switch {
	case !ok || gone(g.State):
		return kVGW.missing(vgwID)
	case g.State != stateAvailable:
		return errState("The vpnGateway '%s' is %s", vgwID, g.State)
	}
	if _, ok := view(v, kVPC, nw.Scope, vpcID); !ok {
		return kVPC.missing(vpcID)
	}
	if atts := attachmentsOf(v, vgwID); len(atts) > 0 {
		if _, other := attOf(&atts[0]); other != vpcID {
			return apiErr("VpnGatewayAttachmentLimitExceeded", "The vpnGateway '%s' is already attached to %s", vgwID, other)
		}
		return errState("The vpnGateway '%s' is %s to %s", vgwID, atts[0].State, vpcID)
	}
	if atts := v.Find(store.And(store.ByKind(kVGWAtt.name), store.AttrEquals("vpc", vpcID))); len(atts) > 0 {
		other, _ := attOf(&atts[0])
		return apiErr("InvalidVpcState", "The VPC '%s' already has the virtual private gateway %s attached", vpcID, other)
	}
	return nil
}

func (c *call) createVpnGateway() ([]node, error) {
	a := vgwAttrs{Type: c.str("Type"), AZ: c.str("AvailabilityZone")}
	if a.Type != "ipsec.1" {
		return nil, errParam("Value (%s) for parameter type is invalid. Valid values: ipsec.1", a.Type)
	}
	n, given, err := c.integer("AmazonSideAsn")
	if err != nil {
		return nil, err
	}
	if a.ASN, err = privateASN(n, given); err != nil {
		return nil, err
	}
	tags, err := c.tagSpecs("TagSpecification", kVGW.tagType)
	if err != nil {
		return nil, err
	}
	r, _, err := c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kVGW.name, Scope: c.region, Tags: tags,
		Attrs: map[string]any{"vgw": a}})
	if err != nil {
		return nil, ec2Error(err, kVGW, "")
	}
	return c.renderOne("vpnGateway", describeVGWs, r), nil
}

func (c *call) deleteVpnGateway() ([]node, error) {
	id, err := c.required("VpnGatewayId")
	if err != nil {
		return nil, err
	}
	if _, err := c.remove(kVGW, id); err != nil {
		return nil, err
	}
	return []node{flag("return", true)}, nil
}

// attachment returns the live attachment of vgw to vpc, if any.
func (c *call) attachment(vgw, vpc string) (store.Resource, bool) {
	var found []store.Resource
	c.f.st.Read(func(v store.View) {
		found = v.Find(store.And(store.ByKind(kVGWAtt.name), store.AttrEquals("vgw", vgw), store.AttrEquals("vpc", vpc)))
	})
	if len(found) == 0 {
		return store.Resource{}, false
	}
	return found[0], true
}

func (c *call) attachVpnGateway() ([]node, error) {
	vgw, err := c.required("VpnGatewayId")
	if err != nil {
		return nil, err
	}
	vpc, err := c.required("VpcId")
	if err != nil {
		return nil, err
	}
	if _, err := c.findLive(kVGW, vgw); err != nil {
		return nil, err
	}
	// Attaching again what is attaching or attached is a no-op on EC2.
	a, ok := c.attachment(vgw, vpc)
	if !ok || a.State == stateDetaching {
		if a, _, err = c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kVGWAtt.name, Scope: c.region,
			Attrs: map[string]any{"vgw": vgw, "vpc": vpc}}); err != nil {
			return nil, ec2Error(err, kVGW, vgw)
		}
	}
	return []node{el("attachment", tx("vpcId", vpc), tx("state", a.State))}, nil
}

func (c *call) detachVpnGateway() ([]node, error) {
	vgw, err := c.required("VpnGatewayId")
	if err != nil {
		return nil, err
	}
	vpc, err := c.required("VpcId")
	if err != nil {
		return nil, err
	}
	if _, err := c.find(kVGW, vgw); err != nil {
		return nil, err
	}
	a, ok := c.attachment(vgw, vpc)
	if !ok {
		return nil, apiErr(kVGWAtt.notFound, "The attachment with vpn gateway ID '%s' and vpc ID '%s' does not exist", vgw, vpc)
	}
	if _, err := c.f.st.Delete(a.ID); err != nil {
		return nil, ec2Error(err, kVGWAtt, a.ID)
	}
	return []node{flag("return", true)}, nil
}

// attachmentField reads a field of a VGW's live attachments.
func attachmentField(get func(a *store.Resource) string) fieldFn {
	return func(v store.View, r *store.Resource) []string {
		var out []string
		for _, a := range attachmentsOf(v, r.ID) {
			out = append(out, get(&a))
		}
		return out
	}
}

var describeVGWs = &describer{
	k: kVGW, idParam: "VpnGatewayId", wrapper: "vpnGatewaySet",
	fields: map[string]fieldFn{
		"vpn-gateway-id":    idField,
		"state":             stateField,
		"type":              func(_ store.View, r *store.Resource) []string { return one(vgwOf(r).Type) },
		"availability-zone": func(_ store.View, r *store.Resource) []string { return one(vgwOf(r).AZ) },
		"amazon-side-asn":   func(_ store.View, r *store.Resource) []string { return one(strconv.FormatInt(vgwOf(r).ASN, 10)) },
		"attachment.vpc-id": attachmentField(func(a *store.Resource) string { _, vpc := attOf(a); return vpc }),
		"attachment.state":  attachmentField(func(a *store.Resource) string { return a.State }),
	},
	render: func(_ *call, v store.View, r store.Resource) node {
		a := vgwOf(&r)
		var atts []node
		for _, at := range attachmentsOf(v, r.ID) {
			_, vpc := attOf(&at)
			atts = append(atts, el("item", tx("vpcId", vpc), tx("state", at.State)))
		}
		return el("item", tx("vpnGatewayId", r.ID), tx("state", r.State), tx("type", a.Type),
			tx("availabilityZone", a.AZ), num("amazonSideAsn", a.ASN), set("attachments", atts...), tagSet(r.Tags))
	},
}

// renderOne renders one resource as the named element of a create reply.
func (c *call) renderOne(name string, d *describer, r store.Resource) []node {
	var n node
	c.f.st.Read(func(v store.View) { n = d.render(c, v, r) })
	return []node{as(name, n)}
}
