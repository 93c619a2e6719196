package gce

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// tunnelStates is one fabric evaluation, by tunnel half ID.
type tunnelStates map[string]fabric.Status

// snapshot evaluates every tunnel half. Without a shared fabric only this
// front-end's tunnels are paired (GCP to GCP still comes up).
func (f *Frontend) snapshot() tunnelStates {
	if f.fab != nil {
		return f.fab.Snapshot(f.st)
	}
	var ends []fabric.End
	f.st.Read(func(v store.View) { ends = f.source(v) })
	return fabric.Evaluate(ends)
}

// tunnelStatus maps a tunnel's state and the fabric's verdict to GCE's
// status and detailedStatus.
func (s tunnelStates) tunnelStatus(res store.Resource) (status, detail string) {
	switch res.State {
	case stateCreating:
		return "PROVISIONING", "Tunnel is being provisioned."
	case stateDeleting:
		return "DEPROVISIONING", "Tunnel is being deleted."
	}
	st, ok := s[selfPath(res, "vpnTunnels")]
	switch {
	case !ok:
		return "WAITING_FOR_FULL_CONFIG", "Waiting for full configuration."
	case st.IKE && st.BGP:
		return "ESTABLISHED", "Tunnel is up and running."
	case st.IKE:
		// GCE keeps the tunnel ESTABLISHED when only BGP fails; the
		// reason is added so tests can see why.
		return "ESTABLISHED", "Tunnel is up and running. BGP session is down: " + st.Reason
	case st.PeerID != "" && s[st.PeerID].PeerID == "":
		// The peer half exists but is not up yet: nothing comes back.
		return "NO_INCOMING_PACKETS", st.Reason
	case st.PeerID != "":
		return "AUTHORIZATION_ERROR", st.Reason
	case strings.HasPrefix(st.Reason, "no outside address"):
		return "WAITING_FOR_FULL_CONFIG", st.Reason
	case strings.HasPrefix(st.Reason, "no tunnel at"):
		return "NO_INCOMING_PACKETS", st.Reason
	default: // several tunnels claim one address pair
		return "NEGOTIATION_FAILURE", st.Reason
	}
}

// routerStatus serves routers.getRouterStatus: one bgpPeerStatus per BGP
// peer, UP when the fabric says the session over its linked tunnel is
// established, and the routes learned over the UP sessions.
func (f *Frontend) routerStatus(w http.ResponseWriter, r *http.Request, c call) {
	res, err := f.st.Lookup(kindRouter, c.scope(), c.name)
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	var rt computepb.Router
	if err := fromDoc(res.Attrs, &rt); err != nil {
		writeErr(w, err, c.path())
		return
	}
	snap := f.snapshot()
	now := f.st.Clock().Now()
	links := map[string]string{}
	for _, in := range rt.GetInterfaces() {
		links[in.GetName()] = in.GetLinkedVpnTunnel()
	}
	peers, best := []any{}, []any{}
	for _, p := range rt.GetBgpPeers() {
		link := links[p.GetInterfaceName()]
		ps := map[string]any{
			"name": p.GetName(), "ipAddress": p.GetIpAddress(), "peerIpAddress": p.GetPeerIpAddress(),
			"enableIpv4": true, "numLearnedRoutes": 0,
		}
		if link != "" {
			ps["linkedVpnTunnel"] = link
		}
		st, ok := snap[link]
		switch {
		case ok && st.BGP && p.GetEnable() != "FALSE":
			up := f.uptime(link, now)
			ps["status"], ps["state"] = "UP", "Established"
			ps["numLearnedRoutes"] = len(st.Received)
			ps["uptime"], ps["uptimeSeconds"] = formatUptime(up), fmt.Sprint(int64(up.Seconds()))
			for _, pfx := range st.Received {
				best = append(best, map[string]any{
					"kind": "compute#route", "destRange": pfx.String(), "nextHopIp": p.GetPeerIpAddress(),
					"nextHopVpnTunnel": link, "network": rt.GetNetwork(), "priority": p.GetAdvertisedRoutePriority(),
					"routeType": "BGP",
				})
			}
		default:
			ps["status"], ps["state"] = "DOWN", "Idle"
			if ok && st.IKE && p.GetEnable() != "FALSE" {
				ps["state"] = "Active" // the tunnel is up, the session is not
			}
			ps["statusReason"] = "STATUS_REASON_UNSPECIFIED"
		}
		peers = append(peers, ps)
	}
	result := map[string]any{"network": rt.GetNetwork(), "bgpPeerStatus": peers}
	if len(best) > 0 {
		result["bestRoutes"], result["bestRoutesForRouter"] = best, best
	}
	doc := map[string]any{"kind": "compute#routerStatusResponse", "result": result}
	absolutize(doc, baseURL(r))
	writeJSON(w, http.StatusOK, doc)
}

