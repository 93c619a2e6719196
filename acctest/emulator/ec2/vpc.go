package ec2

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// VPC is a VPC to seed: crosslink never creates VPCs, it finds them.
type VPC struct {
	ID      string   `json:"id"` // like "vpc-0123456789abcdef0"; empty: generated
	CIDR    string   `json:"cidr"`
	Subnets []Subnet `json:"subnets"`
}

// Subnet is a subnet of a seeded VPC. AZ defaults to the region + "a".
type Subnet struct {
	ID   string `json:"id"`
	AZ   string `json:"az"`
	CIDR string `json:"cidr"`
}

type vpcAttrs struct{ CIDR string }

type subnetAttrs struct{ VpcID, AZ, CIDR string }

// rtbAttrs is a route table's document; the VGWs propagating into it are
// kept apart in Attrs["propagating"] ([]string).
type rtbAttrs struct {
	VpcID string
	Main  bool
}

func vpcOf(r *store.Resource) vpcAttrs       { a, _ := r.Attrs["vpc"].(vpcAttrs); return a }
func subnetOf(r *store.Resource) subnetAttrs { a, _ := r.Attrs["subnet"].(subnetAttrs); return a }
func rtbOf(r *store.Resource) rtbAttrs       { a, _ := r.Attrs["rtb"].(rtbAttrs); return a }
func propagatingOf(r *store.Resource) []string {
	s, _ := r.Attrs["propagating"].([]string)
	return s
}

// SeedVPC creates a VPC in region with its subnets and its main route
// table.
func (f *Frontend) SeedVPC(region string, v VPC) error {
	p, err := netip.ParsePrefix(v.CIDR)
	if err != nil || !p.Addr().Is4() || p != p.Masked() {
		return fmt.Errorf("seeding VPC %s in %s: CIDR %q is not an IPv4 network", v.ID, region, v.CIDR)
	}
	if v.ID != "" && !strings.HasPrefix(v.ID, kVPC.prefix) {
		return fmt.Errorf("seeding VPC %s in %s: the ID must start with %q", v.ID, region, kVPC.prefix)
	}
	for _, s := range v.Subnets {
		sp, err := netip.ParsePrefix(s.CIDR)
		if err != nil || sp != sp.Masked() || sp.Bits() < p.Bits() || !p.Contains(sp.Addr()) {
			return fmt.Errorf("seeding VPC %s in %s: subnet CIDR %q is not within %s", v.ID, region, s.CIDR, v.CIDR)
		}
		if s.ID != "" && !strings.HasPrefix(s.ID, kSubnet.prefix) {
			return fmt.Errorf("seeding VPC %s in %s: subnet ID %s must start with %q", v.ID, region, s.ID, kSubnet.prefix)
		}
	}
	vpc, _, err := f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kVPC.name, ID: v.ID, Scope: region,
		Attrs: map[string]any{"vpc": vpcAttrs{CIDR: v.CIDR}}})
	if err != nil {
		return fmt.Errorf("seeding VPC %s in %s: %w", v.ID, region, err)
	}
	for _, s := range v.Subnets {
		if s.AZ == "" {
			s.AZ = region + "a"
		}
		if _, _, err := f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kSubnet.name, ID: s.ID, Scope: region,
			Attrs: map[string]any{"subnet": subnetAttrs{VpcID: vpc.ID, AZ: s.AZ, CIDR: s.CIDR}}}); err != nil {
			return fmt.Errorf("seeding subnet %s of VPC %s in %s: %w", s.ID, vpc.ID, region, err)
		}
	}
	if _, _, err := f.st.Create(store.CreateRequest{Cloud: "aws", Kind: kRTB.name, Scope: region,
		Attrs: map[string]any{"rtb": rtbAttrs{VpcID: vpc.ID, Main: true}, "propagating": []string{}}}); err != nil {
		return fmt.Errorf("seeding the main route table of VPC %s in %s: %w", vpc.ID, region, err)
	}
	return nil
}

