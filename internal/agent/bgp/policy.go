package bgp

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/server"
)

// exportPolicyName is the single global export policy. GoBGP only allows
// per-neighbour policy assignments for route-server clients, so per-session
// behaviour is one statement per session matched on a one-address neighbour
// set; in the export direction GoBGP matches the neighbour set against the
// peer the route is being sent to.
const exportPolicyName = "crosslink-export"

// maxPrepend bounds Session.Prepend (GoBGP stores the repeat count in a byte).
const maxPrepend = 255

// exportRule is the part of a session that shapes what we send on it.
type exportRule struct {
	peer    netip.Addr
	med     uint32
	prepend int
}

// exportRules returns the rules for sessions, in a stable order.
func exportRules(sessions map[netip.Addr]Session) []exportRule {
	rules := make([]exportRule, 0, len(sessions))
	for k, s := range sessions {
		rules = append(rules, exportRule{peer: k, med: s.MED, prepend: s.Prepend})
	}
	slices.SortFunc(rules, func(a, b exportRule) int { return a.peer.Compare(b.peer) })
	return rules
}

// policyFingerprint identifies a rule set, so Apply only touches GoBGP's
// policy when something changed.
func policyFingerprint(asn uint32, rules []exportRule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", asn)
	for _, r := range rules {
		fmt.Fprintf(&b, "|%s,%d,%d", r.peer, r.med, r.prepend)
	}
	return b.String()
}

// exportPolicy builds the definitions for SetPolicies: per session a
// neighbour set and a statement "MED := med; prepend own ASN prepend times;
// accept".
func exportPolicy(asn uint32, rules []exportRule) *api.SetPoliciesRequest {
	req := &api.SetPoliciesRequest{}
	pol := &api.Policy{Name: exportPolicyName}
	for _, r := range rules {
		set := "xl-peer-" + r.peer.String()
		req.DefinedSets = append(req.DefinedSets, &api.DefinedSet{
			DefinedType: api.DefinedType_DEFINED_TYPE_NEIGHBOR,
			Name:        set,
			List:        []string{netip.PrefixFrom(r.peer, r.peer.BitLen()).String()},
		})
		act := &api.Actions{
			RouteAction: api.RouteAction_ROUTE_ACTION_ACCEPT,
			Med:         &api.MedAction{Type: api.MedAction_TYPE_REPLACE, Value: int64(r.med)},
		}
		if r.prepend > 0 {
			act.AsPrepend = &api.AsPrependAction{Asn: asn, Repeat: uint32(r.prepend)}
		}
		pol.Statements = append(pol.Statements, &api.Statement{
			Name: "xl-export-" + r.peer.String(),
			Conditions: &api.Conditions{
				NeighborSet: &api.MatchSet{Type: api.MatchSet_TYPE_ANY, Name: set},
			},
			Actions: act,
		})
	}
	req.Policies = []*api.Policy{pol}
	return req
}

// installExportPolicy defines the (empty) export policy and assigns it to the
// global RIB. Later SetPolicies calls redefine it; GoBGP keeps assignments
// across SetPolicies by name.
func installExportPolicy(ctx context.Context, srv *server.BgpServer) error {
	if err := srv.SetPolicies(ctx, exportPolicy(0, nil)); err != nil {
		return fmt.Errorf("define export policy: %w", err)
	}
	err := srv.AddPolicyAssignment(ctx, &api.AddPolicyAssignmentRequest{Assignment: &api.PolicyAssignment{
		Direction:     api.PolicyDirection_POLICY_DIRECTION_EXPORT,
		Policies:      []*api.Policy{{Name: exportPolicyName}},
		DefaultAction: api.RouteAction_ROUTE_ACTION_ACCEPT,
	}})
	if err != nil {
		return fmt.Errorf("assign export policy: %w", err)
	}
	return nil
}
