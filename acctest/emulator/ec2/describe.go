package ec2

import (
	"slices"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// fieldFn yields the values a resource has for one EC2 filter name. The
// view joins other resources (a VGW's attachments); describes that page
// filter inside store.List, where no view exists, so their fields must not
// use it (they get a zero View, which panics if used).
type fieldFn func(v store.View, r *store.Resource) []string

// describer is everything that differs between the Describe* actions.
type describer struct {
	k       *kindInfo
	idParam string // the ID list parameter, e.g. "VpnConnectionId"
	wrapper string // the reply's list element, e.g. "vpnConnectionSet"
	paged   bool   // MaxResults/NextToken, as on AWS only for some describes
	only    store.Filter
	fields  map[string]fieldFn
	render  func(c *call, v store.View, r store.Resource) node
}

// Page size bounds EC2 applies to MaxResults.
const (
	minPage     = 5
	maxPage     = 1000
	defaultPage = 1000
)

func (c *call) describe(d *describer) ([]node, error) {
	ids := c.list(d.idParam)
	for _, id := range ids {
		r, err := c.find(d.k, id)
		if err == nil && d.only != nil && !d.only(&r) {
			err = d.k.missing(id)
		}
		if err != nil {
			return nil, err
		}
	}
	fs, err := c.filters(d.fields)
	if err != nil {
		return nil, err
	}
	base := store.And(store.ByKind(d.k.name), store.ByScope(c.region), d.only, idIn(ids))
	var items []store.Resource
	var next string
	if d.paged {
		size := int64(defaultPage)
		if n, ok, err := c.integer("MaxResults"); err != nil {
			return nil, err
		} else if ok {
			if n < minPage || n > maxPage {
				return nil, errParam("Value ( %d ) for parameter maxResults is invalid. Parameter must be between %d and %d.", n, minPage, maxPage)
			}
			size = n
		}
		page, err := c.f.st.List(store.ListOptions{
			Filter:    store.And(base, func(r *store.Resource) bool { return fs.match(store.View{}, r) }),
			PageSize:  int(size),
			PageToken: c.str("NextToken"),
			Query:     c.query(),
		})
		if err != nil {
			return nil, ec2Error(err, d.k, "")
		}
		items, next = page.Items, page.NextToken
	}
	var out []node
	c.f.st.Read(func(v store.View) {
		if !d.paged {
			items = v.Find(func(r *store.Resource) bool { return base(r) && fs.match(v, r) })
		}
		for _, r := range items {
			out = append(out, d.render(c, v, r))
		}
	})
	return []node{set(d.wrapper, out...), tx("nextToken", next)}, nil
}

// query identifies a listing for its page tokens: everything but the
// paging parameters themselves, so a token cannot be replayed against
// another filter or region.
func (c *call) query() string {
	var b strings.Builder
	b.WriteString(c.region)
	for _, k := range sortedKeys(c.form) {
		switch k {
		case "MaxResults", "NextToken", "Version":
			continue
		}
		b.WriteString("&" + k + "=" + strings.Join(c.form[k], ","))
	}
	return b.String()
}

func idIn(ids []string) store.Filter {
	if len(ids) == 0 {
		return nil
	}
	return func(r *store.Resource) bool { return slices.Contains(ids, r.ID) }
}

// ec2Filter is one Filter.N: the resource matches when any value matches.
type ec2Filter struct {
	values []string
	get    fieldFn
}

type filterSet []ec2Filter

// filters reads Filter.N.Name / Filter.N.Value.M. Names are the kind's
// fields plus the tag filters every taggable kind has.
func (c *call) filters(fields map[string]fieldFn) (filterSet, error) {
	var out filterSet
	for _, n := range c.indexes("Filter") {
		name := c.str(sub("Filter", n, "Name"))
		get := fields[name]
		switch {
		case get != nil:
		case strings.HasPrefix(name, "tag:"):
			key := strings.TrimPrefix(name, "tag:")
			get = func(_ store.View, r *store.Resource) []string {
				if v, ok := r.Tags[key]; ok {
					return []string{v}
				}
				return nil
			}
		case name == "tag-key":
			get = func(_ store.View, r *store.Resource) []string { return sortedKeys(r.Tags) }
		case name == "tag-value":
			get = func(_ store.View, r *store.Resource) []string {
				var vs []string
				for _, v := range r.Tags {
					vs = append(vs, v)
				}
				return vs
			}
		default:
			return nil, errParam("The filter '%s' is invalid", name)
		}
		values := c.list("Filter." + strconv.Itoa(n) + ".Value")
		if len(values) == 0 {
			return nil, errParam("The filter '%s' has no values", name)
		}
		out = append(out, ec2Filter{values: values, get: get})
	}
	return out, nil
}

// match ANDs the filters; within one filter the values are ORed.
func (fs filterSet) match(v store.View, r *store.Resource) bool {
	for _, f := range fs {
		if !anyGlob(f.values, f.get(v, r)) {
			return false
		}
	}
	return true
}

func anyGlob(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if glob(p, h) {
				return true
			}
		}
	}
	return false
}

// glob matches EC2 filter wildcards: '*' any run, '?' one character.
func glob(p, s string) bool {
	if !strings.ContainsAny(p, "*?") {
		return p == s
	}
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || p[px] == s[sx]):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// Common fields.

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func idField(_ store.View, r *store.Resource) []string    { return []string{r.ID} }
func stateField(_ store.View, r *store.Resource) []string { return []string{r.State} }
func ownerField(store.View, *store.Resource) []string     { return []string{accountID} }
