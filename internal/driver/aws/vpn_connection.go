package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Timeouts as terraform-provider-aws's for VPN connections.
const (
	vpnCreateTimeout = 40 * time.Minute
	vpnUpdateTimeout = 30 * time.Minute
	vpnDeleteTimeout = 30 * time.Minute
)

// tunnelSpec is one tunnel slot of a desired VPN connection.
type tunnelSpec struct {
	slot      int
	key, cidr string
}

// desiredTunnels lists the slots the plan fills, in slot order.
func desiredTunnels(o plan.Object) []tunnelSpec {
	var ts []tunnelSpec
	for slot := range 2 {
		pre := "tunnel." + strconv.Itoa(slot) + "."
		if key := o.Attrs[pre+"key"]; key != "" {
			ts = append(ts, tunnelSpec{slot: slot, key: key, cidr: o.Attrs[pre+"inside_cidr"]})
		}
	}
	return ts
}

// gatewayIDs routes the plan's one gateway attribute to the field EC2 has
// for its kind.
func gatewayIDs(gw string) (vgw, tgw *string, err error) {
	switch {
	case strings.HasPrefix(gw, "vgw-"):
		return awssdk.String(gw), nil, nil
	case strings.HasPrefix(gw, "tgw-"):
		return nil, awssdk.String(gw), nil
	}
	return nil, nil, fmt.Errorf("gateway %q is neither a VPN gateway (vgw-…) nor a transit gateway (tgw-…)", gw)
}

func liveVPN(v types.VpnConnection) bool { return live(string(v.State)) }

func describeVPNConnections(ctx context.Context, c *ec2.Client, in *ec2.DescribeVpnConnectionsInput) ([]types.VpnConnection, error) {
	out, err := c.DescribeVpnConnections(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.VpnConnections, nil
}

func findVPNConnectionByKey(ctx context.Context, s *site, mesh, key string) (*types.VpnConnection, error) {
	vs, err := describeVPNConnections(ctx, s.ec2, &ec2.DescribeVpnConnectionsInput{Filters: keyFilters(mesh, key)})
	if err != nil {
		return nil, err
	}
	vs = slices.DeleteFunc(vs, func(v types.VpnConnection) bool { return !liveVPN(v) })
	if len(vs) == 0 {
		return nil, nil
	}
	slices.SortFunc(vs, func(a, b types.VpnConnection) int {
		return strings.Compare(awssdk.ToString(a.VpnConnectionId), awssdk.ToString(b.VpnConnectionId))
	})
	return &vs[0], nil
}

// waitVPNConnectionAvailable waits with the SDK's waiter (which sits out
// pending and modifying and fails on deleting) and returns the connection.
func (d *Driver) waitVPNConnectionAvailable(ctx context.Context, s *site, id string, timeout time.Duration) (*types.VpnConnection, error) {
	w := ec2.NewVpnConnectionAvailableWaiter(batchedVPNs{d.reads.vpns, s.ec2}, func(w *ec2.VpnConnectionAvailableWaiterOptions) {
		w.MinDelay, w.MaxDelay = batchedDelay, batchedDelay
		w.Retryable = retryNotFound(w.Retryable, codeVPNNotFound)
	})
	out, err := w.WaitForOutput(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}}, timeout)
	if err != nil {
		return nil, waitError("EC2 VPN Connection "+id+" to be available", err)
	}
	if len(out.VpnConnections) == 0 {
		return nil, fmt.Errorf("reading EC2 VPN Connection %s: %w", id, errGone)
	}
	return &out.VpnConnections[0], nil
}

