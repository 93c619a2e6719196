package ec2

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// kindInfo ties a store kind to its EC2 names: the ID prefix, the
// NotFound code and noun of its error messages, and the ResourceType its
// TagSpecification must name.
type kindInfo struct {
	name     string // store kind
	prefix   string
	notFound string
	noun     string
	tagType  string // "" when not taggable at creation
}

var (
	kCGW    = &kindInfo{"aws.customer_gateway", "cgw-", "InvalidCustomerGatewayID.NotFound", "customerGateway", "customer-gateway"}
	kVGW    = &kindInfo{"aws.vpn_gateway", "vgw-", "InvalidVpnGatewayID.NotFound", "vpnGateway", "vpn-gateway"}
	kVGWAtt = &kindInfo{"aws.vpn_gateway_attachment", "vgw-attach-", "InvalidVpnGatewayAttachment.NotFound", "vpnGatewayAttachment", ""}
	kVPN    = &kindInfo{"aws.vpn_connection", "vpn-", "InvalidVpnConnectionID.NotFound", "vpnConnection", "vpn-connection"}
	kTGW    = &kindInfo{"aws.transit_gateway", "tgw-", "InvalidTransitGatewayID.NotFound", "transitGateway", "transit-gateway"}
	kTGWAtt = &kindInfo{"aws.transit_gateway_attachment", "tgw-attach-", "InvalidTransitGatewayAttachmentID.NotFound", "transitGatewayAttachment", "transit-gateway-attachment"}
	kVPC    = &kindInfo{"aws.vpc", "vpc-", "InvalidVpcID.NotFound", "vpc", "vpc"}
	kSubnet = &kindInfo{"aws.subnet", "subnet-", "InvalidSubnetID.NotFound", "subnet", "subnet"}
	kRTB    = &kindInfo{"aws.route_table", "rtb-", "InvalidRouteTableID.NotFound", "routeTable", "route-table"}

	// allKinds is ordered longest prefix first, so "tgw-attach-…" is not
	// taken for a transit gateway.
	allKinds = []*kindInfo{kTGWAtt, kVGWAtt, kCGW, kVGW, kVPN, kTGW, kVPC, kSubnet, kRTB}
)

// kindOf returns the kind an ID belongs to by its prefix.
func kindOf(id string) *kindInfo {
	for _, k := range allKinds {
		if strings.HasPrefix(id, k.prefix) {
			return k
		}
	}
	return nil
}

func (k *kindInfo) missing(id string) *store.Error {
	return apiErr(k.notFound, "The %s ID '%s' does not exist", k.noun, id)
}

// accountID is the owner every emulated resource reports: resources are
// scoped by region only, as crosslink's tests use one account.
const accountID = "123456789012"

// keepDeleted is how long deleted gateways and connections stay listed in
// state deleted, as EC2 keeps showing them for a while.
const keepDeleted = time.Hour

// Lifecycle states EC2 reports.
const (
	statePending   = "pending"
	stateAvailable = "available"
	stateModifying = "modifying"
	stateDeleting  = "deleting"
	stateDeleted   = "deleted"
	stateAttaching = "attaching"
	stateAttached  = "attached"
	stateDetaching = "detaching"
	stateDetached  = "detached"
)

// gone reports states in which a resource no longer counts as existing
// for references and uniqueness.
func gone(state string) bool { return state == stateDeleted || state == stateDeleting }

// lifecycle is the clocked pending→available, deleting→deleted kind shape.
func (f *Frontend) lifecycle(k *kindInfo, rules ...store.Rule) store.Kind {
	d := f.o.Delay
	return store.Kind{
		Name: k.name, Prefix: k.prefix, InitialState: statePending,
		Transitions: map[string]store.Step{
			statePending:   {To: stateAvailable, After: d},
			stateModifying: {To: stateAvailable, After: d},
			stateDeleting:  {To: stateDeleted, After: d},
		},
		DeletingState: stateDeleting, DeletedState: stateDeleted, KeepDeleted: keepDeleted,
		Rules: rules,
	}
}

func (f *Frontend) registerKinds() {
	q := f.quotaRules()
	f.st.Register(store.Kind{Name: kCGW.name, Prefix: kCGW.prefix, InitialState: stateAvailable,
		DeletedState: stateDeleted, KeepDeleted: keepDeleted, Rules: append([]store.Rule{cgwRule}, q[kCGW]...)})
	f.st.Register(f.lifecycle(kVGW, append([]store.Rule{vgwRule}, q[kVGW]...)...))
	f.st.Register(store.Kind{Name: kVGWAtt.name, Prefix: kVGWAtt.prefix, InitialState: stateAttaching,
		Transitions: map[string]store.Step{
			stateAttaching: {To: stateAttached, After: f.o.Delay},
			stateDetaching: {To: stateDetached, After: f.o.Delay},
		},
		// A detached attachment leaves the VGW's list at once.
		DeletingState: stateDetaching, DeletedState: stateDetached,
		Rules: []store.Rule{vgwAttachmentRule}})
	f.st.Register(f.lifecycle(kVPN, append([]store.Rule{vpnRule}, q[kVPN]...)...))
	f.st.Register(f.lifecycle(kTGW, append([]store.Rule{tgwRule}, q[kTGW]...)...))
	f.st.Register(f.lifecycle(kTGWAtt, tgwAttachmentRule))
	for _, k := range []*kindInfo{kVPC, kSubnet} {
		f.st.Register(store.Kind{Name: k.name, Prefix: k.prefix})
	}
	f.st.Register(store.Kind{Name: kRTB.name, Prefix: kRTB.prefix, Rules: []store.Rule{routeTableRule}})
}

// apiErr is a client error (HTTP 400) with an EC2 code.
func apiErr(code, format string, args ...any) *store.Error {
	return store.Errorf(code, http.StatusBadRequest, format, args...)
}

func errParam(format string, args ...any) *store.Error {
	return apiErr("InvalidParameterValue", format, args...)
}

func errState(format string, args ...any) *store.Error {
	return apiErr("IncorrectState", format, args...)
}

func errMissing(param string) *store.Error {
	return apiErr("MissingParameter", "The request must contain the parameter %s", param)
}

// ec2Error translates a store error into EC2's code, naming the kind and ID
// the request was about when the store only says "not found".
func ec2Error(err error, k *kindInfo, id string) error {
	var se *store.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case store.CodeNotFound:
		if k != nil {
			return k.missing(id)
		}
	case store.CodeIncorrectState:
		return errState("%s", se.Message)
	case store.CodeInvalidPageToken:
		return apiErr("InvalidNextToken", "The specified NextToken is not valid.")
	case store.CodeIdempotentMismatch:
		return apiErr("IdempotentParameterMismatch", "%s", se.Message)
	case store.CodeAlreadyExists:
		return apiErr("InvalidParameterValue", "%s", se.Message)
	}
	return err
}

// view finds a resource of kind k in region through a locked view, as the
// rules and joined reads do.
func view(v store.View, k *kindInfo, region, id string) (store.Resource, bool) {
	r, ok := v.Get(id)
	if !ok || r.Kind != k.name || r.Scope != region {
		return store.Resource{}, false
	}
	return r, true
}
