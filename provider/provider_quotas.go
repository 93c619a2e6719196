package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// quotasModel is the provider's quotas block: raised limits per cloud.
type quotasModel struct {
	AWS   types.Map `tfsdk:"aws"`
	GCP   types.Map `tfsdk:"gcp"`
	Azure types.Map `tfsdk:"azure"`
}

// quotaClouds are the clouds with quotas, as the block's attributes.
var quotaClouds = []topology.Cloud{topology.AWS, topology.GCP, topology.Azure}

func quotasBlock() schema.SingleNestedBlock {
	attrs := map[string]schema.Attribute{}
	for _, c := range quotaClouds {
		var names []string
		for i := range plan.Quotas {
			q := &plan.Quotas[i]
			if q.Cloud != c {
				continue
			}
			fixed := ""
			if !q.Adjustable {
				fixed = ", fixed"
			}
			names = append(names, fmt.Sprintf("`%s` (%s; default %d%s)", q.Name, q.What, q.Default, fixed))
		}
		sort.Strings(names)
		attrs[string(c)] = schema.MapAttribute{Optional: true, ElementType: types.Int64Type,
			Description: "Raised " + string(c) + " limits, by name: " + joinList(names) + ".",
			Validators:  []validator.Map{mapvalidator.ValueInt64sAre(int64validator.AtLeast(1))}}
	}
	return schema.SingleNestedBlock{
		Description: "The clouds' limits that plan checks the whole mesh against (VPN connections per gateway, gateways per region, " +
			"BGP peers per router, routes per session, …). Defaults are the clouds' documented defaults; where your account has a " +
			"raised quota, state it here so the plan counts against the real limit. Fixed limits cannot be raised.",
		Attributes: attrs,
	}
}

func joinList(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// configureQuotas reads the quotas block into limits by quota key. known is
// false when some value is unknown until apply (plan then skips the check).
func configureQuotas(ctx context.Context, m *quotasModel, diags *diag.Diagnostics) (limits map[string]int, known bool) {
	limits = map[string]int{}
	if m == nil {
		return limits, true
	}
	known = true
	for _, c := range quotaClouds {
		v := map[topology.Cloud]types.Map{topology.AWS: m.AWS, topology.GCP: m.GCP, topology.Azure: m.Azure}[c]
		if v.IsNull() {
			continue
		}
		if v.IsUnknown() {
			known = false
			continue
		}
		var vals map[string]types.Int64
		diags.Append(v.ElementsAs(ctx, &vals, false)...)
		for name, n := range vals {
			at := path.Root("quotas").AtName(string(c)).AtMapKey(name)
			q, ok := plan.QuotaByKey(string(c) + "." + name)
			switch {
			case !ok:
				diags.AddAttributeError(at, "Unknown quota", fmt.Sprintf("%q is not one of the %s quotas crosslink checks: %s.", name, c, plan.QuotaNames(c)))
			case n.IsUnknown():
				known = false
			case !q.Adjustable && int(n.ValueInt64()) > q.Default:
				diags.AddAttributeError(at, "Quota cannot be raised", fmt.Sprintf("%s (%s) is fixed at %d by the cloud (%s); a higher value would plan what the cloud refuses.", name, q.What, q.Default, q.Source))
			default:
				limits[q.Key()] = int(n.ValueInt64())
			}
		}
	}
	return limits, known
}
