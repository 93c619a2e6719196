package ec2

import (
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Quotas are the account's EC2 limits the emulator enforces on create;
// zero fields take AWS's documented defaults (Site-to-Site VPN quotas and
// Transit Gateway quotas pages: 10 VPN connections per virtual private
// gateway, 50 per region, 5 virtual private gateways, 50 customer gateways
// and 5 transit gateways per region). Over a quota a create fails with
// EC2's *LimitExceeded code, as a real account refuses it.
type Quotas struct {
	VPNConnectionsPerVGW      int
	VPNConnectionsPerRegion   int
	VGWsPerRegion             int
	CustomerGatewaysPerRegion int
	TransitGatewaysPerRegion  int
}

func (q Quotas) withDefaults() Quotas {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&q.VPNConnectionsPerVGW, 10)
	def(&q.VPNConnectionsPerRegion, 50)
	def(&q.VGWsPerRegion, 5)
	def(&q.CustomerGatewaysPerRegion, 50)
	def(&q.TransitGatewaysPerRegion, 5)
	return q
}

// quotaRule refuses a create of kind k over the account's quota: count
// tells how many live resources the new one joins.
func quotaRule(k *kindInfo, limit int, code, what string, same func(v store.View, nw, other *store.Resource) bool) store.Rule {
	return func(v store.View, op store.Op, _, nw *store.Resource) error {
		if op != store.OpCreate {
			return nil
		}
		n := 0
		for _, r := range v.Find(store.ByKind(k.name)) {
			if r.ID != nw.ID && !gone(r.State) && r.Scope == nw.Scope && same(v, nw, &r) {
				n++
			}
		}
		if n >= limit {
			return apiErr(code, "You've reached the limit on the number of %s (%d).", what, limit)
		}
		return nil
	}
}

func anyInRegion(store.View, *store.Resource, *store.Resource) bool { return true }

// quotaRules are the create rules of every kind with a quota.
func (f *Frontend) quotaRules() map[*kindInfo][]store.Rule {
	q := f.o.Quotas.withDefaults()
	sameVGW := func(_ store.View, nw, other *store.Resource) bool {
		a := vpnOf(nw)
		return a.VpnGatewayID != "" && vpnOf(other).VpnGatewayID == a.VpnGatewayID
	}
	return map[*kindInfo][]store.Rule{
		kVPN: {
			quotaRule(kVPN, q.VPNConnectionsPerVGW, "VpnConnectionLimitExceeded", "VPN connections per virtual private gateway", sameVGW),
			quotaRule(kVPN, q.VPNConnectionsPerRegion, "VpnConnectionLimitExceeded", "VPN connections in this region", anyInRegion),
		},
		kVGW: {quotaRule(kVGW, q.VGWsPerRegion, "VpnGatewayLimitExceeded", "virtual private gateways in this region", anyInRegion)},
		kCGW: {quotaRule(kCGW, q.CustomerGatewaysPerRegion, "CustomerGatewayLimitExceeded", "customer gateways in this region", anyInRegion)},
		kTGW: {quotaRule(kTGW, q.TransitGatewaysPerRegion, "TransitGatewayLimitExceeded", "transit gateways in this region", anyInRegion)},
	}
}