func (d *Driver) createVPNConnection(ctx context.Context, s *site, o plan.Object, sec driver.Secrets) (plan.Object, error) {
	vgw, tgw, err := gatewayIDs(o.Attrs["gateway"])
	if err != nil {
		return plan.Object{}, err
	}
	tunnels := desiredTunnels(o)
	psks, err := tunnelPSKs(sec, tunnels)
	if err != nil {
		return plan.Object{}, err
	}
	opts := &types.VpnConnectionOptionsSpecification{StaticRoutesOnly: awssdk.Bool(o.Attrs["static_routes_only"] == "true")}
	tags := ownerTags(d.mesh.Name, o)
	tags = append(tags, types.Tag{Key: awssdk.String(tagPSKEpoch), Value: awssdk.String(o.Attrs["psk_epoch"])})
	for i, t := range tunnels {
		opts.TunnelOptions = append(opts.TunnelOptions, types.VpnTunnelOptionsSpecification{
			TunnelInsideCidr: awssdk.String(t.cidr), PreSharedKey: awssdk.String(psks[i])})
		tags = append(tags, types.Tag{Key: awssdk.String(slotTag(t.slot)), Value: awssdk.String(tunnelTag(t.key, t.cidr))})
	}
	v, err := createOrAdopt(ctx, d,
		func(ctx context.Context) (*types.VpnConnection, error) {
			return findVPNConnectionByKey(ctx, s, d.mesh.Name, o.Key)
		},
		func(ctx context.Context) (*types.VpnConnection, error) {
			out, err := s.ec2.CreateVpnConnection(ctx, &ec2.CreateVpnConnectionInput{
				Type:              awssdk.String(string(types.GatewayTypeIpsec1)),
				CustomerGatewayId: awssdk.String(o.Attrs["customer_gateway"]),
				VpnGatewayId:      vgw,
				TransitGatewayId:  tgw,
				Options:           opts,
				TagSpecifications: tagSpec(types.ResourceTypeVpnConnection, tags),
			}, d.forCreate)
			if err != nil {
				return nil, err
			}
			return out.VpnConnection, nil
		})
	if err != nil {
		return plan.Object{}, redact(err, psks...)
	}
	id := awssdk.ToString(v.VpnConnectionId)
	if v, err = d.waitVPNConnectionAvailable(ctx, s, id, vpnCreateTimeout); err != nil {
		return plan.Object{}, err
	}
	// An adopted connection made at an earlier epoch (an apply that
	// crashed mid-rotation) gets the current keys now.
	if tagMap(v.Tags)[tagPSKEpoch] != o.Attrs["psk_epoch"] {
		if err := d.rotatePSKs(ctx, s, id, o, sec); err != nil {
			return plan.Object{}, err
		}
		if v, err = d.readVPNConnection(ctx, s, id); err != nil {
			return plan.Object{}, err
		}
	}
	return vpnObject(o.Key, *v, nil), nil
}

func tunnelPSKs(sec driver.Secrets, ts []tunnelSpec) ([]string, error) {
	psks := make([]string, len(ts))
	for i, t := range ts {
		if sec == nil {
			return nil, errors.New("no secrets were given to derive pre-shared keys from")
		}
		psk, err := sec.PSK(t.key)
		if err != nil {
			return nil, fmt.Errorf("getting the pre-shared key of tunnel %s: %w", t.key, err)
		}
		psks[i] = psk
	}
	return psks, nil
}

func (d *Driver) readVPNConnection(ctx context.Context, s *site, id string) (*types.VpnConnection, error) {
	vs, err := describeVPNConnections(ctx, s.ec2, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}})
	if err == nil && (len(vs) == 0 || !liveVPN(vs[0])) {
		err = errGone
	}
	if err != nil {
		return nil, fmt.Errorf("reading EC2 VPN Connection %s: %w", id, err)
	}
	return &vs[0], nil
}

