package provider

import (
	"context"
	"net/netip"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// toMesh maps the configuration to the core's model. ok is false when some
// value is still unknown (e.g. a CIDR from another resource): the mesh can
// then only be computed at apply.
func (m *meshInput) toMesh(ctx context.Context, diags *diag.Diagnostics) (mesh *topology.Mesh, ok bool) {
	known := func(vs ...interface{ IsUnknown() bool }) bool {
		for _, v := range vs {
			if v.IsUnknown() {
				return false
			}
		}
		return true
	}
	if !known(m.Name, m.Topology, m.Hubs, m.Redundancy, m.PSKEpoch, m.KeyEpoch, m.HoldTime) {
		return nil, false
	}
	mesh = &topology.Mesh{
		Name:       m.Name.ValueString(),
		Topology:   topology.Kind(m.Topology.ValueString()),
		Redundancy: int(m.Redundancy.ValueInt64()),
		PSKEpoch:   m.PSKEpoch.ValueInt64(),
		KeyEpoch:   m.KeyEpoch.ValueInt64(),
		HoldTime:   int(m.HoldTime.ValueInt64()),
	}
	diags.Append(m.Hubs.ElementsAs(ctx, &mesh.Hubs, false)...)
	for _, s := range m.Sites {
		if !known(s.Name, s.Cloud, s.Region, s.NetworkID, s.CIDRs, s.ASN, s.Agent, s.Endpoint, s.Gateway) {
			return nil, false
		}
		site := topology.Site{
			Name: s.Name.ValueString(), Cloud: topology.Cloud(s.Cloud.ValueString()), Region: s.Region.ValueString(),
			NetworkID: s.NetworkID.ValueString(), ASN: uint32(s.ASN.ValueInt64()), Agent: s.Agent.ValueString(), Endpoint: s.Endpoint.ValueString(), Gateway: s.Gateway.ValueString(),
		}
		var cidrs []types.String
		diags.Append(s.CIDRs.ElementsAs(ctx, &cidrs, false)...)
		for _, c := range cidrs {
			if c.IsUnknown() {
				return nil, false
			}
			site.CIDRs = append(site.CIDRs, c.ValueString())
		}
		mesh.Sites = append(mesh.Sites, site)
	}
	for _, l := range m.Links {
		if !known(l.A, l.B, l.Transport) {
			return nil, false
		}
		mesh.Links = append(mesh.Links, topology.Link{A: l.A.ValueString(), B: l.B.ValueString(), Transport: topology.Transport(l.Transport.ValueString())})
	}
	return mesh, !diags.HasError()
}

// attrPath maps a core attribute path to the framework's.
func attrPath(p topology.Path) path.Path {
	var out path.Path
	for i, step := range p {
		switch v := step.(type) {
		case string:
			if i == 0 {
				out = path.Root(v)
			} else {
				out = out.AtName(v)
			}
		case int:
			out = out.AtListIndex(v)
		}
	}
	return out
}

// addProblems turns core problems into attribute diagnostics.
func addProblems(diags *diag.Diagnostics, ps topology.Problems) {
	for _, p := range ps {
		diags.AddAttributeError(attrPath(p.Path), p.Summary, p.Detail)
	}
}

// priorAllocation rebuilds the previous allocation from state, so that
// allocation stays sticky: existing tunnels keep their values.
func priorAllocation(ctx context.Context, m *meshModel, diags *diag.Diagnostics) *alloc.Allocation {
	if m == nil || m.Tunnels.IsNull() || m.Tunnels.IsUnknown() {
		return nil
	}
	var ts []tunnelValue
	diags.Append(m.Tunnels.ElementsAs(ctx, &ts, false)...)
	prev := &alloc.Allocation{ASNs: map[string]uint32{}}
	if !m.ASNs.IsNull() && !m.ASNs.IsUnknown() {
		var asns map[string]int64
		diags.Append(m.ASNs.ElementsAs(ctx, &asns, false)...)
		for k, v := range asns {
			prev.ASNs[k] = uint32(v)
		}
	}
	for _, t := range ts {
		inside, err := netip.ParsePrefix(t.InsideCIDR)
		if err != nil {
			continue // a damaged entry is reallocated rather than trusted
		}
		prev.Tunnels = append(prev.Tunnels, alloc.Tunnel{
			Key: t.Key, Transport: topology.Transport(t.Transport), Inside: inside,
			A: endFrom(t.ASite, t.ACloud, t.AInterface, t.AConnection, t.AAddress, t.AASN, t.AWGDevice, t.AWGPort),
			B: endFrom(t.BSite, t.BCloud, t.BInterface, t.BConnection, t.BAddress, t.BASN, t.BWGDevice, t.BWGPort),
		})
	}
	return prev
}

func endFrom(site, cloud string, iface, conn int64, addr string, asn int64, dev string, port int64) alloc.End {
	a, _ := netip.ParseAddr(addr)
	return alloc.End{Site: site, Cloud: topology.Cloud(cloud), Interface: int(iface), Connection: int(conn),
		Address: a, ASN: uint32(asn), WGDevice: dev, WGPort: int(port)}
}

func endValues(e alloc.End) (site, cloud string, iface, conn int64, addr string, asn int64, dev string, port int64) {
	return e.Site, string(e.Cloud), int64(e.Interface), int64(e.Connection), e.Address.String(), int64(e.ASN), e.WGDevice, int64(e.WGPort)
}
