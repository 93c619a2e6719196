package store

import "reflect"

// Filter selects resources in List and View.Find. It must not modify r.
// A nil Filter matches everything.
type Filter func(r *Resource) bool

// Ownership tags every crosslink-created object carries (DESIGN.md).
const (
	TagMesh = "crosslink-mesh"
	TagKey  = "crosslink-key"
)

// And matches when every filter matches (nil filters are skipped).
func And(fs ...Filter) Filter {
	return func(r *Resource) bool {
		for _, f := range fs {
			if f != nil && !f(r) {
				return false
			}
		}
		return true
	}
}

// ByKind matches any of the given kinds.
func ByKind(kinds ...string) Filter {
	return func(r *Resource) bool {
		for _, k := range kinds {
			if r.Kind == k {
				return true
			}
		}
		return false
	}
}

// ByScope matches one region / zone / project scope.
func ByScope(scope string) Filter { return func(r *Resource) bool { return r.Scope == scope } }

// ByName matches one name.
func ByName(name string) Filter { return func(r *Resource) bool { return r.Name == name } }

// ByState matches any of the given states.
func ByState(states ...string) Filter {
	return func(r *Resource) bool {
		for _, s := range states {
			if r.State == s {
				return true
			}
		}
		return false
	}
}

// ByTag matches a tag key with the given value.
func ByTag(key, value string) Filter {
	return func(r *Resource) bool { v, ok := r.Tags[key]; return ok && v == value }
}

// HasTag matches when the tag key is present, whatever its value.
func HasTag(key string) Filter {
	return func(r *Resource) bool { _, ok := r.Tags[key]; return ok }
}

// AttrEquals matches when Attrs[key] deep-equals value.
func AttrEquals(key string, value any) Filter {
	return func(r *Resource) bool { v, ok := r.Attrs[key]; return ok && reflect.DeepEqual(v, value) }
}

// Where matches an arbitrary predicate over the attribute document.
func Where(pred func(attrs map[string]any) bool) Filter {
	return func(r *Resource) bool { return pred(r.Attrs) }
}

// OwnedBy selects the objects a mesh owns: how drivers' Observe finds
// them in one call.
func OwnedBy(mesh string) Filter { return ByTag(TagMesh, mesh) }

// OwnedByKey selects the one object a mesh owns under a stable key.
func OwnedByKey(mesh, key string) Filter { return And(ByTag(TagMesh, mesh), ByTag(TagKey, key)) }