// updateVPNConnection changes in place what EC2 can: the customer or target
// gateway (ModifyVpnConnection) and the pre-shared keys
// (ModifyVpnTunnelOptions). A PSK rotation never replaces the connection:
// its outside addresses, which peers point at, stay.
func (d *Driver) updateVPNConnection(ctx context.Context, s *site, desired, observed plan.Object, sec driver.Secrets) (plan.Object, error) {
	id := observed.ID
	rotate := false
	for _, attr := range slices.Sorted(maps.Keys(desired.Attrs)) {
		if desired.Attrs[attr] == observed.Attrs[attr] {
			continue
		}
		switch {
		case attr == "customer_gateway", attr == "gateway":
		case strings.HasSuffix(attr, "psk_epoch"):
			rotate = true
		default:
			return plan.Object{}, fmt.Errorf("%s cannot change in place (%q to %q): the connection must be replaced", attr, observed.Attrs[attr], desired.Attrs[attr])
		}
	}
	if cgw := desired.Attrs["customer_gateway"]; cgw != observed.Attrs["customer_gateway"] {
		if err := d.modifyVPNConnection(ctx, s, id, &ec2.ModifyVpnConnectionInput{CustomerGatewayId: awssdk.String(cgw)},
			func(v types.VpnConnection) bool { return awssdk.ToString(v.CustomerGatewayId) == cgw }); err != nil {
			return plan.Object{}, fmt.Errorf("moving to customer gateway %s: %w", cgw, err)
		}
	}
	if gw := desired.Attrs["gateway"]; gw != observed.Attrs["gateway"] {
		vgw, tgw, err := gatewayIDs(gw)
		if err != nil {
			return plan.Object{}, err
		}
		if err := d.modifyVPNConnection(ctx, s, id, &ec2.ModifyVpnConnectionInput{VpnGatewayId: vgw, TransitGatewayId: tgw},
			func(v types.VpnConnection) bool { return vpnGateway(v) == gw }); err != nil {
			return plan.Object{}, fmt.Errorf("moving to gateway %s: %w", gw, err)
		}
	}
	if rotate {
		if err := d.rotatePSKs(ctx, s, id, desired, sec); err != nil {
			return plan.Object{}, err
		}
	}
	v, err := d.readVPNConnection(ctx, s, id)
	if err != nil {
		return plan.Object{}, err
	}
	return vpnObject(desired.Key, *v, nil), nil
}

// modifyVPNConnection applies one ModifyVpnConnection once the connection
// is available. A retry whose first try was applied may be refused (the
// connection is modifying, or already there): done reports whether the
// change is in place anyway.
func (d *Driver) modifyVPNConnection(ctx context.Context, s *site, id string, in *ec2.ModifyVpnConnectionInput, done func(types.VpnConnection) bool) error {
	v, err := d.waitVPNConnectionAvailable(ctx, s, id, vpnUpdateTimeout)
	if err != nil {
		return err
	}
	if done(*v) {
		return nil
	}
	in.VpnConnectionId = awssdk.String(id)
	if _, err := s.ec2.ModifyVpnConnection(ctx, in); err != nil {
		if v, rerr := d.readVPNConnection(ctx, s, id); rerr != nil || !done(*v) {
			return err
		}
	}
	_, err = d.waitVPNConnectionAvailable(ctx, s, id, vpnUpdateTimeout)
	return err
}

// rotatePSKs sets every tunnel's key for the desired epoch, one tunnel at a
// time (the other keeps carrying traffic meanwhile), then records the
// epoch. A crash part-way leaves the old epoch tag, so the next apply
// rotates again; tunnels already holding the new key are skipped.
func (d *Driver) rotatePSKs(ctx context.Context, s *site, id string, desired plan.Object, sec driver.Secrets) error {
	tunnels := desiredTunnels(desired)
	psks, err := tunnelPSKs(sec, tunnels)
	if err != nil {
		return err
	}
	for i, t := range tunnels {
		if err := d.setTunnelPSK(ctx, s, id, t, psks[i]); err != nil {
			return fmt.Errorf("setting the pre-shared key of tunnel %s: %w", t.key, redact(err, psks...))
		}
	}
	_, err = s.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id},
		Tags: []types.Tag{{Key: awssdk.String(tagPSKEpoch), Value: awssdk.String(desired.Attrs["psk_epoch"])}}})
	if err != nil {
		return fmt.Errorf("recording PSK epoch %s: %w", desired.Attrs["psk_epoch"], err)
	}
	return nil
}

