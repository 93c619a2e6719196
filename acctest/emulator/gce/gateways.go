package gce

import (
	"fmt"
	"net/http"
	"net/netip"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// insertVPNGateway serves vpnGateways.insert: an HA VPN gateway whose two
// interfaces (ids 0 and 1) get public addresses from the pool.
func (f *Frontend) insertVPNGateway(w http.ResponseWriter, r *http.Request, c call) {
	var g computepb.VpnGateway
	if _, err := readBody(r, &g); err != nil {
		err.write(w)
		return
	}
	name, labels := g.GetName(), g.GetLabels()
	if err := normVPNGateway(c, &g); err != nil {
		err.write(w)
		return
	}
	f.mutate(w, r, c, func() (store.Resource, error) {
		// A missing network is reported before the pool is touched; the
		// store rule checks it again atomically.
		if _, err := lookupPath(f.st, kindNetwork, g.GetNetwork()); err != nil {
			return store.Resource{}, notFoundPath(g.GetNetwork())
		}
		saved := f.nextIP
		g.VpnInterfaces = nil
		for id := range uint32(2) {
			ip, err := f.allocIP()
			if err != nil {
				f.nextIP = saved
				return store.Resource{}, err
			}
			g.VpnInterfaces = append(g.VpnInterfaces, &computepb.VpnGatewayVpnGatewayInterface{
				Id: proto.Uint32(id), IpAddress: proto.String(ip.String())})
		}
		op, err := f.create(c, typeByColl["vpnGateways"], name, labels, &g)
		if _, refused := err.(*apiError); refused {
			f.nextIP = saved // nothing was created: the addresses are still free
		}
		return op, err
	})
}

func normVPNGateway(c call, g *computepb.VpnGateway) *apiError {
	if err := checkName("resource.name", g.GetName()); err != nil {
		return err
	}
	if err := checkLabels("resource.labels", g.GetLabels()); err != nil {
		return err
	}
	if g.Network == nil {
		return invalidField("resource.network", "", "The network is required.")
	}
	nw, err := canonRef("resource.network", g.GetNetwork(), c.project, "networks")
	if err != nil {
		return err
	}
	g.Network = &nw
	switch g.GetStackType() {
	case "":
		g.StackType = proto.String("IPV4_ONLY")
	case "IPV4_ONLY", "IPV4_IPV6":
	default:
		return invalidField("resource.stackType", g.GetStackType(), "")
	}
	if v := g.GetGatewayIpVersion(); v != "" && v != "IPV4" {
		return invalidField("resource.gatewayIpVersion", v, "Only IPV4 gateways are emulated.")
	}
	// Server-owned fields are not taken from the client.
	g.Kind, g.Id, g.SelfLink, g.CreationTimestamp, g.Region = nil, nil, nil, nil, nil
	g.Name, g.Labels, g.LabelFingerprint = nil, nil, nil
	return nil
}

// allocIP takes the next address of the public pool. Caller holds f.mu.
func (f *Frontend) allocIP() (netip.Addr, error) {
	a := f.nextIP
	if !f.o.PublicIPs.Contains(a) {
		return netip.Addr{}, errorf(http.StatusForbidden, reasonQuota, "Quota 'IN_USE_ADDRESSES' exceeded. Limit: %d.",
			1<<(a.BitLen()-f.o.PublicIPs.Bits()))
	}
	f.nextIP = a.Next()
	return a, nil
}

// vpnGatewayRule checks an HA gateway's network on create and refuses to
// delete one a tunnel uses (locally or as its GCP peer).
func vpnGatewayRule(v store.View, op store.Op, old, nw *store.Resource) error {
	switch op {
	case store.OpCreate:
		netPath, _ := nw.Attrs["network"].(string)
		if _, ok := exists(v, kindNetwork, netPath); !ok {
			return ruleError(notFoundPath(netPath))
		}
	case store.OpDelete:
		return inUse(v, "vpnGateway", selfPath(*old, "vpnGateways"), "vpnGateway", "peerGcpGateway")
	}
	return nil
}

// inUse refuses a delete while a tunnel refers to path in one of fields.
func inUse(v store.View, noun, path string, fields ...string) error {
	for _, t := range v.Find(store.ByKind(kindTunnel)) {
		for _, fl := range fields {
			if s, _ := t.Attrs[fl].(string); s == path {
				return ruleError(errorf(http.StatusBadRequest, reasonInUse,
					"The %s resource '%s' is already being used by '%s'", noun, path, selfPath(t, "vpnTunnels")))
			}
		}
	}
	return nil
}

// redundancyInterfaces is how many interfaces each external gateway
// redundancy type has (ids 0..n-1).
var redundancyInterfaces = map[string]int{
	"FOUR_IPS_REDUNDANCY":            4,
	"TWO_IPS_REDUNDANCY":             2,
	"SINGLE_IP_INTERNALLY_REDUNDANT": 1,
}

// insertExtGateway serves externalVpnGateways.insert (a global operation).
func (f *Frontend) insertExtGateway(w http.ResponseWriter, r *http.Request, c call) {
	var g computepb.ExternalVpnGateway
	if _, err := readBody(r, &g); err != nil {
		err.write(w)
		return
	}
	name, labels := g.GetName(), g.GetLabels()
	if err := normExtGateway(&g); err != nil {
		err.write(w)
		return
	}
	f.mutate(w, r, c, func() (store.Resource, error) {
		return f.create(c, typeByColl["externalVpnGateways"], name, labels, &g)
	})
}

func normExtGateway(g *computepb.ExternalVpnGateway) *apiError {
	if err := checkName("resource.name", g.GetName()); err != nil {
		return err
	}
	if err := checkLabels("resource.labels", g.GetLabels()); err != nil {
		return err
	}
	n, ok := redundancyInterfaces[g.GetRedundancyType()]
	if !ok {
		return invalidField("resource.redundancyType", g.GetRedundancyType(),
			"Must be one of FOUR_IPS_REDUNDANCY, TWO_IPS_REDUNDANCY, SINGLE_IP_INTERNALLY_REDUNDANT.")
	}
	if len(g.GetInterfaces()) != n {
		return invalidField("resource.interfaces", len(g.GetInterfaces()),
			fmt.Sprintf("Redundancy type %s requires exactly %d interfaces.", g.GetRedundancyType(), n))
	}
	seen := map[uint32]bool{}
	for i, in := range g.GetInterfaces() {
		field := fmt.Sprintf("resource.interfaces[%d]", i)
		if in.Id == nil || in.GetId() >= uint32(n) || seen[in.GetId()] {
			return invalidField(field+".id", in.GetId(), fmt.Sprintf("Interface ids must be 0 to %d, each once.", n-1))
		}
		seen[in.GetId()] = true
		a, err := netip.ParseAddr(in.GetIpAddress())
		if err != nil || !a.Is4() || !a.IsGlobalUnicast() {
			return invalidField(field+".ipAddress", in.GetIpAddress(), "Must be a unicast IPv4 address.")
		}
	}
	g.Kind, g.Id, g.SelfLink, g.CreationTimestamp = nil, nil, nil, nil
	g.Name, g.Labels, g.LabelFingerprint = nil, nil, nil
	return nil
}

// extGatewayRule refuses to delete an external gateway a tunnel uses.
func extGatewayRule(v store.View, op store.Op, old, _ *store.Resource) error {
	if op != store.OpDelete {
		return nil
	}
	return inUse(v, "externalVpnGateway", selfPath(*old, "externalVpnGateways"), "peerExternalGateway")
}

// extInterfaceIP is the address of interface id of an external gateway.
func extInterfaceIP(g store.Resource, id int64) (netip.Addr, bool) {
	var eg computepb.ExternalVpnGateway
	if fromDoc(g.Attrs, &eg) != nil {
		return netip.Addr{}, false
	}
	for _, in := range eg.GetInterfaces() {
		if int64(in.GetId()) == id {
			a, err := netip.ParseAddr(in.GetIpAddress())
			return a, err == nil
		}
	}
	return netip.Addr{}, false
}

// haInterfaceIP is the address of interface id of an HA gateway.
func haInterfaceIP(g store.Resource, id int64) (netip.Addr, bool) {
	var hg computepb.VpnGateway
	if fromDoc(g.Attrs, &hg) != nil {
		return netip.Addr{}, false
	}
	for _, in := range hg.GetVpnInterfaces() {
		if int64(in.GetId()) == id {
			a, err := netip.ParseAddr(in.GetIpAddress())
			return a, err == nil
		}
	}
	return netip.Addr{}, false
}