// routeTableRule lets a VGW propagate only into route tables of the VPC
// it is attached to.
func routeTableRule(v store.View, op store.Op, old, nw *store.Resource) error {
	if op != store.OpUpdate {
		return nil
	}
	if err := staticRouteRule(v, old, nw); err != nil {
		return err
	}
	vpc := rtbOf(nw).VpcID
	for _, g := range propagatingOf(nw) {
		if slices.Contains(propagatingOf(old), g) {
			continue
		}
		if r, ok := view(v, kVGW, nw.Scope, g); !ok || gone(r.State) {
			return kVGW.missing(g)
		}
		attached := false
		for _, a := range attachmentsOf(v, g) {
			_, av := attOf(&a)
			attached = attached || (av == vpc && a.State == stateAttached)
		}
		if !attached {
			return apiErr("Gateway.NotAttached", "resource %s is not attached to network %s", g, vpc)
		}
	}
	return nil
}

// propagation enables or disables a VGW's route propagation into a table.
func (c *call) propagation(enable bool) ([]node, error) {
	gw, err := c.required("GatewayId")
	if err != nil {
		return nil, err
	}
	rtb, err := c.required("RouteTableId")
	if err != nil {
		return nil, err
	}
	_, err = c.update(kRTB, rtb, func(r *store.Resource) error {
		p := slices.DeleteFunc(propagatingOf(r), func(s string) bool { return s == gw })
		if enable {
			p = append(p, gw)
		}
		r.Attrs["propagating"] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []node{flag("return", true)}, nil
}

func (c *call) enableVgwRoutePropagation() ([]node, error)  { return c.propagation(true) }
func (c *call) disableVgwRoutePropagation() ([]node, error) { return c.propagation(false) }

// propagatedRoutes are the routes a table holds from the VGWs propagating
// into it: every prefix the VGW learned over an established BGP session of
// one of its VPN connections (VPC User Guide, route propagation), one route
// per prefix. A static route for the same prefix wins, so it is left out.
func (f *Frontend) propagatedRoutes(v store.View, r *store.Resource) []node {
	gws := propagatingOf(r)
	if len(gws) == 0 || f.fab == nil {
		return nil
	}
	static := map[string]bool{}
	for _, x := range routesOf(r) {
		static[x.Dest] = true
	}
	snap := f.fab.EvaluateView(v)
	var out []node
	seen := map[string]bool{}
	for _, g := range gws {
		var prefixes []string
		for _, c := range v.Find(store.ByKind(kVPN.name)) {
			if gone(c.State) || vpnOf(&c).VpnGatewayID != g {
				continue
			}
			for i := range vpnOf(&c).Tunnels {
				if st := snap[tunnelID(c.ID, i)]; st.BGP {
					for _, p := range st.Received {
						prefixes = append(prefixes, p.String())
					}
				}
			}
		}
		slices.Sort(prefixes)
		for _, p := range slices.Compact(prefixes) {
			if seen[p] || static[p] {
				continue
			}
			seen[p] = true
			out = append(out, el("item", tx("destinationCidrBlock", p), tx("gatewayId", g),
				tx("state", "active"), tx("origin", "EnableVgwRoutePropagation")))
		}
	}
	return out
}

// Route tables and subnets carry IDs derived from their own, so the
// associations need no storage.
func suffix(id string) string { _, s, _ := strings.Cut(id, "-"); return s }

var describeVPCs = &describer{
	k: kVPC, idParam: "VpcId", wrapper: "vpcSet", paged: true,
	fields: map[string]fieldFn{
		"vpc-id":                            idField,
		"state":                             stateField,
		"owner-id":                          ownerField,
		"cidr":                              func(_ store.View, r *store.Resource) []string { return one(vpcOf(r).CIDR) },
		"cidr-block-association.cidr-block": func(_ store.View, r *store.Resource) []string { return one(vpcOf(r).CIDR) },
		"is-default":                        func(store.View, *store.Resource) []string { return []string{"false"} },
	},
	render: func(_ *call, _ store.View, r store.Resource) node {
		a := vpcOf(&r)
		return el("item", tx("vpcId", r.ID), tx("ownerId", accountID), tx("state", r.State), tx("cidrBlock", a.CIDR),
			set("cidrBlockAssociationSet", el("item", tx("associationId", "vpc-cidr-assoc-"+suffix(r.ID)),
				tx("cidrBlock", a.CIDR), el("cidrBlockState", tx("state", "associated")))),
			tx("dhcpOptionsId", "dopt-"+suffix(r.ID)), tx("instanceTenancy", "default"), flag("isDefault", false),
			tagSet(r.Tags))
	},
}

func subnetField(get func(a subnetAttrs) string) fieldFn {
	return func(_ store.View, r *store.Resource) []string { return one(get(subnetOf(r))) }
}

var describeSubnets = &describer{
	k: kSubnet, idParam: "SubnetId", wrapper: "subnetSet", paged: true,
	fields: map[string]fieldFn{
		"subnet-id":         idField,
		"state":             stateField,
		"owner-id":          ownerField,
		"vpc-id":            subnetField(func(a subnetAttrs) string { return a.VpcID }),
		"availability-zone": subnetField(func(a subnetAttrs) string { return a.AZ }),
		"cidr-block":        subnetField(func(a subnetAttrs) string { return a.CIDR }),
		"cidr":              subnetField(func(a subnetAttrs) string { return a.CIDR }),
		"default-for-az":    func(store.View, *store.Resource) []string { return []string{"false"} },
	},
	render: func(_ *call, _ store.View, r store.Resource) node {
		a := subnetOf(&r)
		free := 0
		if p, err := netip.ParsePrefix(a.CIDR); err == nil {
			free = 1<<(32-p.Bits()) - 5 // AWS keeps five addresses per subnet
		}
		return el("item", tx("subnetId", r.ID),
			tx("subnetArn", "arn:aws:ec2:"+r.Scope+":"+accountID+":subnet/"+r.ID),
			tx("vpcId", a.VpcID), tx("ownerId", accountID), tx("state", r.State), tx("cidrBlock", a.CIDR),
			tx("availabilityZone", a.AZ), num("availableIpAddressCount", free),
			flag("defaultForAz", false), flag("mapPublicIpOnLaunch", false), tagSet(r.Tags))
	},
}

var describeRouteTables = &describer{
	k: kRTB, idParam: "RouteTableId", wrapper: "routeTableSet", paged: true,
	fields: map[string]fieldFn{
		"route-table-id": idField,
		"owner-id":       ownerField,
		"vpc-id":         func(_ store.View, r *store.Resource) []string { return one(rtbOf(r).VpcID) },
		"association.main": func(_ store.View, r *store.Resource) []string {
			return []string{strconv.FormatBool(rtbOf(r).Main)}
		},
		"association.route-table-id": func(_ store.View, r *store.Resource) []string { return []string{r.ID} },
		"association.route-table-association-id": func(_ store.View, r *store.Resource) []string {
			return []string{"rtbassoc-" + suffix(r.ID)}
		},
	},
	render: func(c *call, v store.View, r store.Resource) node {
		a := rtbOf(&r)
		var routes []node
		if vpc, ok := view(v, kVPC, r.Scope, a.VpcID); ok {
			routes = append(routes, el("item", tx("destinationCidrBlock", vpcOf(&vpc).CIDR), tx("gatewayId", "local"),
				tx("state", "active"), tx("origin", "CreateRouteTable")))
		}
		routes = append(routes, renderStaticRoutes(v, &r)...)
		routes = append(routes, c.f.propagatedRoutes(v, &r)...)
		var vgws []node
		for _, g := range propagatingOf(&r) {
			vgws = append(vgws, el("item", tx("gatewayId", g)))
		}
		return el("item", tx("routeTableId", r.ID), tx("vpcId", a.VpcID), tx("ownerId", accountID),
			set("routeSet", routes...),
			set("associationSet", el("item", tx("routeTableAssociationId", "rtbassoc-"+suffix(r.ID)),
				tx("routeTableId", r.ID), flag("main", a.Main), el("associationState", tx("state", "associated")))),
			set("propagatingVgwSet", vgws...), tagSet(r.Tags))
	},
}
