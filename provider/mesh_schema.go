package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func (r *meshResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A mesh of sites connected by tunnels. Plan shows every tunnel, inside address, ASN, BGP session, " +
			"route, each pair's primary and backup path, and every cloud object the mesh owns; apply converges the clouds to it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The mesh name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:      true,
				Description:   "Mesh name: lowercase letters, digits and hyphens (RFC 1035), at most 20 characters. Cloud objects are tagged with it. Changing it replaces the mesh.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"topology": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(string(topology.Full)),
				Description: topologyDesc, Validators: topologyValidators,
			},
			"hubs": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				Description: hubsDesc,
			},
			"redundancy": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				Description: "Disjoint paths (no shared tunnel, gateway interface or transit site) every pair of sites must keep. " +
					"At 2 or more, plan fails if any single element's loss would disconnect a pair.",
				Validators: []validator.Int64{int64validator.Between(1, topology.MaxRedundancy)},
			},
			"psk_epoch": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				Description: "Pre-shared keys are derived from the provider's mesh secret, each tunnel's key and this number; bump it to rotate every IPsec key. Keys never enter state.",
				Validators:  []validator.Int64{int64validator.AtLeast(0)},
			},
			"key_epoch": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				Description: "Bump to rotate the WireGuard keys of host links (generated on the hosts; only public keys leave them).",
				Validators:  []validator.Int64{int64validator.AtLeast(0)},
			},
			"host_bgp_hold_time": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(topology.DefaultHostHoldTime),
				Description: "BGP hold time, in seconds, of sessions on host links (keepalives every third of it). The agents also probe each link several times a second and fail over within about a second; the hold time is the fallback.",
				Validators:  []validator.Int64{int64validator.Between(topology.MinHoldTime, topology.MaxHoldTime)},
			},
			"asns":         schema.MapAttribute{Computed: true, ElementType: types.Int64Type, Description: "BGP ASN of each site, given or allocated."},
			"tunnels":      schema.ListAttribute{Computed: true, ElementType: tunnelType, Description: "Every tunnel: its two ends, inside /30, addresses, ASNs, gateway interfaces and (for WireGuard) devices and ports. Allocations are sticky: an existing tunnel keeps its values while it exists."},
			"bgp_sessions": schema.ListAttribute{Computed: true, ElementType: sessionType, Description: sessionsDesc},
			"routes":       schema.ListAttribute{Computed: true, ElementType: routeType, Description: routesDesc},
			"paths":        schema.ListAttribute{Computed: true, ElementType: pathType, Description: pathsDesc},
			"weak_points":  schema.ListAttribute{Computed: true, ElementType: weakPointType, Description: "Elements (tunnel, interface, gateway, site) whose loss alone disconnects some pair of other sites. Must be empty at redundancy 2 or more."},
			"objects": schema.MapAttribute{
				Computed: true, ElementType: objectType,
				Description: "The cloud objects this mesh owns, by stable key: kind, cloud, site, cloud id and a digest of the desired attributes. " +
					"Refresh fills it from what the clouds hold and plan sets it to what they must hold, so the plan shows each object's create, update or delete.",
			},
		},
		Blocks: withTimeouts(ctx, resourceBlocks()),
	}
}

func withTimeouts(ctx context.Context, b map[string]schema.Block) map[string]schema.Block {
	b["timeouts"] = timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true})
	return b
}

// Descriptions of the routing attributes, shared with the failure
// analysis data source.
const (
	sessionsDesc = "Every BGP session (one per tunnel end) with the MED and AS-path prepend its announcer sends: " +
		"hosts set both, GCP a MED (`advertisedRoutePriority`), AWS and Azure neither (their gateways cannot), so those are 0."
	routesDesc = "Per site and remote prefix, the next hops the site's router uses (priority 0: several where it spreads traffic " +
		"or picks one of equal routes itself) and those it moves to once they are down (priority 1); at most 16 per priority."
	pathsDesc = "Each pair of sites (`a` < `b`): `disjoint`, the paths that share no tunnel, gateway interface or transit site " +
		"(what `redundancy` counts), and per direction (`a_to_b`, `b_to_a`) where traffic really goes, as each cloud's router chooses: " +
		"`selection` is `single` (one path), `ecmp` (spread over every listed path, e.g. GCP toward AWS, which sends equal routes " +
		"over all four tunnels), `one_of` (a router picks one of equal routes by tie-breakers no plan can know, e.g. an AWS virtual " +
		"private gateway, or GCP in its default legacy best-path mode when the lowest MED is not on the shortest AS path) or `none`; " +
		"`paths` lists them (sites and tunnel keys, at most 16; `more` counts the rest); `backup_selection` and `backup_paths` are " +
		"where it goes once the source's first tunnels of `paths` are down. Paths never cross a site whose router does not " +
		"transit (GCP Cloud Router); docs/design.md has the routing model and its sources."
)
