package gcp

import (
	"context"
	"maps"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
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
	// Create returned what Observe reports, tunnels included (not read
	// back after their insert).
	byKey := map[string]plan.Object{}
	for _, o := range obs {
		byKey[o.Key] = o
	}
	// tunnels_up is status, not configuration: a tunnel comes up after its
	// insert returns.
	config := func(a map[string]string) map[string]string {
		c := maps.Clone(a)
		delete(c, "tunnels_up")
		return c
	}
	for _, d := range rep.Done {
		got, want := d.Object, byKey[d.Object.Key]
		if got.ID != want.ID || got.Kind != want.Kind || got.Site != want.Site || !maps.Equal(config(got.Attrs), config(want.Attrs)) {
			t.Errorf("%s: created %+v, observed %+v", got.Key, got, want)
		}
	}
	if n := e.inj.CountersFor("vpnTunnels.get").Requests; n != 0 {
		t.Errorf("%d tunnels read back after their insert", n)
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
