package gcp

import (
	"context"
	"fmt"
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
	rt := &computepb.Router{
		Name:        &name,
		Description: ptr(description(d.mesh.Name, o.Key)),
		Network:     ptr(networkAttr(o, si)),
		Bgp:         &computepb.RouterBgp{Asn: ptr(uint32(asn))},
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
	attrs := map[string]string{"network": si.observedNetwork(r.GetNetwork()), "region": region, "asn": itoa(r.GetBgp().GetAsn())}
	return object(kindRouter, key, si.name, regionalID(project, region, colRouters, r.GetName()), attrs)
}

// updateRouter changes the ASN, the one attribute that is not the router's
// identity; it goes through the batcher like every router write.
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
	if err := c.batcher.submit(ctx, r, &edit{op: setASN, asn: uint32(asn)}); err != nil {
		return plan.Object{}, err
	}
	out := observed
	out.Attrs = map[string]string{}
	for k, v := range observed.Attrs {
		out.Attrs[k] = v
	}
	out.Attrs["asn"] = desired.Attrs["asn"]
	return out, nil
}

// routerOf is the router an interface or peer belongs to: the one its
// "router" attribute names.
func routerOf(o plan.Object) (ref, error) {
	id, err := need(o, "router")
	if err != nil {
		return ref{}, err
	}
	return parseID(id, colRouters)
}

func (d *Driver) createInterface(ctx context.Context, c *clients, o plan.Object) (plan.Object, error) {
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	r, err := routerOf(o)
	if err != nil {
		return plan.Object{}, err
	}
	ipRange, err := need(o, "ip_range")
	if err != nil {
		return plan.Object{}, err
	}
	tunnel, err := need(o, "vpn_tunnel")
	if err != nil {
		return plan.Object{}, err
	}
	iface := &computepb.RouterInterface{Name: &name, IpRange: &ipRange, LinkedVpnTunnel: ptr(relPath(tunnel))}
	if err := c.batcher.submit(ctx, r, &edit{op: putInterface, iface: iface}); err != nil {
		return plan.Object{}, err
	}
	return interfaceObject(o.Key, o.Site, r.id(colRouters), iface), nil
}

func interfaceObject(key, site, routerID string, i *computepb.RouterInterface) plan.Object {
	attrs := map[string]string{"router": routerID, "ip_range": i.GetIpRange(), "vpn_tunnel": relPath(i.GetLinkedVpnTunnel()), "name": i.GetName()}
	return object(kindInterface, key, site, routerID+"/interfaces/"+i.GetName(), attrs)
}

// putPeerObject creates a BGP peer or changes one in place (its route
// priority and remote ASN): both are the same edit of the router document.
func (d *Driver) putPeerObject(ctx context.Context, c *clients, o plan.Object) (plan.Object, error) {
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return plan.Object{}, err
	}
	r, err := routerOf(o)
	if err != nil {
		return plan.Object{}, err
	}
	p := &computepb.RouterBgpPeer{Name: &name}
	for attr, dst := range map[string]**string{"interface": &p.InterfaceName, "ip_address": &p.IpAddress, "peer_ip_address": &p.PeerIpAddress} {
		v, err := need(o, attr)
		if err != nil {
			return plan.Object{}, err
		}
		*dst = &v
	}
	asn, err := needUint(o, "peer_asn", 32)
	if err != nil {
		return plan.Object{}, err
	}
	p.PeerAsn = ptr(uint32(asn))
	if o.Attrs["advertised_route_priority"] != "" {
		prio, err := needUint(o, "advertised_route_priority", 32)
		if err != nil {
			return plan.Object{}, err
		}
		p.AdvertisedRoutePriority = ptr(uint32(prio))
	}
	if err := c.batcher.submit(ctx, r, &edit{op: putPeer, peer: p}); err != nil {
		return plan.Object{}, err
	}
	return peerObject(o.Key, o.Site, r.id(colRouters), p), nil
}

func (d *Driver) updatePeer(ctx context.Context, c *clients, desired, observed plan.Object) (plan.Object, error) {
	for _, a := range []string{"router", "interface", "ip_address", "peer_ip_address"} {
		if desired.Attrs[a] != observed.Attrs[a] {
			return plan.Object{}, fmt.Errorf("GCP cannot change a BGP peer's %s in place", a)
		}
	}
	return d.putPeerObject(ctx, c, desired)
}

func peerObject(key, site, routerID string, p *computepb.RouterBgpPeer) plan.Object {
	attrs := map[string]string{
		"router": routerID, "interface": p.GetInterfaceName(), "ip_address": p.GetIpAddress(), "peer_ip_address": p.GetPeerIpAddress(),
		"peer_asn": itoa(p.GetPeerAsn()), "advertised_route_priority": itoa(p.GetAdvertisedRoutePriority()),
	}
	return object(kindPeer, key, site, routerID+"/bgpPeers/"+p.GetName(), attrs)
}

// deleteEntry removes an interface or BGP peer from its router. The ID
// names both ("<router ID>/interfaces/<name>"); without one, the router
// attribute and the key do.
func (d *Driver) deleteEntry(ctx context.Context, c *clients, o plan.Object) error {
	op, sep := deleteInterface, "/interfaces/"
	if o.Kind == kindPeer {
		op, sep = deletePeer, "/bgpPeers/"
	}
	routerID, name, found := strings.Cut(o.ID, sep)
	if found {
		r, err := parseID(routerID, colRouters)
		if err != nil {
			return err
		}
		return c.batcher.submit(ctx, r, &edit{op: op, name: name})
	}
	name, err := objectName(d.mesh.Name, o.Key)
	if err != nil {
		return err
	}
	r, err := routerOf(o)
	if err != nil {
		// The site's router has a deterministic name too.
		if r, err = d.resourceRef(plan.Object{Key: plan.Key("gcp", o.Site, "router", "main"), Kind: kindRouter, Site: o.Site}); err != nil {
			return err
		}
	}
	return c.batcher.submit(ctx, r, &edit{op: op, name: name})
}
