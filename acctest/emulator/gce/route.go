package gce

import (
	"net/http"
	"regexp"
	"strings"
)

const apiPrefix = "/compute/v1/"

// call is one parsed request path.
type call struct {
	project string
	region  string // set for regional collections
	global  bool   // …/global/…
	agg     bool   // …/aggregated/…
	coll    string // "vpnTunnels", "operations" …
	name    string
	verb    string // "setLabels", "getStatus", "getRouterStatus", "wait"
	method  string // Compute method name: "insert", "get", "list", "aggregatedList", "delete", "patch", "update", or verb
}

// scope is the store scope of the collection: "projects/p/regions/r" or
// "projects/p/global".
func (c call) scope() string {
	if c.region != "" {
		return "projects/" + c.project + "/regions/" + c.region
	}
	return "projects/" + c.project + "/global"
}

// path is the relative path of the named resource (or of the collection).
func (c call) path() string {
	p := c.scope() + "/" + c.coll
	if c.name != "" {
		p += "/" + c.name
	}
	return p
}

// op is the name Classify reports, e.g. "vpnTunnels.insert" or
// "regionOperations.get".
func (c call) op() string {
	coll := c.coll
	if coll == "operations" {
		coll = "globalOperations"
		if c.region != "" {
			coll = "regionOperations"
		}
	}
	return coll + "." + c.method
}

var segment = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9_.:~]*$`)

// parse splits /compute/v1/projects/{p}/{regions/{r}|global|aggregated}/{coll}[/{name}[/{verb}]].
func parse(r *http.Request) (call, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix+"projects/")
	if !ok {
		return call{}, false
	}
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for _, s := range seg {
		if !segment.MatchString(s) {
			return call{}, false
		}
	}
	if len(seg) < 3 {
		return call{}, false
	}
	c := call{project: seg[0]}
	switch seg[1] {
	case "regions":
		if len(seg) < 4 {
			return call{}, false
		}
		c.region, seg = seg[2], seg[3:]
	case "global":
		c.global, seg = true, seg[2:]
	case "aggregated":
		c.agg, seg = true, seg[2:]
		if len(seg) != 1 {
			return call{}, false
		}
	default:
		return call{}, false
	}
	c.coll = seg[0]
	if len(seg) > 1 {
		c.name = seg[1]
	}
	if len(seg) > 2 {
		c.verb = seg[2]
	}
	if len(seg) > 3 {
		return call{}, false
	}
	c.method = methodOf(c, r.Method)
	return c, c.method != ""
}

// verbHTTPMethod is the HTTP method of each custom method the front-end
// serves.
var verbHTTPMethod = map[string]string{
	"setLabels": http.MethodPost, "wait": http.MethodPost,
	"getStatus": http.MethodGet, "getRouterStatus": http.MethodGet,
}

func methodOf(c call, httpMethod string) string {
	switch {
	case c.agg && httpMethod == http.MethodGet:
		return "aggregatedList"
	case c.agg:
		return ""
	case c.verb != "":
		// A custom method answers on its own HTTP method only; any
		// other is a 405, as from GCE.
		if want, ok := verbHTTPMethod[c.verb]; ok && want != httpMethod {
			return "wrongMethod"
		}
		return c.verb
	case c.name == "" && httpMethod == http.MethodGet:
		return "list"
	case c.name == "" && httpMethod == http.MethodPost:
		return "insert"
	case c.name == "":
		return ""
	}
	switch httpMethod {
	case http.MethodGet:
		return "get"
	case http.MethodDelete:
		return "delete"
	case http.MethodPatch:
		return "patch"
	case http.MethodPut:
		return "update"
	}
	return ""
}

// Classify names the Compute method of a request ("vpnTunnels.insert",
// "routers.patch", "regionOperations.get") and says whether it mutates,
// for store.Middleware's counters and fault decisions.
func (f *Frontend) Classify(r *http.Request) (op string, mutating bool) {
	c, ok := parse(r)
	if !ok {
		return "unknown", r.Method != http.MethodGet
	}
	return c.op(), isMutation(c)
}

func isMutation(c call) bool {
	switch c.method {
	case "insert", "delete", "patch", "update", "setLabels":
		return c.coll != "operations"
	}
	return false
}

// Account is the project a request addresses: GCE's quotas (and so the
// injector's throttling buckets) are per project.
func (f *Frontend) Account(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix+"projects/")
	if !ok {
		return ""
	}
	p, _, _ := strings.Cut(rest, "/")
	return p
}
