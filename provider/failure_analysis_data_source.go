package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/routing"
)

var _ datasource.DataSource = (*failureAnalysisDataSource)(nil)

// NewFailureAnalysisDataSource builds crosslink_failure_analysis.
func NewFailureAnalysisDataSource() datasource.DataSource { return &failureAnalysisDataSource{} }

type failureAnalysisDataSource struct{}

type failureAnalysisModel struct {
	meshInput
	Remove       types.List `tfsdk:"remove"`
	Pairs        types.List `tfsdk:"pairs"`
	Disconnected types.List `tfsdk:"disconnected"`
	WeakPoints   types.List `tfsdk:"weak_points"`
}

func (d *failureAnalysisDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_failure_analysis"
}

func (d *failureAnalysisDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "What-if analysis of a mesh: remove tunnels, gateway interfaces, gateways or sites and see which pairs of sites stay connected, and by which paths. Pure computation: no cloud is read.",
		Attributes: map[string]schema.Attribute{
			"name":               schema.StringAttribute{Required: true, Description: "Mesh name (as in crosslink_mesh)."},
			"topology":           schema.StringAttribute{Optional: true, Description: topologyDesc + " Default `full`.", Validators: topologyValidators},
			"hubs":               schema.ListAttribute{Optional: true, ElementType: types.StringType, Description: hubsDesc},
			"redundancy":         schema.Int64Attribute{Optional: true, Description: "As in crosslink_mesh; here it only decides how many backup paths are shown. Default 1."},
			"psk_epoch":          schema.Int64Attribute{Optional: true, Description: "Unused here; accepted so a mesh's arguments can be copied as they are."},
			"key_epoch":          schema.Int64Attribute{Optional: true, Description: "Unused here; accepted so a mesh's arguments can be copied as they are."},
			"host_bgp_hold_time": schema.Int64Attribute{Optional: true, Description: "Unused here; accepted so a mesh's arguments can be copied as they are."},
			"remove": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Description: "Elements to remove: `tunnel:<key>` (keys as in crosslink_mesh.tunnels), `interface:<site>/<n>`, `gateway:<site>` or `site:<site>`."},
			"pairs":        schema.ListAttribute{Computed: true, ElementType: pathType, Description: "Every pair after the removal, as `paths` of crosslink_mesh: disjoint paths and, per direction, where traffic goes (routers keep the MEDs of the whole mesh's plan). A disconnected pair has no paths."},
			"disconnected": schema.ListAttribute{Computed: true, ElementType: types.StringType, Description: "Pairs (`a~b`) left without any path."},
			"weak_points":  schema.ListAttribute{Computed: true, ElementType: weakPointType, Description: "Single points of failure of the mesh as configured (before removal)."},
		},
		Blocks: dataSourceBlocks(),
	}
}

func (d *failureAnalysisDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m failureAnalysisModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := m.withDefaults()
	mesh, ok := in.toMesh(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	// Weak points are what this data source reports, not a reason to fail.
	mesh.Redundancy = min(mesh.Redundancy, 1)
	desired, ps := buildDesired(ctx, mesh, nil, &resp.Diagnostics)
	if len(ps) > 0 || desired == nil {
		return
	}
	var names []string
	resp.Diagnostics.Append(m.Remove.ElementsAs(ctx, &names, true)...)
	var removed []routing.Element
	for i, n := range names {
		e, err := routing.ParseElement(n)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("remove").AtListIndex(i), "Invalid element", err.Error())
			continue
		}
		removed = append(removed, e)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	w, err := routing.WhatIf(mesh, desired.Alloc, removed)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("remove"), "Cannot remove these elements", err.Error())
		return
	}
	m.Pairs = listOf(ctx, pathType, pairValues(w.Pairs), &resp.Diagnostics)
	cut := make([]string, len(w.Disconnected))
	for i, p := range w.Disconnected {
		cut[i] = p[0] + "~" + p[1]
	}
	disc, diags := types.ListValueFrom(ctx, types.StringType, cut)
	resp.Diagnostics.Append(diags...)
	m.Disconnected = disc
	m.WeakPoints = listOf(ctx, weakPointType, weakPointValues(desired.Routing), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
