package gce

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Options configures a Frontend.
type Options struct {
	// OpDelay: how long an operation stays RUNNING on the store's clock
	// before DONE (and a new resource CREATING, a deleted one DELETING).
	// Zero: DONE at once (op.Wait still polls once; the operations GET
	// exists).
	OpDelay time.Duration
	// Tokens: when non-empty, every request must carry
	// "Authorization: Bearer <t>" with t in Tokens, else 401.
	Tokens []string
	// PublicIPs: pool for HA VPN gateway interface addresses
	// (198.19.0.0/16 when unset).
	PublicIPs netip.Prefix
}

// Frontend serves the Compute REST API over a shared store.
type Frontend struct {
	st     *store.Store
	fab    *fabric.Fabric
	o      Options
	tokens map[string]bool
	nonce  string // keeps operation names of two front-ends on one store apart

	// mu serialises mutations, so a requestId check and the change it
	// guards are one step, and allocations below stay consistent.
	mu       sync.Mutex
	requests map[string]string // scope/collection|requestId → operation store ID
	seq      uint64            // operation names, label fingerprints
	nextIP   netip.Addr        // next free address of o.PublicIPs
}

// New registers the GCP kinds in st and the front-end's tunnel halves in
// fab (which may be nil when no test needs tunnel status).
func New(st *store.Store, fab *fabric.Fabric, o Options) *Frontend {
	if !o.PublicIPs.IsValid() {
		o.PublicIPs = netip.MustParsePrefix("198.19.0.0/16")
	}
	o.PublicIPs = o.PublicIPs.Masked()
	register(st, o.OpDelay)
	f := &Frontend{st: st, fab: fab, o: o, tokens: map[string]bool{},
		nonce:    fmt.Sprintf("%08x", rand.Uint32()),
		requests: map[string]string{}, nextIP: o.PublicIPs.Addr().Next()}
	for _, t := range o.Tokens {
		f.tokens[t] = true
	}
	if fab != nil {
		fab.Register(f.source)
	}
	return f
}

type handler func(http.ResponseWriter, *http.Request, call)

// Handler serves /compute/v1/projects/….
func (f *Frontend) Handler() http.Handler { return http.HandlerFunc(f.serve) }

func (f *Frontend) serve(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r) {
		unauthenticated(w)
		return
	}
	c, ok := parse(r)
	if !ok || !knownCollection(c) {
		errorf(http.StatusNotFound, reasonNotFound, "The requested URL %s was not found on this server.", r.URL.Path).write(w)
		return
	}
	if c.region != "" && !validRegion(c.region) {
		notFoundPath("projects/" + c.project + "/regions/" + c.region).write(w)
		return
	}
	// A project GCE does not know is a 404 naming the project (a project
	// that exists but is not yours would be a 403; the emulator has no
	// such thing).
	if _, err := f.st.Lookup(kindProject, "", c.project); err != nil {
		notFoundPath("projects/" + c.project).write(w)
		return
	}
	h := f.route(c)
	if h == nil {
		errorf(http.StatusMethodNotAllowed, reasonMethod, "Method %s is not supported for %s", r.Method, r.URL.Path).write(w)
		return
	}
	h(w, r, c)
}

func (f *Frontend) authorized(r *http.Request) bool {
	if len(f.tokens) == 0 {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && f.tokens[tok]
}

// knownCollection reports whether the path names a collection this
// front-end serves (anything else is a 404, a known one with an unknown
// method a 405).
func knownCollection(c call) bool {
	if c.coll == "operations" {
		return !c.agg
	}
	t := typeByColl[c.coll]
	return t != nil && (c.agg && t.aggregated || !c.agg && t.global == c.global)
}

// route picks the handler of a call on a known collection, nil when GCE
// has no such method.
func (f *Frontend) route(c call) handler {
	if c.coll == "operations" {
		if c.name != "" && (c.method == "get" || c.method == "wait") {
			return f.getOp
		}
		return nil
	}
	t := typeByColl[c.coll]
	if c.agg {
		return func(w http.ResponseWriter, r *http.Request, c call) { f.aggregatedList(w, r, c, t) }
	}
	with := func(h func(http.ResponseWriter, *http.Request, call, *resourceType)) handler {
		return func(w http.ResponseWriter, r *http.Request, c call) { h(w, r, c, t) }
	}
	switch c.method {
	case "get":
		return with(f.get)
	case "list":
		return with(f.list)
	}
	if t.readOnly {
		return nil
	}
	switch {
	case c.method == "delete":
		return with(f.delete)
	case c.method == "setLabels" && t.labels:
		return with(f.setLabels)
	case c.method == "insert":
		return map[string]handler{
			"vpnGateways": f.insertVPNGateway, "externalVpnGateways": f.insertExtGateway,
			"vpnTunnels": f.insertTunnel, "routers": f.insertRouter,
		}[c.coll]
	case c.coll == "routers" && (c.method == "patch" || c.method == "update"):
		return f.changeRouter
	case c.coll == "routers" && c.method == "getRouterStatus":
		return f.routerStatus
	case c.coll == "vpnGateways" && c.method == "getStatus":
		return f.vpnGatewayStatus
	}
	return nil
}
