package gce

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

const maxResults = 500

// parseList reads filter, maxResults, pageToken and orderBy into store
// list options selecting kind in scopes matching inScope.
func parseList(r *http.Request, t *resourceType, token string, inScope store.Filter) (store.ListOptions, *apiError) {
	q := r.URL.Query()
	fs := q.Get("filter")
	filt, err := parseFilter(fs)
	if err != nil {
		return store.ListOptions{}, invalidField("filter", fs, "Invalid list filter expression: "+err.Error())
	}
	size := maxResults
	if s := q.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxResults {
			return store.ListOptions{}, invalidField("maxResults", s, "Must be less than or equal to 500")
		}
		if n > 0 {
			size = n
		}
	}
	// Only the natural order (creation) is supported; GCE accepts a few
	// more, none of which drivers need.
	if ob := q.Get("orderBy"); ob != "" && ob != "creationTimestamp" {
		return store.ListOptions{}, invalidField("orderBy", ob, "Sorting is only supported by creationTimestamp.")
	}
	base := baseURL(r)
	match := store.Filter(nil)
	if filt != nil {
		match = func(res *store.Resource) bool {
			c := *res
			c.Attrs = cloneDoc(res.Attrs)
			return filt(render(c, t, base))
		}
	}
	return store.ListOptions{
		Filter:    store.And(store.ByKind(t.kind), inScope, match),
		PageSize:  size,
		PageToken: q.Get("pageToken"),
		// A token is only good for the same collection and filter.
		Query: token + "|" + fs,
	}, nil
}

// cloneDoc deep-copies a document so a filter never writes the store's
// copy (render fills server fields in place).
func cloneDoc(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			out[k] = cloneDoc(x)
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				if em, ok := e.(map[string]any); ok {
					l[i] = cloneDoc(em)
				} else {
					l[i] = e
				}
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out
}

// list serves <coll>.list.
func (f *Frontend) list(w http.ResponseWriter, r *http.Request, c call, t *resourceType) {
	opts, aerr := parseList(r, t, c.path(), store.ByScope(c.scope()))
	if aerr != nil {
		aerr.write(w)
		return
	}
	page, err := f.st.List(opts)
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	items := f.views(r, t, page.Items)
	out := map[string]any{
		"kind":     t.listKind(),
		"id":       c.path(),
		"items":    items,
		"selfLink": baseURL(r) + c.path(),
	}
	if page.NextToken != "" {
		out["nextPageToken"] = page.NextToken
	}
	writeJSON(w, http.StatusOK, out)
}

// aggregatedList serves …/aggregated/<coll>: one page of items across
// regions, grouped as {"regions/r": {"<coll>": […]}} the way the Go
// client's ScopedListPair iterators read them.
func (f *Frontend) aggregatedList(w http.ResponseWriter, r *http.Request, c call, t *resourceType) {
	prefix := "projects/" + c.project + "/regions/"
	inScope := func(res *store.Resource) bool { return strings.HasPrefix(res.Scope, prefix) }
	self := "projects/" + c.project + "/aggregated/" + t.coll
	opts, aerr := parseList(r, t, self, inScope)
	if aerr != nil {
		aerr.write(w)
		return
	}
	page, err := f.st.List(opts)
	if err != nil {
		writeErr(w, err, self)
		return
	}
	views := f.views(r, t, page.Items)
	items := map[string]any{}
	for i, res := range page.Items {
		key := "regions/" + regionOf(res.Scope)
		scoped, _ := items[key].(map[string]any)
		if scoped == nil {
			scoped = map[string]any{t.coll: []any{}}
			items[key] = scoped
		}
		scoped[t.coll] = append(scoped[t.coll].([]any), views[i])
	}
	out := map[string]any{
		"kind":     "compute#" + strings.TrimPrefix(t.gceKind, "compute#") + "AggregatedList",
		"id":       self,
		"items":    items,
		"selfLink": baseURL(r) + self,
	}
	if page.NextToken != "" {
		out["nextPageToken"] = page.NextToken
	}
	writeJSON(w, http.StatusOK, out)
}
