package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

var (
	_ resource.Resource                   = (*meshResource)(nil)
	_ resource.ResourceWithConfigure      = (*meshResource)(nil)
	_ resource.ResourceWithValidateConfig = (*meshResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*meshResource)(nil)
)

// NewMeshResource builds crosslink_mesh.
func NewMeshResource() resource.Resource { return &meshResource{} }

type meshResource struct {
	data *providerData
}

func (r *meshResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mesh"
}

func (r *meshResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	d, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	r.data = d
}

// ValidateConfig reports every problem topology validation finds, on its
// attribute, as early as `terraform validate`.
func (r *meshResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m meshModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := m.withDefaults()
	mesh, ok := in.toMesh(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	addProblems(&resp.Diagnostics, topology.Validate(mesh))
}

// ModifyPlan computes, at plan time, everything the mesh will be: tunnels,
// sessions, routes, paths, weak points and the objects map.
func (r *meshResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var planned meshModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &planned)...)
	var prior *meshModel
	if !req.State.Raw.IsNull() {
		prior = &meshModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	mesh, ok := planned.toMesh(ctx, &resp.Diagnostics)
	if !ok {
		return // unknown inputs: computed values stay unknown until apply
	}
	d, ps := buildDesired(ctx, mesh, prior, &resp.Diagnostics)
	if len(ps) > 0 || d == nil {
		return
	}
	for _, w := range d.Warnings {
		resp.Diagnostics.AddAttributeWarning(attrPath(w.Path), w.Summary, w.Detail)
	}
	if limits, known := r.quotaLimits(); known {
		if ps := plan.CheckQuotas(d, limits); len(ps) > 0 {
			addProblems(&resp.Diagnostics, ps)
			return
		}
	}
	planned.setComputed(ctx, d, &resp.Diagnostics)
	var old map[string]objectValue
	if prior != nil {
		old = stateObjects(ctx, prior.Objects, &resp.Diagnostics)
	}
	ids := keptIDs(d.Objects, old)
	planned.Objects = objectsValue(ctx, d.Objects, ids, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &planned)...)
}

func (r *meshResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var planned meshModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &planned)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := planned.Timeouts.Create(ctx, 60*time.Minute)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A failed create saves no state: the next apply observes the objects
	// this one made by their ownership tags and adopts them.
	if r.converge(ctx, &planned, nil, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &planned)...)
	}
}

func (r *meshResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var planned, prior meshModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &planned)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := planned.Timeouts.Update(ctx, 60*time.Minute)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Even a failed update records what now exists, so a re-run converges.
	r.converge(ctx, &planned, &prior, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &planned)...)
}

func (r *meshResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state meshModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, 10*time.Minute)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.refresh(ctx, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *meshResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state meshModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, 60*time.Minute)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !r.destroy(ctx, &state, &resp.Diagnostics) {
		// Keep what is left in state so the next destroy finishes the job.
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}
