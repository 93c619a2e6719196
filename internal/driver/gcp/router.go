package gcp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// createRouter makes a site's Cloud Router, empty: its interfaces and BGP
// peers are added per tunnel by the batcher.
func (d *Driver) createRouter(ctx context.Context, c *clients, o plan.Object) (plan.Object, error) {
	si, err := d.site(o.Site)
	if err != nil {
		return plan.Object{}, err
	}
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	asn, err := needUint(o, "asn", 32)
	if err != nil {
		return plan.Object{}, err
	}
	region := regionAttr(o, si)
	bgp := &computepb.RouterBgp{Asn: ptr(uint32(asn))}
	setAdvertisement(bgp, rangesAttr(o))
	rt := &computepb.Router{
		Name:        &name,
		Description: ptr(description(d.mesh.Name, o.Key)),
		Network:     ptr(networkAttr(o, si)),
		Bgp:         bgp,
	}
	got, err := createOrAdopt(ctx, d, o.Key, func(id string) (*compute.Operation, error) {
		return c.routers.Insert(ctx, &computepb.InsertRouterRequest{Project: si.project, Region: region, RequestId: &id, RouterResource: rt})
	}, func(ctx context.Context) (*computepb.Router, error) {
		return c.routers.Get(ctx, &computepb.GetRouterRequest{Project: si.project, Region: region, Router: name})
	}, nil)
	if err != nil {
		return plan.Object{}, err
	}
	return routerObject(si, o.Key, si.project, region, got), nil
}

func routerObject(si siteInfo, key, project, region string, r *computepb.Router) plan.Object {
	region = regionOf(r.GetRegion(), region)
	attrs := map[string]string{"network": si.observedNetwork(r.GetNetwork()), "region": region, "asn": itoa(r.GetBgp().GetAsn()),
		"advertised_ip_ranges": advertisedRanges(r.GetBgp())}
	return object(kindRouter, key, si.name, regionalID(project, region, colRouters, r.GetName()), attrs)
}

// rangesAttr is the ranges a router object asks to announce, sorted.
func rangesAttr(o plan.Object) []string {
	v := o.Attrs["advertised_ip_ranges"]
	if v == "" {
		return nil
	}
	rs := strings.Split(v, ",")
	slices.Sort(rs)
	return rs
}

// updateRouter changes the ASN and the advertised ranges, the attributes
// that are not the router's identity; it goes through the batcher like
// every router write.
func (d *Driver) updateRouter(ctx context.Context, c *clients, desired, observed plan.Object) (plan.Object, error) {
	for _, a := range []string{"network", "region"} {
		if desired.Attrs[a] != observed.Attrs[a] {
			return plan.Object{}, fmt.Errorf("GCP cannot change a router's %s in place", a)
		}
	}
	asn, err := needUint(desired, "asn", 32)
	if err != nil {
		return plan.Object{}, err
	}
	r, err := parseID(observed.ID, colRouters)
	if err != nil {
		return plan.Object{}, err
	}
	if err := c.batcher.submit(ctx, r, &edit{op: setBGP, asn: uint32(asn), ranges: rangesAttr(desired)}); err != nil {
		return plan.Object{}, err
	}
	out := observed
	out.Attrs = map[string]string{}
	for k, v := range observed.Attrs {
		out.Attrs[k] = v
	}
	out.Attrs["asn"] = desired.Attrs["asn"]
	out.Attrs["advertised_ip_ranges"] = strings.Join(rangesAttr(desired), ",")
	return out, nil
}
