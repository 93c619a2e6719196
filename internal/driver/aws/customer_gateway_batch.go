package aws

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Customer gateway creates are group-committed per EC2 gateway: the plan
// objects of one gateway (every AWS site of a region peering with one
// address) would otherwise each list, create, tag, wait and read, spending
// EC2's slow mutating bucket on creates that return the same gateway and
// on one tag call per owner. A commit lists once, creates at most once,
// tags all new owners in one call and waits once.

// cgwIdentity is what makes EC2 return one gateway for several creates:
// the region (the driver's client of it) and the gateway's content.
type cgwIdentity struct {
	region string
	typ    string
	ip     string
	asn    uint64
}

// cgwClaim is one key's create; the commit fills out.
type cgwClaim struct {
	key string
	s   *site
	out plan.Object
}

// commitCustomerGateways gives every key of batch its gateway: the one it
// owns already, else the mesh's gateway of id or a new one, which the keys
// then claim. Each gateway is tagged, waited for and read once.
func (d *Driver) commitCustomerGateways(ctx context.Context, id cgwIdentity, batch []*cgwClaim) []error {
	errs := make([]error, len(batch))
	fail := func(idx []int, err error) {
		for _, i := range idx {
			errs[i] = err
		}
	}
	s := batch[0].s // the batch shares the region, so its client
	gs, err := liveMeshCGWs(ctx, s.ec2, d.mesh.Name)
	if err != nil {
		fail(allIndexes(batch), err)
		return errs
	}
	var order []string // gateway IDs, in order of first use
	gws := map[string]types.CustomerGateway{}
	keysOf := map[string][]int{} // gateway ID → batch indexes
	use := func(g types.CustomerGateway, idx ...int) {
		gid := awssdk.ToString(g.CustomerGatewayId)
		if _, ok := gws[gid]; !ok {
			order = append(order, gid)
			gws[gid] = g
		}
		keysOf[gid] = append(keysOf[gid], idx...)
	}
	var claim []int
	for i, c := range batch {
		if g := ownedCGW(gs, c.key); g != nil {
			use(*g, i)
		} else {
			claim = append(claim, i)
		}
	}
	if len(claim) > 0 {
		g, err := d.createOrAdoptCGW(ctx, s, id, gs, batch[claim[0]].key)
		if err != nil {
			fail(claim, err)
		} else {
			use(*g, claim...)
		}
	}
	for _, gid := range order {
		idx := keysOf[gid]
		keys := make([]string, len(idx))
		for j, i := range idx {
			keys[j] = batch[i].key
		}
		g, err := d.claimCustomerGateway(ctx, s, gws[gid], keys)
		if err != nil {
			fail(idx, err)
			continue
		}
		for _, i := range idx {
			batch[i].out = cgwObject(batch[i].key, *g)
		}
	}
	return errs
}

func allIndexes[T any](s []T) []int {
	idx := make([]int, len(s))
	for i := range s {
		idx[i] = i
	}
	return idx
}

// createOrAdoptCGW finds the mesh's live gateway of id in listed, or
// creates it tagged for first (createOrAdopt: a lost reply is looked up in
// a fresh listing before the create is sent again).
func (d *Driver) createOrAdoptCGW(ctx context.Context, s *site, id cgwIdentity, listed []types.CustomerGateway, first string) (*types.CustomerGateway, error) {
	in := &ec2.CreateCustomerGatewayInput{
		Type:              types.GatewayType(id.typ),
		IpAddress:         awssdk.String(id.ip),
		TagSpecifications: tagSpec(types.ResourceTypeCustomerGateway, ownerTags(d.mesh.Name, plan.Object{Key: first})),
	}
	// BgpAsn is a signed 32-bit field; larger (4-byte private) ASNs go in
	// BgpAsnExtended.
	if id.asn <= math.MaxInt32 {
		in.BgpAsn = awssdk.Int32(int32(id.asn))
	} else {
		in.BgpAsnExtended = awssdk.Int64(int64(id.asn))
	}
	fresh := true
	return createOrAdopt(ctx, d,
		func(ctx context.Context) (*types.CustomerGateway, error) {
			gs := listed
			if !fresh {
				var err error
				if gs, err = liveMeshCGWs(ctx, s.ec2, d.mesh.Name); err != nil {
					return nil, err
				}
			}
			fresh = false
			return sameCGW(gs, id), nil
		},
		func(ctx context.Context) (*types.CustomerGateway, error) {
			out, err := s.ec2.CreateCustomerGateway(ctx, in, d.forCreate)
			if err != nil {
				return nil, err
			}
			return out.CustomerGateway, nil
		})
}

// sameCGW is the first of gs with id's content: the one EC2 would return
// for a create.
func sameCGW(gs []types.CustomerGateway, id cgwIdentity) *types.CustomerGateway {
	asn := strconv.FormatUint(id.asn, 10)
	for i, g := range gs {
		if awssdk.ToString(g.Type) == id.typ && awssdk.ToString(g.IpAddress) == id.ip && cgwASN(g) == asn {
			return &gs[i]
		}
	}
	return nil
}

// claimCustomerGateway records keys as owners of g, in one tag call, waits
// until g is available and reads it back. A gateway EC2 just created
// carries its first owner already; an existing one it handed back instead
// (see customer_gateway.go) gets the keys added.
func (d *Driver) claimCustomerGateway(ctx context.Context, s *site, g types.CustomerGateway, keys []string) (*types.CustomerGateway, error) {
	id := awssdk.ToString(g.CustomerGatewayId)
	tags := tagMap(g.Tags)
	owner, owners := tags[tagMesh], ownerKeys(tags)
	if owner != "" && owner != d.mesh.Name {
		return nil, fmt.Errorf("EC2 returned customer gateway %s (%s, ASN %s), which mesh %q owns: AWS keeps one customer gateway per address and ASN in a region, so two meshes cannot both peer with this address in %s",
			id, awssdk.ToString(g.IpAddress), cgwASN(g), owner, s.region)
	}
	var add []types.Tag
	for _, key := range keys {
		switch {
		case slices.Contains(owners, key):
		case owner == "":
			// Made outside crosslink, or by a create whose reply was lost
			// before the tags were read back: crosslink owns it from now on.
			add = append(add, ownerTags(d.mesh.Name, plan.Object{Key: key})...)
			owner = d.mesh.Name
		default:
			add = append(add, types.Tag{Key: awssdk.String(alsoTag(key)), Value: awssdk.String(key)})
		}
	}
	if len(add) > 0 {
		if _, err := s.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: add}); err != nil {
			return nil, fmt.Errorf("tagging customer gateway %s: %w", id, err)
		}
	}
	// The wait's last read, made after the tags went on, is the result.
	var seen *types.CustomerGateway
	if _, err := d.wait(ctx, waitSpec{what: "EC2 Customer Gateway " + id, pending: []string{string(types.VpnStatePending)},
		target: []string{string(types.VpnStateAvailable)}, timeout: cgwCreateTimeout, batched: true}, func(ctx context.Context) (string, bool, error) {
		g, err := d.findCustomerGatewayByID(ctx, s.ec2, id)
		if err != nil || g == nil {
			return "", false, err
		}
		seen = g
		return awssdk.ToString(g.State), true, nil
	}); err != nil {
		return nil, err
	}
	return seen, nil
}
