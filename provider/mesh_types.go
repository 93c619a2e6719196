package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// meshModel is the crosslink_mesh resource's data.
type meshModel struct {
	meshInput
	ID          types.String   `tfsdk:"id"`
	ASNs        types.Map      `tfsdk:"asns"`
	Tunnels     types.List     `tfsdk:"tunnels"`
	BGPSessions types.List     `tfsdk:"bgp_sessions"`
	Routes      types.List     `tfsdk:"routes"`
	Paths       types.List     `tfsdk:"paths"`
	WeakPoints  types.List     `tfsdk:"weak_points"`
	Objects     types.Map      `tfsdk:"objects"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

type siteModel struct {
	Name      types.String `tfsdk:"name"`
	Cloud     types.String `tfsdk:"cloud"`
	Region    types.String `tfsdk:"region"`
	NetworkID types.String `tfsdk:"network_id"`
	CIDRs     types.List   `tfsdk:"cidrs"`
	ASN       types.Int64  `tfsdk:"asn"`
	Agent     types.String `tfsdk:"agent"`
	Endpoint  types.String `tfsdk:"endpoint"`
	Gateway   types.String `tfsdk:"gateway"`
}

type linkModel struct {
	A         types.String `tfsdk:"a"`
	B         types.String `tfsdk:"b"`
	Transport types.String `tfsdk:"transport"`
}

// Computed element shapes. The Go structs mirror the attr types below so
// values convert with ListValueFrom / ElementsAs.
type tunnelValue struct {
	Key         string `tfsdk:"key"`
	Transport   string `tfsdk:"transport"`
	InsideCIDR  string `tfsdk:"inside_cidr"`
	ASite       string `tfsdk:"a_site"`
	ACloud      string `tfsdk:"a_cloud"`
	AInterface  int64  `tfsdk:"a_interface"`
	AConnection int64  `tfsdk:"a_connection"`
	AAddress    string `tfsdk:"a_address"`
	AASN        int64  `tfsdk:"a_asn"`
	AWGDevice   string `tfsdk:"a_wg_device"`
	AWGPort     int64  `tfsdk:"a_wg_port"`
	BSite       string `tfsdk:"b_site"`
	BCloud      string `tfsdk:"b_cloud"`
	BInterface  int64  `tfsdk:"b_interface"`
	BConnection int64  `tfsdk:"b_connection"`
	BAddress    string `tfsdk:"b_address"`
	BASN        int64  `tfsdk:"b_asn"`
	BWGDevice   string `tfsdk:"b_wg_device"`
	BWGPort     int64  `tfsdk:"b_wg_port"`
}

type sessionValue struct {
	Tunnel       string `tfsdk:"tunnel"`
	Site         string `tfsdk:"site"`
	PeerSite     string `tfsdk:"peer_site"`
	LocalAddress string `tfsdk:"local_address"`
	PeerAddress  string `tfsdk:"peer_address"`
	LocalASN     int64  `tfsdk:"local_asn"`
	PeerASN      int64  `tfsdk:"peer_asn"`
	MED          int64  `tfsdk:"med"`
	Prepend      int64  `tfsdk:"prepend"`
}

type routeValue struct {
	Site        string `tfsdk:"site"`
	Prefix      string `tfsdk:"prefix"`
	Destination string `tfsdk:"destination"`
	Tunnel      string `tfsdk:"tunnel"`
	NextHop     string `tfsdk:"next_hop"`
	Priority    int64  `tfsdk:"priority"`
}

type pathValue struct {
	A        string          `tfsdk:"a"`
	B        string          `tfsdk:"b"`
	Disjoint []sitePathValue `tfsdk:"disjoint"`
	AToB     forwardValue    `tfsdk:"a_to_b"`
	BToA     forwardValue    `tfsdk:"b_to_a"`
}

// forwardValue is where one direction's traffic goes (routing.Forwarding).
type forwardValue struct {
	Selection       string          `tfsdk:"selection"`
	Paths           []sitePathValue `tfsdk:"paths"`
	More            int64           `tfsdk:"more"`
	BackupSelection string          `tfsdk:"backup_selection"`
	BackupPaths     []sitePathValue `tfsdk:"backup_paths"`
	BackupMore      int64           `tfsdk:"backup_more"`
}

type sitePathValue struct {
	Sites   []string `tfsdk:"sites"`
	Tunnels []string `tfsdk:"tunnels"`
}

type weakPointValue struct {
	Element string   `tfsdk:"element"`
	Cuts    []string `tfsdk:"cuts"`
}

type objectValue struct {
	Kind   string       `tfsdk:"kind"`
	Cloud  string       `tfsdk:"cloud"`
	Site   string       `tfsdk:"site"`
	ID     types.String `tfsdk:"id"`
	Digest string       `tfsdk:"digest"`
}

var (
	strList = types.ListType{ElemType: types.StringType}

	tunnelType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"key": types.StringType, "transport": types.StringType, "inside_cidr": types.StringType,
		"a_site": types.StringType, "a_cloud": types.StringType, "a_interface": types.Int64Type, "a_connection": types.Int64Type,
		"a_address": types.StringType, "a_asn": types.Int64Type, "a_wg_device": types.StringType, "a_wg_port": types.Int64Type,
		"b_site": types.StringType, "b_cloud": types.StringType, "b_interface": types.Int64Type, "b_connection": types.Int64Type,
		"b_address": types.StringType, "b_asn": types.Int64Type, "b_wg_device": types.StringType, "b_wg_port": types.Int64Type,
	}}
	sessionType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"tunnel": types.StringType, "site": types.StringType, "peer_site": types.StringType,
		"local_address": types.StringType, "peer_address": types.StringType,
		"local_asn": types.Int64Type, "peer_asn": types.Int64Type, "med": types.Int64Type, "prepend": types.Int64Type,
	}}
	routeType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"site": types.StringType, "prefix": types.StringType, "destination": types.StringType,
		"tunnel": types.StringType, "next_hop": types.StringType, "priority": types.Int64Type,
	}}
	sitePathType = types.ObjectType{AttrTypes: map[string]attr.Type{"sites": strList, "tunnels": strList}}
	sitePathList = types.ListType{ElemType: sitePathType}
	forwardType  = types.ObjectType{AttrTypes: map[string]attr.Type{
		"selection": types.StringType, "paths": sitePathList, "more": types.Int64Type,
		"backup_selection": types.StringType, "backup_paths": sitePathList, "backup_more": types.Int64Type,
	}}
	pathType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"a": types.StringType, "b": types.StringType, "disjoint": sitePathList, "a_to_b": forwardType, "b_to_a": forwardType,
	}}
	weakPointType = types.ObjectType{AttrTypes: map[string]attr.Type{"element": types.StringType, "cuts": strList}}
	objectType    = types.ObjectType{AttrTypes: map[string]attr.Type{
		"kind": types.StringType, "cloud": types.StringType, "site": types.StringType, "id": types.StringType, "digest": types.StringType,
	}}
)
