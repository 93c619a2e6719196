package ec2

import (
	"strconv"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// vpnAttrs is a VPN connection's document (stored by value: the tunnels
// are an array, not a slice). The customer gateway's address and ASN and
// the gateway's ASN are copied in at create/modify time — they never
// change for a given ID — so rendering needs no other resource.
type vpnAttrs struct {
	Type              string
	CustomerGatewayID string
	VpnGatewayID      string
	TransitGatewayID  string
	StaticRoutesOnly  bool
	CgwIP             string
	CgwASN            int64
	GatewayASN        int64
	Tunnels           [2]tunnelAttrs
}

func vpnOf(r *store.Resource) vpnAttrs { a, _ := r.Attrs["vpn"].(vpnAttrs); return a }

// gateway is the VGW or TGW the connection terminates on.
func (a vpnAttrs) gateway() string {
	if a.TransitGatewayID != "" {
		return a.TransitGatewayID
	}
	return a.VpnGatewayID
}

// vpnRule checks what a create or modify points at, under the store lock:
// the customer gateway and the VGW/TGW exist (and are available), one VGW
// has one connection per customer gateway, and inside /30s are unique per
// gateway.
func vpnRule(v store.View, op store.Op, old, nw *store.Resource) error {
	if op == store.OpDelete {
		return nil
	}
	a := vpnOf(nw)
	var o vpnAttrs
	if old != nil {
		o = vpnOf(old)
	}
	refsChanged := old == nil || a.CustomerGatewayID != o.CustomerGatewayID || a.gateway() != o.gateway()
	if refsChanged {
		if g, ok := view(v, kCGW, nw.Scope, a.CustomerGatewayID); !ok || gone(g.State) {
			return kCGW.missing(a.CustomerGatewayID)
		}
		if err := gatewayUsable(v, nw.Scope, a); err != nil {
			return err
		}
		if a.VpnGatewayID != "" {
			for _, c := range v.Find(store.ByKind(kVPN.name)) {
				if ca := vpnOf(&c); c.ID != nw.ID && c.State != stateDeleted &&
					ca.VpnGatewayID == a.VpnGatewayID && ca.CustomerGatewayID == a.CustomerGatewayID {
					return apiErr("InvalidOption.Conflict", "A VPN connection between %s and %s already exists: %s",
						a.VpnGatewayID, a.CustomerGatewayID, c.ID)
				}
			}
		}
	}
	if refsChanged || a.Tunnels != o.Tunnels {
		used := usedInside(v, a.gateway(), nw.ID)
		for _, t := range a.Tunnels {
			if by := used[t.InsideCIDR]; by != "" {
				return errParam("The tunnel inside CIDR %s is already in use by %s on %s", t.InsideCIDR, by, a.gateway())
			}
		}
	}
	return nil
}

func gatewayUsable(v store.View, region string, a vpnAttrs) error {
	if a.VpnGatewayID != "" {
		g, ok := view(v, kVGW, region, a.VpnGatewayID)
		switch {
		case !ok || gone(g.State):
			return kVGW.missing(a.VpnGatewayID)
		case g.State != stateAvailable:
			return apiErr("InvalidVpnGatewayState", "The virtual private gateway %s is %s, not available", g.ID, g.State)
		}
		return nil
	}
	g, ok := view(v, kTGW, region, a.TransitGatewayID)
	switch {
	case !ok || gone(g.State):
		return kTGW.missing(a.TransitGatewayID)
	case g.State != stateAvailable:
		return errState("%s is in invalid state %s", g.ID, g.State)
	}
	return nil
}

// gatewayIDs reads VpnGatewayId / TransitGatewayId, of which a create
// needs exactly one and a modify at most one.
func (c *call) gatewayIDs(needOne bool) (vgw, tgw string, err error) {
	vgw, tgw = c.str("VpnGatewayId"), c.str("TransitGatewayId")
	switch {
	case vgw != "" && tgw != "":
		return "", "", errParam("The request must not contain both parameter vpnGatewayId and transitGatewayId")
	case needOne && vgw == "" && tgw == "":
		return "", "", errParam("The request must contain either parameter vpnGatewayId or transitGatewayId")
	}
	return vgw, tgw, nil
}

// setCGW and setGateway copy in the referenced objects' immutable facts.
func (c *call) setCGW(a *vpnAttrs, id string) error {
	g, err := c.findLive(kCGW, id)
	if err != nil {
		return err
	}
	ga := cgwOf(&g)
	a.CustomerGatewayID, a.CgwIP, a.CgwASN = id, ga.IP, ga.ASN
	return nil
}

func (c *call) setGateway(a *vpnAttrs, vgw, tgw string) error {
	if vgw != "" {
		g, err := c.findLive(kVGW, vgw)
		if err != nil {
			return err
		}
		a.VpnGatewayID, a.TransitGatewayID, a.GatewayASN = vgw, "", vgwOf(&g).ASN
		return nil
	}
	g, err := c.findLive(kTGW, tgw)
	if err != nil {
		return err
	}
	a.VpnGatewayID, a.TransitGatewayID, a.GatewayASN = "", tgw, tgwOf(&g).ASN
	return nil
}

func (c *call) createVpnConnection() ([]node, error) {
	a := vpnAttrs{Type: c.str("Type")}
	if a.Type != "ipsec.1" {
		return nil, errParam("Value (%s) for parameter type is invalid. Valid values: ipsec.1", a.Type)
	}
	cgw, err := c.required("CustomerGatewayId")
	if err != nil {
		return nil, err
	}
	vgw, tgw, err := c.gatewayIDs(true)
	if err != nil {
		return nil, err
	}
	if a.StaticRoutesOnly, err = c.boolean("Options.StaticRoutesOnly"); err != nil {
		return nil, err
	}
	if a.Tunnels, err = c.tunnelSpecs(); err != nil {
		return nil, err
	}
	tags, err := c.tagSpecs("TagSpecification", kVPN.tagType)
	if err != nil {
		return nil, err
	}
	if err := c.setCGW(&a, cgw); err != nil {
		return nil, err
	}
	if err := c.setGateway(&a, vgw, tgw); err != nil {
		return nil, err
	}
	if err := c.pickInside(&a.Tunnels, a.gateway()); err != nil {
		return nil, err
	}
	ips, err := c.f.allocIPs(2)
	if err != nil {
		return nil, err
	}
	for i := range a.Tunnels {
		a.Tunnels[i].OutsideIP = ips[i]
		if a.Tunnels[i].PSK == "" {
			a.Tunnels[i].PSK = newPSK()
		}
	}
	r, _, err := c.f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kVPN.name, Scope: c.region, Tags: tags,
		Attrs: map[string]any{"vpn": a}})
	if err != nil {
		return nil, ec2Error(err, kVPN, "")
	}
	if tgw != "" {
		// AWS attaches the connection to the TGW itself.
		if _, err := c.attachVPN(r.ID, tgw); err != nil {
			_, _ = c.f.st.Delete(r.ID)
			return nil, err
		}
	}
	return c.renderVPN(r), nil
}

