package gcp

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// createHAGateway makes a site's HA VPN gateway; GCP gives it two
// interfaces with public addresses, which peers' objects refer to.
func (d *Driver) createHAGateway(ctx context.Context, c *clients, o plan.Object) (plan.Object, error) {
	si, err := d.site(o.Site)
	if err != nil {
		return plan.Object{}, err
	}
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	region := regionAttr(o, si)
	gw := &computepb.VpnGateway{
		Name:        &name,
		Description: ptr(description(d.mesh.Name, o.Key)),
		Network:     ptr(networkAttr(o, si)),
		Labels:      map[string]string{labelMesh: d.mesh.Name},
	}
	got, err := createOrAdopt(ctx, d, o.Key, func(id string) (*compute.Operation, error) {
		return c.gateways.Insert(ctx, &computepb.InsertVpnGatewayRequest{Project: si.project, Region: region, RequestId: &id, VpnGatewayResource: gw})
	}, func(ctx context.Context) (*computepb.VpnGateway, error) {
		return c.gateways.Get(ctx, &computepb.GetVpnGatewayRequest{Project: si.project, Region: region, VpnGateway: name})
	}, nil) // GCP assigns the interfaces' addresses
	if err != nil {
		return plan.Object{}, err
	}
	return haGatewayObject(si, o.Key, si.project, region, got), nil
}

func haGatewayObject(si siteInfo, key, project, region string, g *computepb.VpnGateway) plan.Object {
	region = regionOf(g.GetRegion(), region)
	attrs := map[string]string{"network": si.observedNetwork(g.GetNetwork()), "region": region}
	for _, i := range g.GetVpnInterfaces() {
		if i.GetIpAddress() != "" {
			attrs["interface."+itoa(i.GetId())+".ip"] = i.GetIpAddress()
		}
	}
	return object(kindHAGateway, key, si.name, regionalID(project, region, colGateways, g.GetName()), attrs)
}

// createExternalGateway describes a non-GCP peer's public addresses. It is
// global, so its name carries the site as well as the peer.
func (d *Driver) createExternalGateway(ctx context.Context, c *clients, o plan.Object) (plan.Object, error) {
	si, err := d.site(o.Site)
	if err != nil {
		return plan.Object{}, err
	}
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	rt, err := need(o, "redundancy_type")
	if err != nil {
		return plan.Object{}, err
	}
	gw := &computepb.ExternalVpnGateway{
		Name:           &name,
		Description:    ptr(description(d.mesh.Name, o.Key)),
		RedundancyType: &rt,
		Labels:         map[string]string{labelMesh: d.mesh.Name},
	}
	for i := 0; ; i++ {
		ip, ok := o.Attrs["interface."+strconv.Itoa(i)+".ip"]
		if !ok {
			break
		}
		gw.Interfaces = append(gw.Interfaces, &computepb.ExternalVpnGatewayInterface{Id: ptr(uint32(i)), IpAddress: ptr(ip)})
	}
	if len(gw.Interfaces) == 0 {
		return plan.Object{}, fmt.Errorf("attribute %q is missing", "interface.0.ip")
	}
	got, err := createOrAdopt(ctx, d, o.Key, func(id string) (*compute.Operation, error) {
		return c.externals.Insert(ctx, &computepb.InsertExternalVpnGatewayRequest{Project: si.project, RequestId: &id, ExternalVpnGatewayResource: gw})
	}, func(ctx context.Context) (*computepb.ExternalVpnGateway, error) {
		return c.externals.Get(ctx, &computepb.GetExternalVpnGatewayRequest{Project: si.project, ExternalVpnGateway: name})
	}, nil)
	if err != nil {
		return plan.Object{}, err
	}
	return externalGatewayObject(o.Key, o.Site, si.project, got), nil
}

func externalGatewayObject(key, site, project string, g *computepb.ExternalVpnGateway) plan.Object {
	attrs := map[string]string{"redundancy_type": g.GetRedundancyType()}
	for _, i := range g.GetInterfaces() {
		attrs["interface."+itoa(i.GetId())+".ip"] = i.GetIpAddress()
	}
	return object(kindExternalGateway, key, site, globalID(project, colExternals, g.GetName()), attrs)
}

// regionAttr is the region an object is made in: the desired one, else
// the site's.
func regionAttr(o plan.Object, si siteInfo) string {
	if r := o.Attrs["region"]; r != "" {
		return r
	}
	return si.region
}

// networkAttr is the network reference to send: the site's network when
// the attribute names it (as a name or a path), else the attribute as a
// path in the site's project.
func networkAttr(o plan.Object, si siteInfo) string {
	v := o.Attrs["network"]
	switch {
	case v == "" || v == si.networkID:
		return si.network
	case strings.Contains(v, "/"):
		return relPath(v)
	}
	return globalID(si.project, "networks", v)
}

// regionOf is the region a URL names, else the region the object was
// listed or made in.
func regionOf(url, fallback string) string {
	if url == "" {
		return fallback
	}
	return lastSegment(url)
}

func ptr[T any](v T) *T { return &v }
