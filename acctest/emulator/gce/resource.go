package gce

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// get serves <coll>.get.
func (f *Frontend) get(w http.ResponseWriter, r *http.Request, c call, t *resourceType) {
	res, err := f.st.Lookup(t.kind, c.scope(), c.name)
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	writeJSON(w, http.StatusOK, f.views(r, t, []store.Resource{res})[0])
}

// views renders resources for a reply; tunnels get their live status
// from one fabric snapshot.
func (f *Frontend) views(r *http.Request, t *resourceType, rs []store.Resource) []map[string]any {
	base := baseURL(r)
	out := make([]map[string]any, len(rs))
	var snap tunnelStates
	if t.kind == kindTunnel && len(rs) > 0 {
		snap = f.snapshot()
	}
	for i, res := range rs {
		out[i] = render(res, t, base)
		if t.kind == kindTunnel {
			status, detail := snap.tunnelStatus(res)
			out[i]["status"], out[i]["detailedStatus"] = status, detail
		}
	}
	return out
}

// create stores a new resource from its normalised document and returns
// its insert operation. The caller holds f.mu (via mutate).
func (f *Frontend) create(c call, t *resourceType, name string, labels map[string]string, m proto.Message) (store.Resource, error) {
	doc, err := toDoc(m)
	if err != nil {
		return store.Resource{}, err
	}
	path := c.scope() + "/" + t.coll + "/" + name
	if t.labels {
		doc["labelFingerprint"] = f.fingerprint(path, labels)
	}
	res, _, err := f.st.Create(store.CreateRequest{Cloud: "gcp", Kind: t.kind, Name: name, Scope: c.scope(),
		Tags: labels, Attrs: doc})
	if err != nil {
		return store.Resource{}, toAPI(err, path) // an *apiError: nothing was created
	}
	op, err := f.newOp(c, "insert", res, t)
	if err != nil {
		return store.Resource{}, fmt.Errorf("recording the insert operation of %s: %w", path, err)
	}
	return op, nil
}

// delete serves <coll>.delete; the kind's rules refuse a resource in use.
func (f *Frontend) delete(w http.ResponseWriter, r *http.Request, c call, t *resourceType) {
	f.mutate(w, r, c, func() (store.Resource, error) {
		res, err := f.st.Lookup(t.kind, c.scope(), c.name)
		if err != nil {
			return store.Resource{}, err
		}
		del, err := f.st.Delete(res.ID)
		if err != nil {
			return store.Resource{}, err
		}
		return f.newOp(c, "delete", del, t)
	})
}

// setLabels serves <coll>.setLabels: labels replace the old ones when the
// caller saw the current labelFingerprint, else 412 conditionNotMet.
func (f *Frontend) setLabels(w http.ResponseWriter, r *http.Request, c call, t *resourceType) {
	var req interface {
		proto.Message
		GetLabels() map[string]string
		GetLabelFingerprint() string
	} = &computepb.RegionSetLabelsRequest{}
	if t.global {
		req = &computepb.GlobalSetLabelsRequest{}
	}
	if _, err := readBody(r, req); err != nil {
		err.write(w)
		return
	}
	if err := checkLabels("labels", req.GetLabels()); err != nil {
		err.write(w)
		return
	}
	f.mutate(w, r, c, func() (store.Resource, error) {
		res, err := f.st.Lookup(t.kind, c.scope(), c.name)
		if err != nil {
			return store.Resource{}, err
		}
		if fp, _ := res.Attrs["labelFingerprint"].(string); fp != req.GetLabelFingerprint() {
			return store.Resource{}, errorf(http.StatusPreconditionFailed, reasonCondition,
				"Labels fingerprint either invalid or resource labels have changed")
		}
		upd, err := f.st.Update(res.ID, func(x *store.Resource) error {
			x.Tags = req.GetLabels()
			x.Attrs["labelFingerprint"] = f.fingerprint(c.path(), req.GetLabels())
			return nil
		})
		if err != nil {
			return store.Resource{}, err
		}
		return f.newOp(c, "setLabels", upd, t)
	})
}

// fingerprint is a new labelFingerprint: it changes on every change, so a
// fingerprint read before any later setLabels is stale. Caller holds f.mu.
func (f *Frontend) fingerprint(path string, labels map[string]string) string {
	f.seq++
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%d|%s", path, f.seq, f.nonce)
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "|%s=%s", k, labels[k])
	}
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, h.Sum64()))
}
