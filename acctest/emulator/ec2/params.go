package ec2

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// call is one request being served: its parameters and region.
type call struct {
	f      *Frontend
	action string
	region string
	form   url.Values
	// snap is the fabric's verdict on every tunnel, taken once per request
	// before any store.Read (the fabric reads the store itself).
	snap map[string]fabric.Status
}

// str returns a parameter as sent: EC2 trims nothing (a PSK with a space
// is invalid, not shortened).
func (c *call) str(key string) string { return c.form.Get(key) }

func (c *call) has(key string) bool { _, ok := c.form[key]; return ok }

// required returns a parameter EC2 insists on.
func (c *call) required(key string) (string, error) {
	v := c.str(key)
	if v == "" {
		return "", errMissing(key)
	}
	return v, nil
}

// integer parses an optional integer parameter; ok is false when absent.
func (c *call) integer(key string) (n int64, ok bool, err error) {
	v := c.str(key)
	if v == "" {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil {
		return 0, false, errParam("Value (%s) for parameter %s is invalid. Expected an integer.", v, key)
	}
	return n, true, nil
}

// boolean parses an optional boolean parameter (false when absent).
func (c *call) boolean(key string) (bool, error) {
	v := c.str(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errParam("Value (%s) for parameter %s is invalid. Expected a boolean.", v, key)
	}
	return b, nil
}

// indexes returns the N of every "prefix.N…" key, ascending: the query
// protocol flattens lists as Name.1, Name.2 …
func (c *call) indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range c.form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// list returns the values of prefix.1, prefix.2 … in order.
func (c *call) list(prefix string) []string {
	var out []string
	for _, n := range c.indexes(prefix) {
		if v := c.str(prefix + "." + strconv.Itoa(n)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// sub is the key of a field of list element n: sub("Tag", 2, "Key") is
// "Tag.2.Key".
func sub(prefix string, n int, field string) string {
	return prefix + "." + strconv.Itoa(n) + "." + field
}

type tag struct {
	key, value string
	hasValue   bool
}

// tagList reads Tag.N.Key / Tag.N.Value.
func (c *call) tagList(prefix string) ([]tag, error) {
	var out []tag
	for _, n := range c.indexes(prefix) {
		t := tag{key: c.form.Get(sub(prefix, n, "Key")), value: c.form.Get(sub(prefix, n, "Value"))}
		_, t.hasValue = c.form[sub(prefix, n, "Value")]
		switch {
		case t.key == "":
			return nil, errParam("Tag keys must not be empty")
		case len(t.key) > 128 || len(t.value) > 256:
			return nil, errParam("Tag key or value for '%.32s' is too long", t.key)
		case strings.HasPrefix(strings.ToLower(t.key), "aws:"):
			return nil, errParam("Tag keys starting with 'aws:' are reserved for internal use")
		}
		out = append(out, t)
	}
	if len(out) > 50 {
		return nil, apiErr("TagLimitExceeded", "The maximum number of tags per resource is 50")
	}
	return out, nil
}

// tagSpecs reads the tags of TagSpecification(s).N for the resource type
// being created; another resource type is refused, as EC2 does.
func (c *call) tagSpecs(key, resourceType string) (map[string]string, error) {
	tags := map[string]string{}
	for _, n := range c.indexes(key) {
		rt := c.str(sub(key, n, "ResourceType"))
		if rt != resourceType {
			return nil, errParam("'%s' is not a valid taggable resource type for this operation.", rt)
		}
		ts, err := c.tagList(key + "." + strconv.Itoa(n) + ".Tag")
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			tags[t.key] = t.value
		}
	}
	return tags, nil
}

// find returns a resource of kind k in the call's region, or k's NotFound.
func (c *call) find(k *kindInfo, id string) (store.Resource, error) {
	r, err := c.f.st.Get(id)
	if err != nil || r.Kind != k.name || r.Scope != c.region {
		return store.Resource{}, k.missing(id)
	}
	return r, nil
}

// findLive is find for a resource that must not be deleting or deleted.
func (c *call) findLive(k *kindInfo, id string) (store.Resource, error) {
	r, err := c.find(k, id)
	if err == nil && gone(r.State) {
		return store.Resource{}, k.missing(id)
	}
	return r, err
}

// update and remove run the store operation for a resource of kind k in
// the call's region, translating the store's errors.
func (c *call) update(k *kindInfo, id string, fn func(r *store.Resource) error) (store.Resource, error) {
	if _, err := c.find(k, id); err != nil {
		return store.Resource{}, err
	}
	r, err := c.f.st.Update(id, fn)
	return r, ec2Error(err, k, id)
}

func (c *call) remove(k *kindInfo, id string) (store.Resource, error) {
	if _, err := c.find(k, id); err != nil {
		return store.Resource{}, err
	}
	r, err := c.f.st.Delete(id)
	return r, ec2Error(err, k, id)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