func (c *call) deleteVpnConnection() ([]node, error) {
	id, err := c.required("VpnConnectionId")
	if err != nil {
		return nil, err
	}
	r, err := c.remove(kVPN, id)
	if err != nil {
		return nil, err
	}
	if err := c.detachVPN(id, vpnOf(&r).TransitGatewayID); err != nil {
		return nil, err
	}
	return []node{flag("return", true)}, nil
}

func (c *call) modifyVpnConnection() ([]node, error) {
	id, err := c.required("VpnConnectionId")
	if err != nil {
		return nil, err
	}
	cgw := c.str("CustomerGatewayId")
	vgw, tgw, err := c.gatewayIDs(false)
	if err != nil {
		return nil, err
	}
	if cgw == "" && vgw == "" && tgw == "" {
		return nil, errMissing("CustomerGatewayId, VpnGatewayId or TransitGatewayId")
	}
	var want vpnAttrs
	if cgw != "" {
		if err := c.setCGW(&want, cgw); err != nil {
			return nil, err
		}
	}
	if vgw != "" || tgw != "" {
		if err := c.setGateway(&want, vgw, tgw); err != nil {
			return nil, err
		}
	}
	var oldTGW string
	r, err := c.update(kVPN, id, func(r *store.Resource) error {
		if r.State != stateAvailable {
			return errState("The vpnConnection '%s' is %s; it can be modified only when available", r.ID, r.State)
		}
		a := vpnOf(r)
		oldTGW = a.TransitGatewayID
		if cgw != "" {
			a.CustomerGatewayID, a.CgwIP, a.CgwASN = want.CustomerGatewayID, want.CgwIP, want.CgwASN
		}
		if vgw != "" || tgw != "" {
			a.VpnGatewayID, a.TransitGatewayID, a.GatewayASN = want.VpnGatewayID, want.TransitGatewayID, want.GatewayASN
		}
		r.Attrs["vpn"] = a
		r.State = stateModifying
		return nil
	})
	if err != nil {
		return nil, err
	}
	if newTGW := vpnOf(&r).TransitGatewayID; newTGW != oldTGW {
		if err := c.detachVPN(id, oldTGW); err != nil {
			return nil, err
		}
		if newTGW != "" {
			if _, err := c.attachVPN(id, newTGW); err != nil {
				return nil, err
			}
		}
	}
	return c.renderVPN(r), nil
}

