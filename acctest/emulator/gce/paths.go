package gce

import (
	"net/http"
	"strings"
)

// ref is a parsed reference to a resource: stored as its relative path
// "projects/p/regions/r/coll/name" (or …/global/…), rendered as a full URL.
type ref struct {
	project, region, coll, name string
}

func (r ref) scope() string {
	if r.region != "" {
		return "projects/" + r.project + "/regions/" + r.region
	}
	return "projects/" + r.project + "/global"
}

func (r ref) path() string { return r.scope() + "/" + r.coll + "/" + r.name }

// parseRef accepts a full URL (any host, /compute/v1/ or /compute/beta/),
// a relative "projects/…" path, or a project-relative "regions/…" or
// "global/…" path, as GCE does.
func parseRef(s, project string) (ref, bool) {
	if i := strings.Index(s, "/compute/"); i >= 0 && (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) {
		s = s[i+len("/compute/"):]
		_, s, _ = strings.Cut(s, "/") // the API version
	}
	seg := strings.Split(s, "/")
	if len(seg) > 0 && (seg[0] == "regions" || seg[0] == "global") && project != "" {
		seg = append([]string{"projects", project}, seg...)
	}
	var r ref
	switch {
	case len(seg) == 6 && seg[0] == "projects" && seg[2] == "regions":
		r = ref{project: seg[1], region: seg[3], coll: seg[4], name: seg[5]}
	case len(seg) == 5 && seg[0] == "projects" && seg[2] == "global":
		r = ref{project: seg[1], coll: seg[3], name: seg[4]}
	default:
		return ref{}, false
	}
	for _, p := range []string{r.project, r.coll, r.name} {
		if !segment.MatchString(p) {
			return ref{}, false
		}
	}
	if r.region != "" && !validRegion(r.region) {
		return ref{}, false
	}
	return r, true
}

// canonRef normalises a reference field to its relative path, checking it
// names the expected collection; field names the field in errors.
func canonRef(field, s, project, coll string) (string, *apiError) {
	r, ok := parseRef(s, project)
	if !ok || r.coll != coll {
		return "", invalidField(field, s, "The URL is malformed.")
	}
	return r.path(), nil
}

// baseURL is the URL prefix references are rendered with: the caller's
// own host, so self links work through whatever address reached us.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + apiPrefix
}

// refKeys are the document keys whose values are references.
var refKeys = map[string]bool{
	"selfLink": true, "region": true, "network": true, "subnetwork": true, "subnetworks": true,
	"vpnGateway": true, "router": true, "peerExternalGateway": true, "peerGcpGateway": true,
	"linkedVpnTunnel": true, "targetLink": true, "nextHopVpnTunnel": true, "tunnelUrl": true,
}

// absolutize turns the relative references of a rendered document into
// full URLs, in place.
func absolutize(doc map[string]any, base string) {
	for k, v := range doc {
		switch x := v.(type) {
		case string:
			if refKeys[k] && strings.HasPrefix(x, "projects/") {
				doc[k] = base + x
			}
		case map[string]any:
			absolutize(x, base)
		case []any:
			for i, e := range x {
				switch y := e.(type) {
				case map[string]any:
					absolutize(y, base)
				case string:
					if refKeys[k] && strings.HasPrefix(y, "projects/") {
						x[i] = base + y
					}
				}
			}
		}
	}
}
