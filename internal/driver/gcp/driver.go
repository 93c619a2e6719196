package gcp

import (
	"context"
	"fmt"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Create makes o, or adopts the object crosslink made for its key before.
func (d *Driver) Create(ctx context.Context, o plan.Object, s driver.Secrets) (plan.Object, error) {
	c, err := d.clients()
	if err == nil {
		err = unresolved(o)
	}
	if err != nil {
		return plan.Object{}, wrap("creating", o, err)
	}
	var out plan.Object
	switch o.Kind {
	case kindHAGateway:
		out, err = d.createHAGateway(ctx, c, o)
	case kindExternalGateway:
		out, err = d.createExternalGateway(ctx, c, o)
	case kindTunnel:
		out, err = d.createTunnel(ctx, c, o, s)
	case kindRouter:
		out, err = d.createRouter(ctx, c, o)
	case kindPeer:
		out, err = d.putPeerObject(ctx, c, o)
	default:
		err = fmt.Errorf("the GCP driver has no object kind %q", o.Kind)
	}
	if err != nil {
		return plan.Object{}, wrap("creating", o, err)
	}
	out.Deps = o.Deps
	return out, nil
}

// Update changes what GCP changes in place: a router's ASN and a BGP
// peer's route priority and remote ASN. Everything else is replaced by the
// plan (plan/kinds.go), so an update of it is refused.
func (d *Driver) Update(ctx context.Context, desired, observed plan.Object, _ driver.Secrets) (plan.Object, error) {
	c, err := d.clients()
	if err == nil {
		err = unresolved(desired)
	}
	if err != nil {
		return plan.Object{}, wrap("updating", desired, err)
	}
	var out plan.Object
	switch desired.Kind {
	case kindRouter:
		out, err = d.updateRouter(ctx, c, desired, observed)
	case kindPeer:
		out, err = d.updatePeer(ctx, c, desired, observed)
	default:
		err = fmt.Errorf("GCP cannot change a %s in place; the plan must replace it", kindName(desired.Kind))
	}
	if err != nil {
		return plan.Object{}, wrap("updating", desired, err)
	}
	out.Deps = desired.Deps
	return out, nil
}

// Delete removes o; an object already gone counts as deleted.
func (d *Driver) Delete(ctx context.Context, o plan.Object) error {
	c, err := d.clients()
	if err == nil {
		switch o.Kind {
		case kindPeer:
			err = d.deletePeerObject(ctx, c, o)
		default:
			err = d.deleteResource(ctx, c, o)
		}
	}
	if err != nil {
		return wrap("deleting", o, err)
	}
	return nil
}

var collections = map[string]string{
	kindHAGateway:       colGateways,
	kindExternalGateway: colExternals,
	kindTunnel:          colTunnels,
	kindRouter:          colRouters,
}

// resourceRef locates o: by its ID, else by the name its key gives in its
// site's project and region.
func (d *Driver) resourceRef(o plan.Object) (ref, error) {
	col, ok := collections[o.Kind]
	if !ok {
		return ref{}, fmt.Errorf("the GCP driver has no object kind %q", o.Kind)
	}
	if o.ID != "" {
		return parseID(o.ID, col)
	}
	si, err := d.site(o.Site)
	if err != nil {
		return ref{}, err
	}
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return ref{}, err
	}
	r := ref{project: si.project, name: name}
	if o.Kind != kindExternalGateway {
		r.region = regionAttr(o, si)
	}
	return r, nil
}

func (d *Driver) deleteResource(ctx context.Context, c *clients, o plan.Object) error {
	r, err := d.resourceRef(o)
	if err != nil {
		return err
	}
	if o.Kind == kindTunnel {
		defer d.relink.Store(regionalID(r.project, r.region, colTunnels, r.name), true)
	}
	return d.remove(ctx, func(id string) (*compute.Operation, error) {
		switch o.Kind {
		case kindHAGateway:
			return c.gateways.Delete(ctx, &computepb.DeleteVpnGatewayRequest{Project: r.project, Region: r.region, VpnGateway: r.name, RequestId: &id})
		case kindExternalGateway:
			return c.externals.Delete(ctx, &computepb.DeleteExternalVpnGatewayRequest{Project: r.project, ExternalVpnGateway: r.name, RequestId: &id})
		case kindTunnel:
			return c.tunnels.Delete(ctx, &computepb.DeleteVpnTunnelRequest{Project: r.project, Region: r.region, VpnTunnel: r.name, RequestId: &id})
		default:
			return c.routers.Delete(ctx, &computepb.DeleteRouterRequest{Project: r.project, Region: r.region, Router: r.name, RequestId: &id})
		}
	})
}
