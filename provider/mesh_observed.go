package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// observedValue renders what the clouds hold as the objects map. An object
// that matches its desired form shows the desired digest, so an in-sync mesh
// plans no change; a drifted one shows its observed digest, a missing one is
// absent and an extra one present, so the next plan shows ~, + and -.
func observedValue(ctx context.Context, desired, observed []plan.Object, diags *diag.Diagnostics) types.Map {
	byKey := make(map[string]plan.Object, len(observed))
	for _, o := range observed {
		byKey[o.Key] = o
	}
	lookup := func(k string) (plan.Object, bool) { o, ok := byKey[k]; return o, ok }
	vals := make(map[string]objectValue, len(observed))
	want := make(map[string]plan.Object, len(desired))
	for _, d := range desired {
		want[d.Key] = d
	}
	for _, o := range observed {
		digest := o.Digest()
		if d, ok := want[o.Key]; ok {
			if r, _ := plan.Resolve(d, lookup); matches(r, o) {
				digest = d.Digest()
			}
		}
		vals[o.Key] = objectValue{Kind: o.Kind, Cloud: o.Cloud, Site: o.Site, ID: types.StringValue(o.ID), Digest: digest}
	}
	m, d := types.MapValueFrom(ctx, objectType, vals)
	diags.Append(d...)
	return m
}

// matches says whether observed holds every desired attribute's value.
func matches(desired, observed plan.Object) bool {
	if desired.Kind != observed.Kind {
		return false
	}
	for k, v := range desired.Attrs {
		if observed.Attrs[k] != v {
			return false
		}
	}
	return true
}

// withExtra adds to an objects map the objects that exist but are not in
// desired (a failed apply's leftovers), with their observed digests.
func withExtra(ctx context.Context, m types.Map, desired []plan.Object, state map[string]plan.Object, diags *diag.Diagnostics) types.Map {
	vals := stateObjects(ctx, m, diags)
	in := map[string]bool{}
	for _, d := range desired {
		in[d.Key] = true
	}
	for k, o := range state {
		if !in[k] {
			vals[k] = objectValue{Kind: o.Kind, Cloud: o.Cloud, Site: o.Site, ID: types.StringValue(o.ID), Digest: o.Digest()}
		}
	}
	out, d := types.MapValueFrom(ctx, objectType, vals)
	diags.Append(d...)
	return out
}
