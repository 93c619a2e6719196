package gce

import (
	"strconv"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Stored document keys that are never shown: the tunnel's shared secret
// (GCE returns only its hash).
const keySecret = "sharedSecret"

// timestamp is GCE's RFC 3339 format with milliseconds and an offset.
func timestamp(t time.Time) string { return t.Format("2006-01-02T15:04:05.000-07:00") }

// numericID is the GCE id (a uint64, sent as a decimal string) of a store
// ID "gce-<16 hex>"; the top bit is cleared as real ids fit an int64.
func numericID(storeID string) string {
	n, err := strconv.ParseUint(strings.TrimPrefix(storeID, idPrefix), 16, 64)
	if err != nil {
		return "0"
	}
	return strconv.FormatUint(n&(1<<63-1), 10)
}

func selfPath(r store.Resource, coll string) string { return r.Scope + "/" + coll + "/" + r.Name }

// full is a resource's whole document with relative references: the
// stored fields plus the server-owned ones. r is a store copy, so its
// Attrs may be reused.
func full(r store.Resource, t *resourceType) map[string]any {
	doc := r.Attrs
	if doc == nil {
		doc = map[string]any{}
	}
	doc["kind"] = t.gceKind
	doc["id"] = numericID(r.ID)
	doc["name"] = r.Name
	doc["selfLink"] = selfPath(r, t.coll)
	doc["creationTimestamp"] = timestamp(r.CreatedAt)
	if !t.global {
		doc["region"] = r.Scope
	}
	if t.labels && len(r.Tags) > 0 {
		l := make(map[string]any, len(r.Tags))
		for k, v := range r.Tags {
			l[k] = v
		}
		doc["labels"] = l
	}
	return doc
}

// render is the document a client sees: no secrets, full URLs.
func render(r store.Resource, t *resourceType, base string) map[string]any {
	doc := full(r, t)
	delete(doc, keySecret)
	delete(doc, keyBound)
	absolutize(doc, base)
	return doc
}

// regionOf is the region of a regional scope "projects/p/regions/r".
func regionOf(scope string) string {
	_, r, _ := strings.Cut(scope, "/regions/")
	return r
}
