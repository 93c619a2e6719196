package store

import (
	"maps"
	"time"
)

// Resource is one emulated cloud object. Values handed out by the store are
// deep copies: mutate them only inside Update's mutator.
type Resource struct {
	Cloud     string // "aws", "gcp", "azure"
	Kind      string // registered kind name, e.g. "aws.vpn_connection"
	ID        string // generated ("vpn-0123…") unless the create supplied one
	Name      string // optional; unique per Scope when the kind says so
	Scope     string // region, zone, project/region, resource group …
	Tags      map[string]string
	Attrs     map[string]any
	State     string
	CreatedAt time.Time

	seq        uint64    // insertion order: the stable list order and page cursor
	stateSince time.Time // when State was entered; drives timed transitions
}

func (r *Resource) clone() Resource {
	c := *r
	c.Tags = maps.Clone(r.Tags)
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	c.Attrs = cloneMap(r.Attrs)
	return c
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

// cloneValue copies the container types a JSON- or XML-shaped document
// uses, so a caller's copy never aliases stored state.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case map[string]string:
		return maps.Clone(x)
	case []string:
		return append([]string(nil), x...)
	default:
		return v
	}
}