// setTunnelPSK changes one tunnel's key and waits until the connection is
// available again. ModifyVpnTunnelOptions is retried by the SDK; a retry of
// a change that was applied meets a modifying connection (IncorrectState),
// so the tunnel is read again before another try.
func (d *Driver) setTunnelPSK(ctx context.Context, s *site, id string, t tunnelSpec, psk string) error {
	for try := 1; ; try++ {
		v, err := d.waitVPNConnectionAvailable(ctx, s, id, vpnUpdateTimeout)
		if err != nil {
			return err
		}
		opt := tunnelByCIDR(*v, t.cidr)
		if opt == nil {
			return fmt.Errorf("EC2 VPN Connection %s has no tunnel with inside CIDR %s", id, t.cidr)
		}
		if awssdk.ToString(opt.PreSharedKey) == psk {
			return nil
		}
		_, err = s.ec2.ModifyVpnTunnelOptions(ctx, &ec2.ModifyVpnTunnelOptionsInput{
			VpnConnectionId:           awssdk.String(id),
			VpnTunnelOutsideIpAddress: opt.OutsideIpAddress,
			TunnelOptions:             &types.ModifyVpnTunnelOptionsSpecification{PreSharedKey: awssdk.String(psk)},
		})
		if err == nil {
			_, err = d.waitVPNConnectionAvailable(ctx, s, id, vpnUpdateTimeout)
			return err
		}
		if !isCode(err, codeIncorrectState) || try >= 3 {
			return err
		}
	}
}

func tunnelByCIDR(v types.VpnConnection, cidr string) *types.TunnelOption {
	if v.Options == nil {
		return nil
	}
	for i, t := range v.Options.TunnelOptions {
		if awssdk.ToString(t.TunnelInsideCidr) == cidr {
			return &v.Options.TunnelOptions[i]
		}
	}
	return nil
}

func (d *Driver) deleteVPNConnection(ctx context.Context, s *site, o plan.Object) error {
	_, err := s.ec2.DeleteVpnConnection(ctx, &ec2.DeleteVpnConnectionInput{VpnConnectionId: awssdk.String(o.ID)})
	if isCode(err, codeVPNNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	w := ec2.NewVpnConnectionDeletedWaiter(batchedVPNs{d.reads.vpns, s.ec2}, func(w *ec2.VpnConnectionDeletedWaiterOptions) {
		w.MinDelay, w.MaxDelay = batchedDelay, batchedDelay
		next := w.Retryable
		w.Retryable = func(ctx context.Context, in *ec2.DescribeVpnConnectionsInput, out *ec2.DescribeVpnConnectionsOutput, err error) (bool, error) {
			if isCode(err, codeVPNNotFound) {
				return false, nil // gone for good
			}
			return next(ctx, in, out, err)
		}
	})
	if err := w.Wait(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{o.ID}}, vpnDeleteTimeout); err != nil {
		return waitError("EC2 VPN Connection "+o.ID+" to be deleted", err)
	}
	return nil
}

func vpnGateway(v types.VpnConnection) string {
	if g := awssdk.ToString(v.VpnGatewayId); g != "" {
		return g
	}
	return awssdk.ToString(v.TransitGatewayId)
}

// vpnObject is what the plan sees of a connection: its gateways, options
// and epoch, and per tunnel slot (recorded in tags, matched to EC2's
// tunnels by inside CIDR) the key, inside CIDR and outside address that
// peers point at. A slot whose CIDR EC2 does not hold is left out, so the
// plan sees the difference.
func vpnObject(key string, v types.VpnConnection, deps []string) plan.Object {
	o := object(key, awssdk.ToString(v.VpnConnectionId))
	o.Deps = deps
	o.Attrs["customer_gateway"] = awssdk.ToString(v.CustomerGatewayId)
	o.Attrs["gateway"] = vpnGateway(v)
	o.Attrs["static_routes_only"] = strconv.FormatBool(v.Options != nil && awssdk.ToBool(v.Options.StaticRoutesOnly))
	tags := tagMap(v.Tags)
	if e, ok := tags[tagPSKEpoch]; ok {
		o.Attrs["psk_epoch"] = e
	}
	for slot := range 2 {
		tkey, cidr, ok := parseTunnelTag(tags[slotTag(slot)])
		if !ok {
			continue
		}
		t := tunnelByCIDR(v, cidr)
		if t == nil {
			continue
		}
		pre := "tunnel." + strconv.Itoa(slot) + "."
		o.Attrs[pre+"key"] = tkey
		o.Attrs[pre+"inside_cidr"] = cidr
		o.Attrs[pre+"outside_ip"] = awssdk.ToString(t.OutsideIpAddress)
	}
	// Which tunnels are up (observed only; the plan waits for these after a
	// key rotation).
	if up := upTunnelKeys(v, o); len(up) > 0 {
		o.Attrs["tunnels_up"] = strings.Join(up, ",")
	}
	return o
}
