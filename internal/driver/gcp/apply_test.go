package gcp

import (
	"context"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
)

// TestApplyObserveInSync: a compiled mesh applied through the engine is
// reported back by Observe exactly as desired, and creating any object a
// second time adopts it.
func TestApplyObserveInSync(t *testing.T) {
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{}, Config{})
	rep := e.converge(t, desired)
	if len(rep.Done) != len(desired) {
		t.Fatalf("%d actions done for %d objects", len(rep.Done), len(desired))
	}
	obs := e.inSync(t, desired)
	t.Logf("applied %s; calls %v", countKinds(obs), e.calls.n)
	if len(obs) != len(desired) {
		t.Fatalf("observed %s, desired %s", countKinds(obs), countKinds(desired))
	}
	// Create returned what Observe reports.
	byKey := map[string]string{}
	for _, o := range obs {
		byKey[o.Key] = o.ID
	}
	for _, d := range rep.Done {
		if d.Object.ID != byKey[d.Object.Key] {
			t.Errorf("%s: created with ID %q, observed %q", d.Object.Key, d.Object.ID, byKey[d.Object.Key])
		}
	}
	// Creating again adopts: same ID, nothing new.
	for _, d := range rep.Done {
		o := d.Object
		again, err := e.d.Create(context.Background(), withAttrs(d.Action.Desired, resolvedFrom(t, d.Action.Desired, obs)), testSecrets{})
		if err != nil {
			t.Fatalf("creating %s again: %v", o.Key, err)
		}
		if again.ID != o.ID {
			t.Errorf("%s: second create gave ID %q, first %q", o.Key, again.ID, o.ID)
		}
	}
	e.inSync(t, desired)
}