// uptime is how long the tunnel at link has been up (since its insert
// operation finished).
func (f *Frontend) uptime(link string, now time.Time) time.Duration {
	t, err := lookupPath(f.st, kindTunnel, link)
	if err != nil {
		return 0
	}
	return max(0, now.Sub(t.CreatedAt.Add(f.o.OpDelay)))
}

func formatUptime(d time.Duration) string {
	s := int64(d.Seconds())
	return fmt.Sprintf("%d hours, %d minutes, %d seconds", s/3600, s/60%60, s%60)
}

// vpnGatewayStatus serves vpnGateways.getStatus: per peer gateway, the
// tunnels on this gateway and whether they cover both interfaces.
func (f *Frontend) vpnGatewayStatus(w http.ResponseWriter, r *http.Request, c call) {
	gw, err := f.st.Lookup(kindVPNGateway, c.scope(), c.name)
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	path := selfPath(gw, "vpnGateways")
	page, err := f.st.List(store.ListOptions{Filter: store.And(store.ByKind(kindTunnel), store.AttrEquals("vpnGateway", path))})
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	type conn struct {
		doc          map[string]any
		tunnels      []any
		local, peer  map[int32]bool
		peerIfaceMax int
	}
	var order []string
	conns := map[string]*conn{}
	for _, res := range page.Items {
		var t computepb.VpnTunnel
		if fromDoc(res.Attrs, &t) != nil {
			continue
		}
		key, peerIface, need := t.GetPeerGcpGateway(), t.GetVpnGatewayInterface(), 2
		if t.PeerExternalGateway != nil {
			key, peerIface = t.GetPeerExternalGateway(), t.GetPeerExternalGatewayInterface()
			if eg, err := lookupPath(f.st, kindExtGateway, key); err == nil {
				need = min(2, redundancyInterfaces[str(eg.Attrs["redundancyType"])])
			}
		}
		cn := conns[key]
		if cn == nil {
			cn = &conn{doc: map[string]any{}, local: map[int32]bool{}, peer: map[int32]bool{}, peerIfaceMax: need}
			if t.PeerExternalGateway != nil {
				cn.doc["peerExternalGateway"] = key
			} else {
				cn.doc["peerGcpGateway"] = key
			}
			conns[key] = cn
			order = append(order, key)
		}
		cn.tunnels = append(cn.tunnels, map[string]any{"tunnelUrl": selfPath(res, "vpnTunnels"),
			"localGatewayInterface": t.GetVpnGatewayInterface(), "peerGatewayInterface": peerIface})
		cn.local[t.GetVpnGatewayInterface()], cn.peer[peerIface] = true, true
	}
	list := []any{}
	for _, k := range order {
		cn := conns[k]
		state := map[string]any{"state": "CONNECTION_REDUNDANCY_MET"}
		if len(cn.local) < 2 || len(cn.peer) < cn.peerIfaceMax {
			state = map[string]any{"state": "CONNECTION_REDUNDANCY_NOT_MET", "unsatisfiedReason": "INCOMPLETE_TUNNELS_COVERAGE"}
		}
		cn.doc["tunnels"], cn.doc["state"] = cn.tunnels, state
		list = append(list, cn.doc)
	}
	doc := map[string]any{"result": map[string]any{"vpnConnections": list}}
	absolutize(doc, baseURL(r))
	writeJSON(w, http.StatusOK, doc)
}

// lookupPath finds a resource of kind by relative path.
func lookupPath(st *store.Store, kind, p string) (store.Resource, error) {
	rf, ok := parseRef(p, "")
	if !ok {
		return store.Resource{}, notFoundPath(p)
	}
	return st.Lookup(kind, rf.scope(), rf.name)
}
