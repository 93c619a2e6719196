package ec2

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// tunnelID names tunnel i (0 or 1) of a connection in the fabric.
func tunnelID(vpn string, i int) string { return vpn + "#" + strconv.Itoa(i) }

// tunnelEnds is the fabric.Source of this front-end: the two halves of
// every VPN connection that is not being deleted, in every region.
func (f *Frontend) tunnelEnds(v store.View) []fabric.End {
	var out []fabric.End
	for _, r := range v.Find(store.ByKind(kVPN.name)) {
		if gone(r.State) {
			continue
		}
		a := vpnOf(&r)
		routes := gatewayRoutes(v, r.Scope, a)
		for i, t := range a.Tunnels {
			e := fabric.End{
				ID: tunnelID(r.ID, i),
				// A connection being modified keeps its tunnels up.
				Up:  r.State == stateAvailable || r.State == stateModifying,
				PSK: t.PSK, Routes: routes,
				// Both AWS gateways re-advertise between their sessions:
				// VPN CloudHub on a VGW, route tables on a TGW.
				Router: "aws/" + a.VpnGatewayID + a.TransitGatewayID, Transit: true,
			}
			e.LocalIP, _ = netip.ParseAddr(t.OutsideIP)
			e.RemoteIP, _ = netip.ParseAddr(a.CgwIP)
			e.Inside, _ = netip.ParsePrefix(t.InsideCIDR)
			if !a.StaticRoutesOnly {
				e.LocalInside, e.RemoteInside = insideHosts(t.InsideCIDR)
				e.LocalASN, e.RemoteASN = uint32(a.GatewayASN), uint32(a.CgwASN)
			}
			out = append(out, e)
		}
	}
	return out
}

// gatewayRoutes are the prefixes AWS announces over a connection: the
// CIDRs of the VPC its VGW is attached to, or of the VPCs attached to its
// TGW.
func gatewayRoutes(v store.View, region string, a vpnAttrs) []netip.Prefix {
	var vpcs []string
	if a.VpnGatewayID != "" {
		for _, at := range attachmentsOf(v, a.VpnGatewayID) {
			if at.State == stateAttached {
				_, vpc := attOf(&at)
				vpcs = append(vpcs, vpc)
			}
		}
	} else {
		for _, at := range v.Find(store.ByKind(kTGWAtt.name)) {
			if ta := tgwAttOf(&at); at.State == stateAvailable && ta.TGW == a.TransitGatewayID && ta.ResourceType == "vpc" {
				vpcs = append(vpcs, ta.ResourceID)
			}
		}
	}
	var out []netip.Prefix
	for _, id := range vpcs {
		if vpc, ok := view(v, kVPC, region, id); ok {
			if p, err := netip.ParsePrefix(vpcOf(&vpc).CIDR); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// snapshot evaluates every tunnel once per request. It must be called
// outside store.Read (the fabric reads the store itself).
func (f *Frontend) snapshot() map[string]fabric.Status {
	if f.fab == nil {
		return nil
	}
	return f.fab.Snapshot(f.st)
}

// seen remembers when a tunnel's status was first observed to be what it
// is, for lastStatusChange.
type seen struct {
	up    bool
	since time.Time
}

// telemetry renders one vgwTelemetry item: UP only when the fabric says
// IKE and (unless static) BGP are established.
func (f *Frontend) telemetry(snap map[string]fabric.Status, vpn string, i int, outside string, static bool) node {
	st := snap[tunnelID(vpn, i)]
	up := st.IKE && (static || st.BGP)
	status, msg := "DOWN", st.Reason
	if up {
		status, msg = "UP", ""
		if !static {
			msg = fmt.Sprintf("%d BGP ROUTES", len(st.Received))
		}
	}
	f.mu.Lock()
	s, ok := f.seen[tunnelID(vpn, i)]
	if !ok || s.up != up {
		s = seen{up: up, since: f.st.Clock().Now().UTC()}
		f.seen[tunnelID(vpn, i)] = s
	}
	f.mu.Unlock()
	return el("item", tx("outsideIpAddress", outside), tx("status", status), tx("statusMessage", msg),
		tx("lastStatusChange", s.since.Format("2006-01-02T15:04:05.000Z")), num("acceptedRouteCount", len(st.Received)))
}
