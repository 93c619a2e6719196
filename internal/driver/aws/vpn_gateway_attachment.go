package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// A VGW attachment has no EC2 object of its own: it is an entry in the VGW's
// attachment list, so the driver derives it from there and names it
// "<vgw>/<vpc>". Timeouts as terraform-provider-aws's.
const (
	vgwAttachTimeout = 15 * time.Minute
	vgwDetachTimeout = 30 * time.Minute
)

// attachmentIDs reads the VGW and VPC of an attachment object: the
// attributes, or the ID when an object holds none.
func attachmentIDs(o plan.Object) (vgw, vpc string, err error) {
	vgw, vpc = o.Attrs["vpn_gateway"], o.Attrs["vpc_id"]
	if vgw == "" || vpc == "" {
		if a, b, ok := strings.Cut(o.ID, "/"); ok {
			vgw, vpc = a, b
		}
	}
	if vgw == "" || vpc == "" {
		return "", "", fmt.Errorf("the object names no VPN gateway and VPC (attributes vpn_gateway, vpc_id)")
	}
	return vgw, vpc, nil
}

// vgwAttachment returns the state of the VGW's attachment to vpc, "" when
// there is none; found is false when the VGW itself is gone.
func (d *Driver) vgwAttachment(ctx context.Context, c *ec2.Client, vgw, vpc string) (state string, found bool, err error) {
	v, err := d.findVPNGatewayByID(ctx, c, vgw)
	if err != nil || v == nil {
		return "", false, err
	}
	for _, a := range v.VpcAttachments {
		if awssdk.ToString(a.VpcId) == vpc {
			return string(a.State), true, nil
		}
	}
	return "", true, nil
}

func (d *Driver) waitVGWAttached(ctx context.Context, s *site, vgw, vpc string) error {
	_, err := d.wait(ctx, waitSpec{what: "EC2 VPN Gateway " + vgw + " attachment to " + vpc,
		pending: []string{string(types.AttachmentStatusAttaching)}, target: []string{string(types.AttachmentStatusAttached)},
		timeout: vgwAttachTimeout, batched: true}, func(ctx context.Context) (string, bool, error) {
		st, found, err := d.vgwAttachment(ctx, s.ec2, vgw, vpc)
		// An attachment missing from a VGW that exists is one EC2 has not
		// listed yet: the wait's not-found tolerance covers it.
		return st, found && st != "", err
	})
	return err
}

func (d *Driver) waitVGWDetached(ctx context.Context, s *site, vgw, vpc string) error {
	_, err := d.wait(ctx, waitSpec{what: "EC2 VPN Gateway " + vgw + " detachment from " + vpc,
		pending: []string{string(types.AttachmentStatusAttached), string(types.AttachmentStatusAttaching), string(types.AttachmentStatusDetaching)},
		target:  []string{string(types.AttachmentStatusDetached)}, goneOK: true, timeout: vgwDetachTimeout, batched: true},
		func(ctx context.Context) (string, bool, error) {
			st, found, err := d.vgwAttachment(ctx, s.ec2, vgw, vpc)
			return st, found && st != "", err
		})
	return err
}

// createVGWAttachment attaches; an attachment already there (a retried
// attach whose reply was lost, an apply that crashed) is adopted.
func (d *Driver) createVGWAttachment(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	vgw, vpc, err := attachmentIDs(o)
	if err != nil {
		return plan.Object{}, err
	}
	st, found, err := d.vgwAttachment(ctx, s.ec2, vgw, vpc)
	if err != nil {
		return plan.Object{}, err
	}
	if !found {
		return plan.Object{}, fmt.Errorf("EC2 VPN Gateway %s does not exist", vgw)
	}
	if st == string(types.AttachmentStatusDetaching) {
		if err := d.waitVGWDetached(ctx, s, vgw, vpc); err != nil {
			return plan.Object{}, err
		}
		st = ""
	}
	if st != string(types.AttachmentStatusAttaching) && st != string(types.AttachmentStatusAttached) {
		_, err := s.ec2.AttachVpnGateway(ctx, &ec2.AttachVpnGatewayInput{VpnGatewayId: awssdk.String(vgw), VpcId: awssdk.String(vpc)})
		if err != nil {
			// A retry of an attach that was applied is refused; what counts
			// is whether the attachment is there now.
			if st, _, rerr := d.vgwAttachment(ctx, s.ec2, vgw, vpc); rerr != nil || (st != string(types.AttachmentStatusAttaching) && st != string(types.AttachmentStatusAttached)) {
				return plan.Object{}, err
			}
		}
	}
	if err := d.waitVGWAttached(ctx, s, vgw, vpc); err != nil {
		return plan.Object{}, err
	}
	return vgwAttachmentObject(o.Key, vgw, vpc, ""), nil
}

func (d *Driver) deleteVGWAttachment(ctx context.Context, s *site, o plan.Object) error {
	vgw, vpc, err := attachmentIDs(o)
	if err != nil {
		return err
	}
	_, err = s.ec2.DetachVpnGateway(ctx, &ec2.DetachVpnGatewayInput{VpnGatewayId: awssdk.String(vgw), VpcId: awssdk.String(vpc)})
	if isCode(err, codeVGWAttachmentNotFound, codeVGWNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return d.waitVGWDetached(ctx, s, vgw, vpc)
}

// vgwAttachmentObject is what the plan sees of an attachment; vgwKey, when
// known, is the VGW's key, which the attachment depends on.
func vgwAttachmentObject(key, vgw, vpc, vgwKey string) plan.Object {
	o := object(key, vgw+"/"+vpc)
	o.Attrs["vpn_gateway"] = vgw
	o.Attrs["vpc_id"] = vpc
	if vgwKey != "" {
		o.Deps = []string{vgwKey}
	}
	return o
}
