package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// Object is one cloud object a mesh owns.
type Object struct {
	// Key is stable across plans: "<cloud>/<site>/<kind>/<name>".
	Key   string
	Kind  string
	Cloud string
	Site  string
	// ID is the cloud's identifier; empty for a desired object not yet created.
	ID string
	// Attrs are the desired (or observed) attributes, flattened to strings.
	// Secrets never appear here: a PSK is represented by its epoch.
	Attrs map[string]string
	// Deps are keys of objects that must exist before this one.
	Deps []string
}

// Digest is a short, stable hash of the attributes, shown in plans so that
// any change to what the cloud must hold is visible as a changed value.
func (o Object) Digest() string {
	keys := make([]string, 0, len(o.Attrs))
	for k := range o.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte(o.Kind))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		h.Write([]byte{1})
		h.Write([]byte(o.Attrs[k]))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Key builds an object key from its parts.
func Key(cloud, site, kind, name string) string {
	return strings.Join([]string{cloud, site, kind, name}, "/")
}

// SplitKey is Key's inverse: it returns the parts of a key and false when
// key does not have four non-empty parts. Drivers use it to rebuild an
// observed object's site and kind from the ownership key a cloud holds.
func SplitKey(key string) (cloud, site, kind, name string, ok bool) {
	p := strings.SplitN(key, "/", 4)
	if len(p) != 4 || p[0] == "" || p[1] == "" || p[2] == "" || p[3] == "" {
		return "", "", "", "", false
	}
	return p[0], p[1], p[2], p[3], true
}
