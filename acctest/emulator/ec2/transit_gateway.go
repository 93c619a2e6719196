package ec2

import (
	"strconv"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// tgwAttrs is a transit gateway's document (stored by value).
type tgwAttrs struct {
	Description string
	ASN         int64
	// Options, each "enable" or "disable" as on the wire.
	AutoAccept, DefaultAssoc, DefaultProp, VpnEcmp, DNS, Multicast, SGRef string
}

func tgwOf(r *store.Resource) tgwAttrs { a, _ := r.Attrs["tgw"].(tgwAttrs); return a }

// tgwAttAttrs is a transit gateway attachment's document: a VPC attachment
// or the one AWS creates for a VPN connection on the TGW. Its subnets are
// kept apart in Attrs["subnets"] ([]string, which the store copies).
type tgwAttAttrs struct {
	TGW          string
	ResourceType string // "vpc" or "vpn"
	ResourceID   string
	DNS, IPv6    string
	Appliance    string
}

func tgwAttOf(r *store.Resource) tgwAttAttrs { a, _ := r.Attrs["att"].(tgwAttAttrs); return a }

func subnetsOf(r *store.Resource) []string { s, _ := r.Attrs["subnets"].([]string); return s }

// routeTableID is the TGW's default route table, derived from its ID so
// it needs no storage.
func routeTableID(tgw string) string { return "tgw-rtb-" + strings.TrimPrefix(tgw, kTGW.prefix) }

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// tgwRule refuses to delete a TGW that still has attachments.
func tgwRule(v store.View, op store.Op, old, _ *store.Resource) error {
	if op != store.OpDelete {
		return nil
	}
	var ids []string
	for _, a := range v.Find(store.ByKind(kTGWAtt.name)) {
		if a.State != stateDeleted && tgwAttOf(&a).TGW == old.ID {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) > 0 {
		return errState("%s has non-deleted Transit Gateway Attachments: %s", old.ID, strings.Join(ids, ", "))
	}
	return nil
}

// tgwAttachmentRule checks a VPC attachment: the TGW is available, the
// subnets are the VPC's, one per AZ, and the VPC is attached once.
func tgwAttachmentRule(v store.View, op store.Op, _, nw *store.Resource) error {
	if op != store.OpCreate {
		return nil
	}
	a := tgwAttOf(nw)
	g, ok := view(v, kTGW, nw.Scope, a.TGW)
	switch {
	case !ok || gone(g.State):
		return kTGW.missing(a.TGW)
	case g.State != stateAvailable:
		return errState("%s is in invalid state %s", a.TGW, g.State)
	case a.ResourceType != "vpc":
		return nil
	}
	if _, ok := view(v, kVPC, nw.Scope, a.ResourceID); !ok {
		return kVPC.missing(a.ResourceID)
	}
	azs := map[string]string{}
	for _, id := range subnetsOf(nw) {
		s, ok := view(v, kSubnet, nw.Scope, id)
		if !ok {
			return kSubnet.missing(id)
		}
		sa := subnetOf(&s)
		if sa.VpcID != a.ResourceID {
			return errParam("The subnet %s does not belong to %s", id, a.ResourceID)
		}
		if other := azs[sa.AZ]; other != "" {
			return apiErr("DuplicateSubnetsInSameZone", "Duplicate Subnets for same AZ: %s and %s are both in %s", other, id, sa.AZ)
		}
		azs[sa.AZ] = id
	}
	for _, o := range v.Find(store.ByKind(kTGWAtt.name)) {
		if oa := tgwAttOf(&o); !gone(o.State) && oa.TGW == a.TGW && oa.ResourceType == "vpc" && oa.ResourceID == a.ResourceID {
			return apiErr("DuplicateTransitGatewayAttachment", "%s has non-deleted Transit Gateway Attachments with same VPC ID: %s", a.TGW, o.ID)
		}
	}
	return nil
}

// enableOption reads an enable/disable option with its default.
func (c *call) enableOption(key, def string) (string, error) {
	switch v := c.str(key); v {
	case "":
		return def, nil
	case "enable", "disable":
		return v, nil
	default:
		return "", errParam("Value (%s) for parameter %s is invalid. Valid values: enable, disable", v, key)
	}
}

func (c *call) createTransitGateway() ([]node, error) {
	a := tgwAttrs{Description: c.str("Description")}
	n, given, err := c.integer("Options.AmazonSideAsn")
	if err != nil {
		return nil, err
	}
	if a.ASN, err = privateASN(n, given); err != nil {
		return nil, err
	}
	for _, o := range []struct {
		key, def string
		dst      *string
	}{
		{"AutoAcceptSharedAttachments", "disable", &a.AutoAccept},
		{"DefaultRouteTableAssociation", "enable", &a.DefaultAssoc},
		{"DefaultRouteTablePropagation", "enable", &a.DefaultProp},
		{"VpnEcmpSupport", "enable", &a.VpnEcmp},
		{"DnsSupport", "enable", &a.DNS},
		{"MulticastSupport", "disable", &a.Multicast},
		{"SecurityGroupReferencingSupport", "disable", &a.SGRef},
	} {
		if *o.dst, err = c.enableOption("Options."+o.key, o.def); err != nil {
			return nil, err
		}
	}
	tags, err := c.tagSpecs("TagSpecification", kTGW.tagType)
	if err != nil {
		return nil, err
	}
	r, _, err := c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kTGW.name, Scope: c.region, Tags: tags,
		Attrs: map[string]any{"tgw": a}})
	if err != nil {
		return nil, ec2Error(err, kTGW, "")
	}
	return c.renderOne("transitGateway", describeTGWs, r), nil
}

