package gce

import (
	"fmt"
	"net/http"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// opUser is who GCE says ran an operation.
const opUser = "crosslink-emulator@system.gserviceaccount.com"

// newOp records the operation of a mutation just applied to target. The
// caller holds f.mu. The op is RUNNING for OpDelay on the store's clock.
func (f *Frontend) newOp(c call, typ string, target store.Resource, t *resourceType) (store.Resource, error) {
	f.seq++
	now := f.st.Clock().Now()
	name := fmt.Sprintf("operation-%d-%013x-%s", now.UnixMilli(), f.seq, f.nonce)
	op, _, err := f.st.Create(store.CreateRequest{Cloud: "gcp", Kind: kindOperation, Name: name, Scope: c.scope(),
		Attrs: map[string]any{
			"operationType": typ,
			"targetLink":    selfPath(target, t.coll),
			"targetId":      numericID(target.ID),
		}})
	if err != nil {
		return store.Resource{}, err
	}
	// Re-read so a zero OpDelay shows DONE at once.
	return f.st.Get(op.ID)
}

func (f *Frontend) renderOp(op store.Resource, base string) map[string]any {
	done := op.State == opDone
	doc := map[string]any{
		"kind":          "compute#operation",
		"id":            numericID(op.ID),
		"name":          op.Name,
		"selfLink":      op.Scope + "/operations/" + op.Name,
		"operationType": op.Attrs["operationType"],
		"targetLink":    op.Attrs["targetLink"],
		"targetId":      op.Attrs["targetId"],
		"status":        op.State,
		"progress":      0,
		"insertTime":    timestamp(op.CreatedAt),
		"startTime":     timestamp(op.CreatedAt),
		"user":          opUser,
	}
	if done {
		doc["progress"] = 100
		doc["endTime"] = timestamp(op.CreatedAt.Add(f.o.OpDelay))
	}
	if r := regionOf(op.Scope); r != "" {
		doc["region"] = op.Scope
	}
	absolutize(doc, base)
	return doc
}

// mutate runs one mutation under f.mu with requestId de-duplication: a
// repeated requestId on the same collection returns the first operation
// and applies nothing (that is what makes retries after a lost reply
// safe). apply returns the new operation; a failed apply is not recorded,
// so a retry is validated afresh.
func (f *Frontend) mutate(w http.ResponseWriter, r *http.Request, c call, apply func() (store.Resource, error)) {
	rid := r.URL.Query().Get("requestId")
	if err := checkRequestID(rid); err != nil {
		err.write(w)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := c.scope() + "/" + c.coll + "|" + rid
	if rid != "" {
		if id, ok := f.requests[key]; ok {
			if op, err := f.st.Get(id); err == nil {
				writeJSON(w, http.StatusOK, f.renderOp(op, baseURL(r)))
				return
			}
		}
	}
	op, err := apply()
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	if rid != "" {
		f.requests[key] = op.ID
	}
	writeJSON(w, http.StatusOK, f.renderOp(op, baseURL(r)))
}

// getOp serves operations.get and operations.wait.
func (f *Frontend) getOp(w http.ResponseWriter, r *http.Request, c call) {
	op, err := f.st.Lookup(kindOperation, c.scope(), c.name)
	if err != nil {
		writeErr(w, err, c.path())
		return
	}
	if c.method == "wait" {
		op = f.waitOp(r, op)
	}
	writeJSON(w, http.StatusOK, f.renderOp(op, baseURL(r)))
}

// waitOp polls until the op is done, the client gives up, or a real-time
// bound passes: GCE's wait returns after at most 2 minutes, and with a
// manual clock the op only ends when the test advances it.
func (f *Frontend) waitOp(r *http.Request, op store.Resource) store.Resource {
	deadline := time.NewTimer(min(2*time.Minute, f.o.OpDelay+time.Second))
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for op.State != opDone {
		select {
		case <-r.Context().Done():
			return op
		case <-deadline.C:
			return op
		case <-tick.C:
		}
		cur, err := f.st.Get(op.ID)
		if err != nil {
			return op
		}
		op = cur
	}
	return op
}
