package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// meshInput is what describes a mesh, shared by crosslink_mesh and the
// crosslink_failure_analysis data source (embedded in both models).
type meshInput struct {
	Name       types.String `tfsdk:"name"`
	Topology   types.String `tfsdk:"topology"`
	Hubs       types.List   `tfsdk:"hubs"`
	Redundancy types.Int64  `tfsdk:"redundancy"`
	PSKEpoch   types.Int64  `tfsdk:"psk_epoch"`
	KeyEpoch   types.Int64  `tfsdk:"key_epoch"`
	HoldTime   types.Int64  `tfsdk:"host_bgp_hold_time"`
	Sites      []siteModel  `tfsdk:"site"`
	Links      []linkModel  `tfsdk:"link"`
}

// withDefaults fills the defaults the resource schema declares; config
// values (validation, data sources) do not carry them.
func (m meshInput) withDefaults() meshInput {
	if m.Topology.IsNull() {
		m.Topology = types.StringValue(string(topology.Full))
	}
	if m.Redundancy.IsNull() {
		m.Redundancy = types.Int64Value(1)
	}
	return m
}

// field describes one schema attribute once; asResource and asDataSource
// render it in the two schema packages the framework keeps apart.
type field struct {
	desc     string
	kind     string // "string", "int", "strings"
	required bool
	strV     []validator.String
	intV     []validator.Int64
}

var siteFields = map[string]field{
	"name":       {desc: "Site name, unique in the mesh (RFC 1035, at most 24 characters).", kind: "string", required: true},
	"cloud":      {desc: "`aws`, `gcp`, `azure` or `host`.", kind: "string", required: true, strV: []validator.String{stringvalidator.OneOf("aws", "gcp", "azure", "host")}},
	"region":     {desc: "Cloud region (cloud sites).", kind: "string"},
	"network_id": {desc: "The network: an AWS VPC id, a GCP VPC network name, or an Azure virtual network resource id.", kind: "string"},
	"cidrs":      {desc: "Networks the site announces to the mesh. Must not overlap other sites'.", kind: "strings", required: true},
	"asn":        {desc: "BGP ASN; allocated from the private range when unset.", kind: "int", intV: []validator.Int64{int64validator.Between(1, 4294967294)}},
	"agent":      {desc: "Host sites: https URL of the crosslink agent, e.g. `https://198.51.100.7:7443` (a DNS name or an IPv6 literal in brackets work too).", kind: "string"},
	"endpoint": {desc: "Host sites: the IP address its tunnels use, when the agent URL does not give it (a DNS name, or a management address). " +
		"A host linked to a cloud site needs a public IPv4 address here or in the agent URL: cloud VPN gateways name their peers by IPv4 address.", kind: "string"},
	"gateway": {desc: "AWS sites: `vgw` (virtual private gateway, default) or `tgw` (transit gateway).", kind: "string", strV: []validator.String{stringvalidator.OneOf("vgw", "tgw")}},
}

var linkFields = map[string]field{
	"a":         {desc: "One site's name.", kind: "string", required: true},
	"b":         {desc: "The other site's name.", kind: "string", required: true},
	"transport": {desc: "`ipsec` or `wireguard`; chosen from the clouds when unset (WireGuard between hosts, IPsec otherwise).", kind: "string", strV: []validator.String{stringvalidator.OneOf("ipsec", "wireguard")}},
}

const (
	siteDesc     = "A network in one place."
	linkDesc     = "An explicit link between two sites, for topology `links`."
	topologyDesc = "How sites are linked: `full` (every pair), `hub_spoke` (every site to each hub in `hubs`) or `links` (the `link` blocks)."
	hubsDesc     = "Names of the hub sites, for topology `hub_spoke`."
)

var topologyValidators = []validator.String{stringvalidator.OneOf(string(topology.Full), string(topology.HubSpoke), string(topology.Links))}

func asResource(fs map[string]field) map[string]rschema.Attribute {
	out := map[string]rschema.Attribute{}
	for n, f := range fs {
		switch f.kind {
		case "string":
			out[n] = rschema.StringAttribute{Required: f.required, Optional: !f.required, Description: f.desc, Validators: f.strV}
		case "int":
			out[n] = rschema.Int64Attribute{Required: f.required, Optional: !f.required, Description: f.desc, Validators: f.intV}
		case "strings":
			out[n] = rschema.ListAttribute{Required: f.required, Optional: !f.required, Description: f.desc, ElementType: types.StringType}
		}
	}
	return out
}

func asDataSource(fs map[string]field) map[string]dschema.Attribute {
	out := map[string]dschema.Attribute{}
	for n, f := range fs {
		switch f.kind {
		case "string":
			out[n] = dschema.StringAttribute{Required: f.required, Optional: !f.required, Description: f.desc, Validators: f.strV}
		case "int":
			out[n] = dschema.Int64Attribute{Required: f.required, Optional: !f.required, Description: f.desc, Validators: f.intV}
		case "strings":
			out[n] = dschema.ListAttribute{Required: f.required, Optional: !f.required, Description: f.desc, ElementType: types.StringType}
		}
	}
	return out
}

func resourceBlocks() map[string]rschema.Block {
	return map[string]rschema.Block{
		"site": rschema.ListNestedBlock{Description: siteDesc, Validators: []validator.List{listvalidator.SizeAtLeast(2)},
			NestedObject: rschema.NestedBlockObject{Attributes: asResource(siteFields)}},
		"link": rschema.ListNestedBlock{Description: linkDesc, NestedObject: rschema.NestedBlockObject{Attributes: asResource(linkFields)}},
	}
}

func dataSourceBlocks() map[string]dschema.Block {
	return map[string]dschema.Block{
		"site": dschema.ListNestedBlock{Description: siteDesc, Validators: []validator.List{listvalidator.SizeAtLeast(2)},
			NestedObject: dschema.NestedBlockObject{Attributes: asDataSource(siteFields)}},
		"link": dschema.ListNestedBlock{Description: linkDesc, NestedObject: dschema.NestedBlockObject{Attributes: asDataSource(linkFields)}},
	}
}