func (c *call) deleteTransitGateway() ([]node, error) {
	id, err := c.required("TransitGatewayId")
	if err != nil {
		return nil, err
	}
	r, err := c.remove(kTGW, id)
	if err != nil {
		return nil, err
	}
	return c.renderOne("transitGateway", describeTGWs, r), nil
}

func (c *call) createTransitGatewayVpcAttachment() ([]node, error) {
	a := tgwAttAttrs{ResourceType: "vpc"}
	var err error
	if a.TGW, err = c.required("TransitGatewayId"); err != nil {
		return nil, err
	}
	if a.ResourceID, err = c.required("VpcId"); err != nil {
		return nil, err
	}
	subnets := c.list("SubnetIds")
	if len(subnets) == 0 {
		return nil, errMissing("SubnetIds")
	}
	for _, o := range []struct {
		key, def string
		dst      *string
	}{{"DnsSupport", "enable", &a.DNS}, {"Ipv6Support", "disable", &a.IPv6}, {"ApplianceModeSupport", "disable", &a.Appliance}} {
		if *o.dst, err = c.enableOption("Options."+o.key, o.def); err != nil {
			return nil, err
		}
	}
	// The plural spelling is this action's own (see the SDK serializer).
	tags, err := c.tagSpecs("TagSpecifications", kTGWAtt.tagType)
	if err != nil {
		return nil, err
	}
	if _, err := c.findLive(kTGW, a.TGW); err != nil {
		return nil, err
	}
	r, _, err := c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kTGWAtt.name, Scope: c.region, Tags: tags,
		Attrs: map[string]any{"att": a, "subnets": subnets}})
	if err != nil {
		return nil, ec2Error(err, kTGWAtt, "")
	}
	return c.renderOne("transitGatewayVpcAttachment", describeTGWVpcAtts, r), nil
}

func (c *call) deleteTransitGatewayVpcAttachment() ([]node, error) {
	id, err := c.required("TransitGatewayAttachmentId")
	if err != nil {
		return nil, err
	}
	if r, err := c.find(kTGWAtt, id); err != nil {
		return nil, err
	} else if tgwAttOf(&r).ResourceType != "vpc" {
		return nil, kTGWAtt.missing(id)
	}
	r, err := c.remove(kTGWAtt, id)
	if err != nil {
		return nil, err
	}
	return c.renderOne("transitGatewayVpcAttachment", describeTGWVpcAtts, r), nil
}

// attachVPN creates the attachment AWS makes for a VPN connection on a TGW.
func (c *call) attachVPN(vpn, tgw string) (store.Resource, error) {
	r, _, err := c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kTGWAtt.name, Scope: c.region,
		Attrs: map[string]any{"att": tgwAttAttrs{TGW: tgw, ResourceType: "vpn", ResourceID: vpn}}})
	return r, ec2Error(err, kTGW, tgw)
}

// detachVPN deletes it again (with the connection, or when the connection
// moves to another gateway).
func (c *call) detachVPN(vpn, tgw string) error {
	if tgw == "" {
		return nil
	}
	var atts []store.Resource
	c.f.st.Read(func(v store.View) {
		atts = v.Find(func(r *store.Resource) bool {
			a := tgwAttOf(r)
			return r.Kind == kTGWAtt.name && !gone(r.State) && a.TGW == tgw && a.ResourceType == "vpn" && a.ResourceID == vpn
		})
	})
	for _, a := range atts {
		if _, err := c.f.st.Delete(a.ID); err != nil && !store.IsCode(err, store.CodeNotFound) {
			return ec2Error(err, kTGWAtt, a.ID)
		}
	}
	return nil
}

