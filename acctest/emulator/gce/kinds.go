package gce

import (
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Store kinds. Each resource's Scope is "projects/p/regions/r" or
// "projects/p/global" and its Name the GCE name, so a relative path maps
// to one store Lookup.
const (
	kindProject    = "gcp.project"
	kindNetwork    = "gcp.network"
	kindSubnetwork = "gcp.subnetwork"
	kindVPNGateway = "gcp.vpn_gateway"
	kindExtGateway = "gcp.external_vpn_gateway"
	kindTunnel     = "gcp.vpn_tunnel"
	kindRouter     = "gcp.router"
	kindOperation  = "gcp.operation"
)

// Resource states: a resource is CREATING until its insert operation is
// done (a tunnel does not negotiate before), and DELETING until its
// delete operation is (GET still finds it, its name is still taken).
const (
	stateCreating = "CREATING"
	stateReady    = "READY"
	stateDeleting = "DELETING"
	stateDeleted  = "DELETED"

	opRunning = "RUNNING"
	opDone    = "DONE"
)

// idPrefix marks this front-end's store IDs; the 16 hex digits after it
// are the numeric GCE id.
const idPrefix = "gce-"

// resourceType describes one Compute collection.
type resourceType struct {
	coll       string // URL segment, e.g. "vpnTunnels"
	kind       string // store kind
	gceKind    string // "compute#vpnTunnel"
	noun       string // in "The <noun> resource '…' is already being used by …"
	global     bool
	labels     bool
	aggregated bool // has …/aggregated/<coll>
	readOnly   bool // seeded only
}

func (t *resourceType) listKind() string { return t.gceKind + "List" }

var resourceTypes = []*resourceType{
	{coll: "networks", kind: kindNetwork, gceKind: "compute#network", noun: "network", global: true, readOnly: true},
	{coll: "subnetworks", kind: kindSubnetwork, gceKind: "compute#subnetwork", noun: "subnetwork", readOnly: true},
	{coll: "vpnGateways", kind: kindVPNGateway, gceKind: "compute#vpnGateway", noun: "vpnGateway", labels: true, aggregated: true},
	{coll: "externalVpnGateways", kind: kindExtGateway, gceKind: "compute#externalVpnGateway", noun: "externalVpnGateway", global: true, labels: true},
	{coll: "vpnTunnels", kind: kindTunnel, gceKind: "compute#vpnTunnel", noun: "vpnTunnel", labels: true, aggregated: true},
	{coll: "routers", kind: kindRouter, gceKind: "compute#router", noun: "router", aggregated: true},
}

var typeByColl = func() map[string]*resourceType {
	m := map[string]*resourceType{}
	for _, t := range resourceTypes {
		m[t.coll] = t
	}
	return m
}()

var typeByKind = func() map[string]*resourceType {
	m := map[string]*resourceType{}
	for _, t := range resourceTypes {
		m[t.kind] = t
	}
	return m
}()

// register adds this front-end's kinds to the store. Timed states follow
// the operations: with opDelay zero everything is immediate.
func register(st *store.Store, opDelay time.Duration) {
	st.Register(store.Kind{Name: kindProject, Prefix: idPrefix, IDLen: 16, UniqueNames: true})
	st.Register(store.Kind{Name: kindOperation, Prefix: idPrefix, IDLen: 16, UniqueNames: true,
		InitialState: opRunning, Transitions: map[string]store.Step{opRunning: {To: opDone, After: opDelay}}})
	rules := map[string][]store.Rule{
		kindVPNGateway: {vpnGatewayRule},
		kindExtGateway: {extGatewayRule},
		kindTunnel:     {tunnelRule},
		kindRouter:     {routerRule},
	}
	for _, t := range resourceTypes {
		k := store.Kind{Name: t.kind, Prefix: idPrefix, IDLen: 16, UniqueNames: true, Rules: rules[t.kind]}
		if !t.readOnly {
			k.InitialState, k.DeletingState, k.DeletedState = stateCreating, stateDeleting, stateDeleted
			k.Transitions = map[string]store.Step{
				stateCreating: {To: stateReady, After: opDelay},
				stateDeleting: {To: stateDeleted, After: opDelay},
			}
		}
		st.Register(k)
	}
}
