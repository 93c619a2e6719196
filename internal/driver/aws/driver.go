package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// kind is what the driver does for one object kind.
type kind struct {
	title  string // as in errors: "EC2 VPN Connection"
	create func(d *Driver, ctx context.Context, s *site, o plan.Object, sec driver.Secrets) (plan.Object, error)
	// update is nil for kinds with nothing the plan sets that EC2 changes
	// in place.
	update func(d *Driver, ctx context.Context, s *site, desired, observed plan.Object, sec driver.Secrets) (plan.Object, error)
	delete func(d *Driver, ctx context.Context, s *site, o plan.Object) error
}

// withoutSecrets adapts a create that needs no secrets.
func withoutSecrets(f func(d *Driver, ctx context.Context, s *site, o plan.Object) (plan.Object, error)) func(*Driver, context.Context, *site, plan.Object, driver.Secrets) (plan.Object, error) {
	return func(d *Driver, ctx context.Context, s *site, o plan.Object, _ driver.Secrets) (plan.Object, error) {
		return f(d, ctx, s, o)
	}
}

// kinds are the objects plan.CompileObjects makes for AWS sites.
var kinds = map[string]kind{
	"aws_vpn_gateway": {title: "EC2 VPN Gateway",
		create: withoutSecrets((*Driver).createVPNGateway), delete: (*Driver).deleteVPNGateway},
	"aws_vpn_gateway_attachment": {title: "EC2 VPN Gateway Attachment",
		create: withoutSecrets((*Driver).createVGWAttachment), delete: (*Driver).deleteVGWAttachment},
	"aws_vpn_gateway_route_propagation": {title: "EC2 VPN Gateway Route Propagation",
		create: withoutSecrets((*Driver).createRoutePropagation), delete: (*Driver).deleteRoutePropagation},
	"aws_transit_gateway": {title: "EC2 Transit Gateway",
		create: withoutSecrets((*Driver).createTransitGateway), delete: (*Driver).deleteTransitGateway},
	"aws_transit_gateway_vpc_attachment": {title: "EC2 Transit Gateway VPC Attachment",
		create: withoutSecrets((*Driver).createTGWVPCAttachment), delete: (*Driver).deleteTGWVPCAttachment},
	"aws_vpc_route": {title: "EC2 Route",
		create: withoutSecrets((*Driver).createVPCRoute), update: (*Driver).updateVPCRoute, delete: (*Driver).deleteVPCRoute},
	"aws_customer_gateway": {title: "EC2 Customer Gateway",
		create: withoutSecrets((*Driver).createCustomerGateway), delete: (*Driver).deleteCustomerGateway},
	"aws_vpn_connection": {title: "EC2 VPN Connection",
		create: (*Driver).createVPNConnection, update: (*Driver).updateVPNConnection, delete: (*Driver).deleteVPNConnection},
}

// prepare finds the kind and site of an object, and refuses attributes the
// engine left unresolved.
func (d *Driver) prepare(ctx context.Context, o plan.Object) (kind, *site, error) {
	k, ok := kinds[o.Kind]
	if !ok {
		return kind{title: o.Kind}, nil, fmt.Errorf("the AWS driver does not handle kind %q", o.Kind)
	}
	for a, v := range o.Attrs {
		if strings.Contains(v, "${") {
			return k, nil, fmt.Errorf("attribute %s is still an unresolved reference %s", a, v)
		}
	}
	s, err := d.site(ctx, o.Site)
	return k, s, err
}

// Create makes o, or adopts the object that already carries its key.
func (d *Driver) Create(ctx context.Context, o plan.Object, sec driver.Secrets) (plan.Object, error) {
	k, s, err := d.prepare(ctx, o)
	if err == nil {
		var out plan.Object
		if out, err = k.create(d, ctx, s, o, sec); err == nil {
			return out, nil
		}
	}
	return plan.Object{}, fmt.Errorf("creating %s (%s): %w", k.title, o.Key, explain(err))
}

// Update changes observed in place to match desired.
func (d *Driver) Update(ctx context.Context, desired, observed plan.Object, sec driver.Secrets) (plan.Object, error) {
	k, s, err := d.prepare(ctx, desired)
	if err == nil && k.update == nil {
		err = fmt.Errorf("it has nothing EC2 changes in place")
	}
	if err == nil {
		var out plan.Object
		if out, err = k.update(d, ctx, s, desired, observed, sec); err == nil {
			return out, nil
		}
	}
	return plan.Object{}, fmt.Errorf("updating %s (%s, %s): %w", k.title, desired.Key, observed.ID, explain(err))
}

// Delete removes o; one that is gone already counts as deleted.
func (d *Driver) Delete(ctx context.Context, o plan.Object) error {
	k, s, err := d.prepare(ctx, plan.Object{Key: o.Key, Kind: o.Kind, Site: o.Site})
	if err == nil && o.ID == "" {
		err = fmt.Errorf("the object has no ID")
	}
	if err == nil {
		if err = k.delete(d, ctx, s, o); err == nil {
			return nil
		}
	}
	return fmt.Errorf("deleting %s (%s, %s): %w", k.title, o.Key, o.ID, explain(err))
}

// Retryable: see retryable.
func (d *Driver) Retryable(err error) bool { return retryable(err) }