func (c *call) modifyVpnTunnelOptions() ([]node, error) {
	id, err := c.required("VpnConnectionId")
	if err != nil {
		return nil, err
	}
	outside, err := c.required("VpnTunnelOutsideIpAddress")
	if err != nil {
		return nil, err
	}
	psk, cidr := c.str("TunnelOptions.PreSharedKey"), c.str("TunnelOptions.TunnelInsideCidr")
	if cidr != "" {
		if err := checkInside(cidr); err != nil {
			return nil, err
		}
	}
	r, err := c.update(kVPN, id, func(r *store.Resource) error {
		if r.State != stateAvailable {
			// Real EC2 refuses while a previous modification runs.
			return errState("The vpnConnection '%s' is %s; it can be modified only when available", r.ID, r.State)
		}
		a := vpnOf(r)
		i := -1
		for j, t := range a.Tunnels {
			if t.OutsideIP == outside {
				i = j
			}
		}
		if i < 0 {
			return errParam("The tunnel outside IP address %s does not belong to %s", outside, r.ID)
		}
		if c.has("TunnelOptions.PreSharedKey") {
			if err := checkPSK(psk, i+1); err != nil {
				return err
			}
			a.Tunnels[i].PSK = psk
		}
		if cidr != "" {
			if cidr == a.Tunnels[1-i].InsideCIDR {
				return errParam("The two tunnels of a VPN connection must use different inside CIDRs (%s)", cidr)
			}
			a.Tunnels[i].InsideCIDR = cidr
		}
		r.Attrs["vpn"] = a
		r.State = stateModifying
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.renderVPN(r), nil
}

// renderVPN renders one connection for a create or modify reply.
func (c *call) renderVPN(r store.Resource) []node {
	c.snap = c.f.snapshot()
	return c.renderOne("vpnConnection", describeVPNs, r)
}

func (c *call) describeVpnConnections() ([]node, error) {
	c.snap = c.f.snapshot()
	return c.describe(describeVPNs)
}

func vpnField(get func(a vpnAttrs) string) fieldFn {
	return func(_ store.View, r *store.Resource) []string { return one(get(vpnOf(r))) }
}

var describeVPNs = &describer{
	k: kVPN, idParam: "VpnConnectionId", wrapper: "vpnConnectionSet",
	fields: map[string]fieldFn{
		"vpn-connection-id":         idField,
		"state":                     stateField,
		"type":                      vpnField(func(a vpnAttrs) string { return a.Type }),
		"customer-gateway-id":       vpnField(func(a vpnAttrs) string { return a.CustomerGatewayID }),
		"vpn-gateway-id":            vpnField(func(a vpnAttrs) string { return a.VpnGatewayID }),
		"transit-gateway-id":        vpnField(func(a vpnAttrs) string { return a.TransitGatewayID }),
		"option.static-routes-only": vpnField(func(a vpnAttrs) string { return strconv.FormatBool(a.StaticRoutesOnly) }),
		"bgp-asn":                   vpnField(func(a vpnAttrs) string { return strconv.FormatInt(a.CgwASN, 10) }),
	},
	render: renderVPN,
}

func renderVPN(c *call, _ store.View, r store.Resource) node {
	a := vpnOf(&r)
	var opts, tel []node
	for i, t := range a.Tunnels {
		opts = append(opts, el("item", tx("outsideIpAddress", t.OutsideIP), tx("tunnelInsideCidr", t.InsideCIDR),
			tx("preSharedKey", t.PSK), num("dpdTimeoutSeconds", 30), tx("dpdTimeoutAction", "clear"),
			num("phase1LifetimeSeconds", 28800), num("phase2LifetimeSeconds", 3600), tx("startupAction", "add"),
			set("ikeVersionSet", el("item", tx("value", "ikev1")), el("item", tx("value", "ikev2")))))
		tel = append(tel, c.f.telemetry(c.snap, r.ID, i, t.OutsideIP, a.StaticRoutesOnly))
	}
	config := ""
	if r.State != stateDeleted {
		config = cgwConfig(r.ID, a)
	}
	return el("item",
		tx("vpnConnectionId", r.ID), tx("state", r.State), tx("type", a.Type),
		tx("customerGatewayId", a.CustomerGatewayID), tx("vpnGatewayId", a.VpnGatewayID),
		tx("transitGatewayId", a.TransitGatewayID), tx("category", "VPN"),
		tx("gatewayAssociationState", "associated"),
		tx("customerGatewayConfiguration", config),
		el("options", flag("staticRoutesOnly", a.StaticRoutesOnly), flag("enableAcceleration", false),
			tx("localIpv4NetworkCidr", "0.0.0.0/0"), tx("remoteIpv4NetworkCidr", "0.0.0.0/0"),
			tx("outsideIpAddressType", "PublicIpv4"), tx("tunnelInsideIpVersion", "ipv4"),
			set("tunnelOptionSet", opts...)),
		set("routes"),
		set("vgwTelemetry", tel...),
		tagSet(r.Tags))
}
