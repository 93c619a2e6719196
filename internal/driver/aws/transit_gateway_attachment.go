package aws

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Timeouts as terraform-provider-aws's for TGW VPC attachments.
const (
	tgwAttachmentCreateTimeout = 10 * time.Minute
	tgwAttachmentDeleteTimeout = 10 * time.Minute
)

func liveTGWAttachment(s types.TransitGatewayAttachmentState) bool {
	switch s {
	case types.TransitGatewayAttachmentStateDeleting, types.TransitGatewayAttachmentStateDeleted,
		types.TransitGatewayAttachmentStateFailed, types.TransitGatewayAttachmentStateRejected:
		return false
	}
	return true
}

func describeTGWVPCAttachments(ctx context.Context, c *ec2.Client, in *ec2.DescribeTransitGatewayVpcAttachmentsInput) ([]types.TransitGatewayVpcAttachment, error) {
	var out []types.TransitGatewayVpcAttachment
	p := ec2.NewDescribeTransitGatewayVpcAttachmentsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.TransitGatewayVpcAttachments...)
	}
	return out, nil
}

func findTGWVPCAttachmentByKey(ctx context.Context, s *site, mesh, key string) (*types.TransitGatewayVpcAttachment, error) {
	as, err := describeTGWVPCAttachments(ctx, s.ec2, &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: keyFilters(mesh, key)})
	if err != nil {
		return nil, err
	}
	as = slices.DeleteFunc(as, func(a types.TransitGatewayVpcAttachment) bool { return !liveTGWAttachment(a.State) })
	if len(as) == 0 {
		return nil, nil
	}
	slices.SortFunc(as, func(a, b types.TransitGatewayVpcAttachment) int {
		return strings.Compare(awssdk.ToString(a.TransitGatewayAttachmentId), awssdk.ToString(b.TransitGatewayAttachmentId))
	})
	return &as[0], nil
}

func findTGWVPCAttachmentByID(ctx context.Context, c *ec2.Client, id string) (*types.TransitGatewayVpcAttachment, error) {
	as, err := describeTGWVPCAttachments(ctx, c, &ec2.DescribeTransitGatewayVpcAttachmentsInput{TransitGatewayAttachmentIds: []string{id}})
	if isCode(err, codeTGWAttachmentNotFound) || (err == nil && len(as) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &as[0], nil
}

func statusTGWVPCAttachment(c *ec2.Client, id string) stateFunc {
	return func(ctx context.Context) (string, bool, error) {
		a, err := findTGWVPCAttachmentByID(ctx, c, id)
		if err != nil || a == nil {
			return "", false, err
		}
		return string(a.State), true, nil
	}
}

// subnetPerAZ picks one subnet in each availability zone of the VPC (the
// lowest ID, so retries pick the same), as a TGW attachment needs.
func subnetPerAZ(ctx context.Context, c *ec2.Client, vpc string) ([]string, error) {
	byAZ := map[string]string{}
	p := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", vpc)}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, sn := range page.Subnets {
			az, id := awssdk.ToString(sn.AvailabilityZone), awssdk.ToString(sn.SubnetId)
			if cur, ok := byAZ[az]; !ok || id < cur {
				byAZ[az] = id
			}
		}
	}
	ids := make([]string, 0, len(byAZ))
	for _, id := range byAZ {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

func (d *Driver) createTGWVPCAttachment(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	tgw, vpc := o.Attrs["transit_gateway"], o.Attrs["vpc_id"]
	if tgw == "" || vpc == "" {
		return plan.Object{}, fmt.Errorf("the object names no transit gateway and VPC (attributes transit_gateway, vpc_id)")
	}
	a, err := createOrAdopt(ctx, d,
		func(ctx context.Context) (*types.TransitGatewayVpcAttachment, error) {
			return findTGWVPCAttachmentByKey(ctx, s, d.mesh.Name, o.Key)
		},
		func(ctx context.Context) (*types.TransitGatewayVpcAttachment, error) {
			subnets, err := subnetPerAZ(ctx, s.ec2, vpc)
			if err != nil {
				return nil, fmt.Errorf("listing the subnets of VPC %s: %w", vpc, err)
			}
			if len(subnets) == 0 {
				return nil, fmt.Errorf("VPC %s has no subnets; a transit gateway attachment needs one per availability zone", vpc)
			}
			out, err := s.ec2.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{
				TransitGatewayId: awssdk.String(tgw),
				VpcId:            awssdk.String(vpc),
				SubnetIds:        subnets,
				// This API alone spells it TagSpecifications on the wire.
				TagSpecifications: tagSpec(types.ResourceTypeTransitGatewayAttachment, ownerTags(d.mesh.Name, o)),
			}, d.forCreate)
			if err != nil {
				return nil, err
			}
			return out.TransitGatewayVpcAttachment, nil
		})
	if err != nil {
		return plan.Object{}, err
	}
	id := awssdk.ToString(a.TransitGatewayAttachmentId)
	if _, err := d.wait(ctx, waitSpec{what: "EC2 Transit Gateway VPC Attachment " + id,
		pending: []string{string(types.TransitGatewayAttachmentStateInitiating), string(types.TransitGatewayAttachmentStateInitiatingRequest),
			string(types.TransitGatewayAttachmentStatePendingAcceptance), string(types.TransitGatewayAttachmentStatePending),
			string(types.TransitGatewayAttachmentStateModifying)},
		target: []string{string(types.TransitGatewayAttachmentStateAvailable)}, timeout: tgwAttachmentCreateTimeout},
		statusTGWVPCAttachment(s.ec2, id)); err != nil {
		return plan.Object{}, err
	}
	if a, err = findTGWVPCAttachmentByID(ctx, s.ec2, id); err != nil || a == nil {
		return plan.Object{}, fmt.Errorf("reading EC2 Transit Gateway VPC Attachment %s: %w", id, orGone(err))
	}
	return tgwAttachmentObject(o.Key, *a, ""), nil
}

func (d *Driver) deleteTGWVPCAttachment(ctx context.Context, s *site, o plan.Object) error {
	_, err := s.ec2.DeleteTransitGatewayVpcAttachment(ctx, &ec2.DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentId: awssdk.String(o.ID)})
	if isCode(err, codeTGWAttachmentNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = d.wait(ctx, waitSpec{what: "EC2 Transit Gateway VPC Attachment " + o.ID,
		pending: []string{string(types.TransitGatewayAttachmentStateAvailable), string(types.TransitGatewayAttachmentStateDeleting),
			string(types.TransitGatewayAttachmentStatePending), string(types.TransitGatewayAttachmentStateModifying)},
		target: []string{string(types.TransitGatewayAttachmentStateDeleted)}, goneOK: true, timeout: tgwAttachmentDeleteTimeout},
		statusTGWVPCAttachment(s.ec2, o.ID))
	return err
}

// tgwAttachmentObject is what the plan sees of a TGW VPC attachment;
// tgwKey, when known, is the key of its TGW.
func tgwAttachmentObject(key string, a types.TransitGatewayVpcAttachment, tgwKey string) plan.Object {
	o := object(key, awssdk.ToString(a.TransitGatewayAttachmentId))
	o.Attrs["transit_gateway"] = awssdk.ToString(a.TransitGatewayId)
	o.Attrs["vpc_id"] = awssdk.ToString(a.VpcId)
	subnets := slices.Sorted(slices.Values(a.SubnetIds))
	o.Attrs["subnet_ids"] = strings.Join(subnets, ",")
	if tgwKey != "" {
		o.Deps = []string{tgwKey}
	}
	return o
}
