package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Customer gateways are special in one way: CreateCustomerGateway is
// idempotent by content. Asked for a gateway of the same type, IP address
// and ASN as an existing one in the region, EC2 returns the existing one
// (and does not apply the new tags). So one EC2 gateway can stand for
// several plan objects: two AWS sites of a mesh in one region that peer
// with the same host. The first owner is recorded in crosslink-key, each
// further one in a crosslink-key-<hash> tag; Observe reports the gateway
// once per owner, and Delete releases an owner's claim, deleting the
// gateway only with its last owner.
//
// Two meshes cannot share a gateway that way: its crosslink-mesh tag holds
// one mesh. Re-tagging it would move it to the other mesh, whose next plan
// would no longer see it, create it again (getting the same gateway back)
// and take it back, forever; and either mesh could delete it under the
// other's VPN connections. The create fails instead, naming the owner:
// two meshes peering with one address in one region is a conflict the user
// must resolve.

// Timeouts as terraform-provider-aws's for customer gateways.
const (
	cgwCreateTimeout = 10 * time.Minute
	cgwDeleteTimeout = 10 * time.Minute
)

func liveCGW(g types.CustomerGateway) bool { return live(awssdk.ToString(g.State)) }

func describeCustomerGateways(ctx context.Context, c *ec2.Client, in *ec2.DescribeCustomerGatewaysInput) ([]types.CustomerGateway, error) {
	out, err := c.DescribeCustomerGateways(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.CustomerGateways, nil
}

// liveMeshCGWs lists the mesh's live gateways by ID. Further owners' tags
// have hashed names, so owners are found by reading the tags of them all.
func liveMeshCGWs(ctx context.Context, c *ec2.Client, mesh string) ([]types.CustomerGateway, error) {
	gs, err := describeCustomerGateways(ctx, c, &ec2.DescribeCustomerGatewaysInput{Filters: []types.Filter{meshFilter(mesh)}})
	if err != nil {
		return nil, err
	}
	gs = slices.DeleteFunc(gs, func(g types.CustomerGateway) bool { return !liveCGW(g) })
	slices.SortFunc(gs, func(a, b types.CustomerGateway) int {
		return strings.Compare(awssdk.ToString(a.CustomerGatewayId), awssdk.ToString(b.CustomerGatewayId))
	})
	return gs, nil
}

// ownedCGW is the first of gs that key owns.
func ownedCGW(gs []types.CustomerGateway, key string) *types.CustomerGateway {
	for i := range gs {
		if slices.Contains(ownerKeys(tagMap(gs[i].Tags)), key) {
			return &gs[i]
		}
	}
	return nil
}

// findCustomerGatewayByID returns the gateway, nil when EC2 does not know
// it; the read is batched (idreads.go).
func (d *Driver) findCustomerGatewayByID(ctx context.Context, c *ec2.Client, id string) (*types.CustomerGateway, error) {
	return d.reads.cgws.read(ctx, c, id)
}

// createCustomerGateway queues o's claim with those of the other keys of
// the same EC2 gateway: see customer_gateway_batch.go.
func (d *Driver) createCustomerGateway(ctx context.Context, s *site, o plan.Object) (plan.Object, error) {
	asn, err := strconv.ParseUint(o.Attrs["bgp_asn"], 10, 32)
	if err != nil {
		return plan.Object{}, fmt.Errorf("bgp_asn %q is not an ASN", o.Attrs["bgp_asn"])
	}
	ip := o.Attrs["ip_address"]
	if ip == "" {
		return plan.Object{}, fmt.Errorf("the object has no ip_address")
	}
	typ := o.Attrs["type"]
	if typ == "" {
		typ = string(types.GatewayTypeIpsec1)
	}
	c := &cgwClaim{key: o.Key, s: s}
	if err := d.cgws.Submit(ctx, cgwIdentity{region: s.region, typ: typ, ip: ip, asn: asn}, c); err != nil {
		return plan.Object{}, err
	}
	return c.out, nil
}

func (d *Driver) deleteCustomerGateway(ctx context.Context, s *site, o plan.Object) error {
	g, err := d.findCustomerGatewayByID(ctx, s.ec2, o.ID)
	if err != nil {
		return err
	}
	if g == nil || !liveCGW(*g) {
		return nil
	}
	if others := otherOwners(*g, o.Key); len(others) > 0 {
		// Release this key's claim. Several owners may let go at once: each
		// reads the tags again after its own release, so whichever releases
		// last sees none left and deletes the gateway.
		tag := alsoTag(o.Key)
		if tagMap(g.Tags)[tagKey] == o.Key {
			tag = tagKey
		}
		// With a value, DeleteTags removes the tag only if it still holds
		// this key.
		if _, err := s.ec2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{o.ID},
			Tags: []types.Tag{{Key: awssdk.String(tag), Value: awssdk.String(o.Key)}}}); err != nil && !isCode(err, codeCGWNotFound) {
			return fmt.Errorf("releasing customer gateway %s: %w", o.ID, err)
		}
		if g, err = d.findCustomerGatewayByID(ctx, s.ec2, o.ID); err != nil || g == nil {
			return err
		}
		if len(otherOwners(*g, o.Key)) > 0 {
			return nil
		}
	}
	// A VPN connection still being deleted holds the gateway: IncorrectState.
	err = d.retryWhileSettling(ctx, cgwDeleteTimeout, func(ctx context.Context) error {
		_, err := s.ec2.DeleteCustomerGateway(ctx, &ec2.DeleteCustomerGatewayInput{CustomerGatewayId: awssdk.String(o.ID)})
		return err
	})
	if isCode(err, codeCGWNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = d.wait(ctx, waitSpec{what: "EC2 Customer Gateway " + o.ID,
		pending: []string{string(types.VpnStateAvailable), string(types.VpnStatePending), string(types.VpnStateDeleting)},
		target:  []string{string(types.VpnStateDeleted)}, goneOK: true, timeout: cgwDeleteTimeout, batched: true},
		func(ctx context.Context) (string, bool, error) {
			g, err := d.findCustomerGatewayByID(ctx, s.ec2, o.ID)
			if err != nil || g == nil {
				return "", false, err
			}
			return awssdk.ToString(g.State), true, nil
		})
	return err
}

// otherOwners lists the owner keys of g other than key.
func otherOwners(g types.CustomerGateway, key string) []string {
	return slices.DeleteFunc(ownerKeys(tagMap(g.Tags)), func(k string) bool { return k == key })
}

func cgwASN(g types.CustomerGateway) string {
	if v := awssdk.ToString(g.BgpAsnExtended); v != "" {
		return v
	}
	return awssdk.ToString(g.BgpAsn)
}

// cgwObject is what the plan sees of a gateway under one owner key.
func cgwObject(key string, g types.CustomerGateway) plan.Object {
	o := object(key, awssdk.ToString(g.CustomerGatewayId))
	o.Attrs["bgp_asn"] = cgwASN(g)
	o.Attrs["ip_address"] = awssdk.ToString(g.IpAddress)
	o.Attrs["type"] = awssdk.ToString(g.Type)
	return o
}
