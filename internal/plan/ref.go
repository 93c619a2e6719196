package plan

import "strings"

// Resolve returns o with every "${key.attr}" reference in its attributes
// replaced by the value found through lookup ("id" is the object's ID,
// anything else an attribute). ok is false when some reference could not be
// resolved yet; those are left as they are.
func Resolve(o Object, lookup func(key string) (Object, bool)) (out Object, ok bool) {
	ok = true
	var attrs map[string]string
	for k, v := range o.Attrs {
		if !strings.Contains(v, "${") {
			continue
		}
		r, good := resolveValue(v, lookup)
		ok = ok && good
		if r != v {
			if attrs == nil {
				attrs = make(map[string]string, len(o.Attrs))
				for k2, v2 := range o.Attrs {
					attrs[k2] = v2
				}
			}
			attrs[k] = r
		}
	}
	if attrs != nil {
		o.Attrs = attrs
	}
	return o, ok
}

func resolveValue(v string, lookup func(string) (Object, bool)) (string, bool) {
	var b strings.Builder
	ok := true
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			b.WriteString(v)
			return b.String(), ok
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			b.WriteString(v)
			return b.String(), false
		}
		b.WriteString(v[:i])
		ref := v[i+2 : i+j]
		if val, good := lookupRef(ref, lookup); good {
			b.WriteString(val)
		} else {
			b.WriteString(v[i : i+j+1])
			ok = false
		}
		v = v[i+j+1:]
	}
}

// lookupRef splits "<key>.<attr>": keys hold no dots after their last '/'.
func lookupRef(ref string, lookup func(string) (Object, bool)) (string, bool) {
	slash := strings.LastIndexByte(ref, '/')
	dot := strings.IndexByte(ref[slash+1:], '.')
	if slash < 0 || dot < 0 {
		return "", false
	}
	key, attr := ref[:slash+1+dot], ref[slash+2+dot:]
	o, found := lookup(key)
	if !found {
		return "", false
	}
	if attr == "id" {
		return o.ID, o.ID != ""
	}
	v, has := o.Attrs[attr]
	return v, has
}