func tgwField(get func(a tgwAttrs) string) fieldFn {
	return func(_ store.View, r *store.Resource) []string { return one(get(tgwOf(r))) }
}

func attField(get func(a tgwAttAttrs) string) fieldFn {
	return func(_ store.View, r *store.Resource) []string { return one(get(tgwAttOf(r))) }
}

var describeTGWs = &describer{
	k: kTGW, idParam: "TransitGatewayIds", wrapper: "transitGatewaySet", paged: true,
	fields: map[string]fieldFn{
		"transit-gateway-id":       idField,
		"state":                    stateField,
		"owner-id":                 ownerField,
		"options.amazon-side-asn":  tgwField(func(a tgwAttrs) string { return strconv.FormatInt(a.ASN, 10) }),
		"options.vpn-ecmp-support": tgwField(func(a tgwAttrs) string { return a.VpnEcmp }),
		"options.dns-support":      tgwField(func(a tgwAttrs) string { return a.DNS }),
	},
	render: func(c *call, _ store.View, r store.Resource) node {
		a := tgwOf(&r)
		rtb := routeTableID(r.ID)
		return el("item", tx("transitGatewayId", r.ID),
			tx("transitGatewayArn", "arn:aws:ec2:"+r.Scope+":"+accountID+":transit-gateway/"+r.ID),
			tx("state", r.State), tx("ownerId", accountID), tx("description", a.Description),
			tx("creationTime", isoTime(r.CreatedAt)),
			el("options", num("amazonSideAsn", a.ASN), tx("autoAcceptSharedAttachments", a.AutoAccept),
				tx("defaultRouteTableAssociation", a.DefaultAssoc), tx("associationDefaultRouteTableId", rtb),
				tx("defaultRouteTablePropagation", a.DefaultProp), tx("propagationDefaultRouteTableId", rtb),
				tx("vpnEcmpSupport", a.VpnEcmp), tx("dnsSupport", a.DNS), tx("multicastSupport", a.Multicast),
				tx("securityGroupReferencingSupport", a.SGRef)),
			tagSet(r.Tags))
	},
}

var describeTGWAtts = &describer{
	k: kTGWAtt, idParam: "TransitGatewayAttachmentIds", wrapper: "transitGatewayAttachments", paged: true,
	fields: map[string]fieldFn{
		"transit-gateway-attachment-id": idField,
		"state":                         stateField,
		"transit-gateway-id":            attField(func(a tgwAttAttrs) string { return a.TGW }),
		"resource-type":                 attField(func(a tgwAttAttrs) string { return a.ResourceType }),
		"resource-id":                   attField(func(a tgwAttAttrs) string { return a.ResourceID }),
		"resource-owner-id":             ownerField,
		"transit-gateway-owner-id":      ownerField,
	},
	render: func(_ *call, _ store.View, r store.Resource) node {
		a := tgwAttOf(&r)
		var assoc node
		if r.State == stateAvailable {
			assoc = el("association", tx("transitGatewayRouteTableId", routeTableID(a.TGW)), tx("state", "associated"))
		}
		return el("item", tx("transitGatewayAttachmentId", r.ID), tx("transitGatewayId", a.TGW),
			tx("transitGatewayOwnerId", accountID), tx("resourceOwnerId", accountID),
			tx("resourceType", a.ResourceType), tx("resourceId", a.ResourceID), tx("state", r.State),
			assoc, tx("creationTime", isoTime(r.CreatedAt)), tagSet(r.Tags))
	},
}

var describeTGWVpcAtts = &describer{
	k: kTGWAtt, idParam: "TransitGatewayAttachmentIds", wrapper: "transitGatewayVpcAttachments", paged: true,
	only: func(r *store.Resource) bool { return tgwAttOf(r).ResourceType == "vpc" },
	fields: map[string]fieldFn{
		"transit-gateway-attachment-id": idField,
		"state":                         stateField,
		"transit-gateway-id":            attField(func(a tgwAttAttrs) string { return a.TGW }),
		"vpc-id":                        attField(func(a tgwAttAttrs) string { return a.ResourceID }),
		"vpc-owner-id":                  ownerField,
	},
	render: func(_ *call, _ store.View, r store.Resource) node {
		a := tgwAttOf(&r)
		return el("item", tx("transitGatewayAttachmentId", r.ID), tx("transitGatewayId", a.TGW),
			tx("vpcId", a.ResourceID), tx("vpcOwnerId", accountID), tx("state", r.State),
			textSet("subnetIds", subnetsOf(&r)), tx("creationTime", isoTime(r.CreatedAt)),
			el("options", tx("dnsSupport", a.DNS), tx("ipv6Support", a.IPv6), tx("applianceModeSupport", a.Appliance)),
			tagSet(r.Tags))
	},
}
