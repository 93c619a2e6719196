package ec2

import (
	"slices"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// searchTransitGatewayRoutes serves SearchTransitGatewayRoutes on a TGW's
// default route table (the one crosslink's TGWs use, association and
// propagation enabled): each available VPC attachment propagates its VPC's
// CIDR, each VPN attachment the prefixes its connection's BGP sessions
// receive (from the fabric). A destination several attachments offer is one
// route listing them all (ECMP). Filters are required, as in EC2; the ones
// understood are type, state, attachment.resource-type and
// route-search.exact-match.
func (c *call) searchTransitGatewayRoutes() ([]node, error) {
	rtb, err := c.required("TransitGatewayRouteTableId")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(rtb, "tgw-rtb-") {
		return nil, apiErr("InvalidRouteTableID.NotFound", "The transitGatewayRouteTable ID '%s' does not exist.", rtb)
	}
	tgw := kTGW.prefix + strings.TrimPrefix(rtb, "tgw-rtb-")
	want := map[string][]string{}
	for _, n := range c.indexes("Filter") {
		name := c.str(sub("Filter", n, "Name"))
		switch name {
		case "type", "state", "attachment.resource-type", "route-search.exact-match":
		default:
			return nil, errParam("The filter '%s' is invalid", name)
		}
		want[name] = c.list("Filter." + strconv.Itoa(n) + ".Value")
	}
	if len(want) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter Filters")
	}
	type att struct{ id, resource, typ string }
	routes := map[string][]att{}
	var missing error
	c.f.st.Read(func(v store.View) {
		if g, ok := view(v, kTGW, c.region, tgw); !ok || gone(g.State) {
			missing = apiErr("InvalidRouteTableID.NotFound", "The transitGatewayRouteTable ID '%s' does not exist.", rtb)
			return
		}
		var snap map[string]fabric.Status
		if c.f.fab != nil {
			snap = c.f.fab.EvaluateView(v)
		}
		for _, a := range v.Find(store.ByKind(kTGWAtt.name)) {
			ta := tgwAttOf(&a)
			if ta.TGW != tgw || a.State != stateAvailable {
				continue
			}
			switch ta.ResourceType {
			case "vpc":
				if vpc, ok := view(v, kVPC, c.region, ta.ResourceID); ok {
					d := vpcOf(&vpc).CIDR
					routes[d] = append(routes[d], att{a.ID, ta.ResourceID, "vpc"})
				}
			case "vpn":
				conn, ok := view(v, kVPN, c.region, ta.ResourceID)
				if !ok {
					continue
				}
				seen := map[string]bool{}
				for i := range vpnOf(&conn).Tunnels {
					if st := snap[tunnelID(conn.ID, i)]; st.BGP {
						for _, p := range st.Received {
							if d := p.String(); !seen[d] {
								seen[d] = true
								routes[d] = append(routes[d], att{a.ID, ta.ResourceID, "vpn"})
							}
						}
					}
				}
			}
		}
	})
	if missing != nil {
		return nil, missing
	}
	match := func(name, have string) bool {
		vs, ok := want[name]
		return !ok || slices.Contains(vs, have)
	}
	var items []node
	for _, d := range sortedKeys(routes) {
		as := routes[d]
		if !match("type", "propagated") || !match("state", "active") || !match("route-search.exact-match", d) {
			continue
		}
		var atts []node
		for _, a := range as {
			if match("attachment.resource-type", a.typ) {
				atts = append(atts, el("item", tx("resourceId", a.resource), tx("transitGatewayAttachmentId", a.id), tx("resourceType", a.typ)))
			}
		}
		if len(atts) == 0 {
			continue
		}
		items = append(items, el("item", tx("destinationCidrBlock", d), set("transitGatewayAttachments", atts...),
			tx("type", "propagated"), tx("state", "active")))
	}
	return []node{set("routeSet", items...), flag("additionalRoutesAvailable", false)}, nil
}
