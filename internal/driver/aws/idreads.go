package aws

import (
	"context"
	"slices"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver/groupcommit"
)

// Reads of single objects by ID (every waiter's poll, every read-back) go
// out batched: one describe per kind and region answers all the reads that
// gathered since the last one, filtered by ID. A large apply waits on
// dozens of VPN connections and gateways at once; polled one by one they
// would spend EC2's describe bucket (and our pacer's) on polls and starve
// the calls that make progress, or need long backoffs that notice an
// object late. Batched, polling costs one call per kind and region and
// poll interval however many objects are waited on.
//
// A filter by ID, unlike the ID parameter, answers an unknown ID with an
// empty list rather than failing the whole call, so one deleted object
// does not fail the others' reads.

// maxFilterValues is how many IDs one describe filters on; a larger batch
// takes several calls.
const maxFilterValues = 200

// idRead is one caller's read, answered with the object or nil.
type idRead[T any] struct {
	id  string
	got *T
}

// idReader batches the reads of one kind per region (per EC2 client).
type idReader[T any] struct {
	q *groupcommit.Queue[*ec2.Client, *idRead[T]]
}

// newIDReader batches reads through list, which describes the objects
// whose IDs are given (filtered by ID: unknown ones are left out); idOf
// reads an object's ID.
func newIDReader[T any](base context.Context, spacing time.Duration,
	list func(ctx context.Context, c *ec2.Client, ids []string) ([]T, error), idOf func(T) string) *idReader[T] {
	commit := func(ctx context.Context, c *ec2.Client, batch []*idRead[T]) []error {
		errs := make([]error, len(batch))
		var ids []string
		for _, r := range batch {
			ids = append(ids, r.id)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		found := map[string]T{}
		for chunk := range slices.Chunk(ids, maxFilterValues) {
			objs, err := list(ctx, c, chunk)
			if err != nil {
				for i := range errs {
					errs[i] = err
				}
				return errs
			}
			for _, o := range objs {
				found[idOf(o)] = o
			}
		}
		for _, r := range batch {
			if o, ok := found[r.id]; ok {
				r.got = &o
			}
		}
		return errs
	}
	return &idReader[T]{q: groupcommit.NewSpaced(base, spacing, commit)}
}

// read returns the object with id, nil when EC2 does not list it.
func (r *idReader[T]) read(ctx context.Context, c *ec2.Client, id string) (*T, error) {
	req := &idRead[T]{id: id}
	if err := r.q.Submit(ctx, c, req); err != nil {
		return nil, err
	}
	return req.got, nil
}

func idFilter(name string, ids []string) []types.Filter {
	return []types.Filter{{Name: awssdk.String(name), Values: ids}}
}

// idReaders are the driver's batched reads, one per kind waited on.
type idReaders struct {
	vgws *idReader[types.VpnGateway]
	cgws *idReader[types.CustomerGateway]
	vpns *idReader[types.VpnConnection]
}

func newIDReaders(base context.Context, spacing time.Duration) idReaders {
	return idReaders{
		vgws: newIDReader(base, spacing, func(ctx context.Context, c *ec2.Client, ids []string) ([]types.VpnGateway, error) {
			out, err := c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{Filters: idFilter("vpn-gateway-id", ids)})
			if err != nil {
				return nil, err
			}
			return out.VpnGateways, nil
		}, func(v types.VpnGateway) string { return awssdk.ToString(v.VpnGatewayId) }),
		cgws: newIDReader(base, spacing, func(ctx context.Context, c *ec2.Client, ids []string) ([]types.CustomerGateway, error) {
			return describeCustomerGateways(ctx, c, &ec2.DescribeCustomerGatewaysInput{Filters: idFilter("customer-gateway-id", ids)})
		}, func(g types.CustomerGateway) string { return awssdk.ToString(g.CustomerGatewayId) }),
		vpns: newIDReader(base, spacing, func(ctx context.Context, c *ec2.Client, ids []string) ([]types.VpnConnection, error) {
			out, err := c.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{Filters: idFilter("vpn-connection-id", ids)})
			if err != nil {
				return nil, err
			}
			return out.VpnConnections, nil
		}, func(v types.VpnConnection) string { return awssdk.ToString(v.VpnConnectionId) }),
	}
}

// batchedVPNs is the describe client the SDK's VPN connection waiters poll
// through: a describe of one ID joins the batch, and an ID EC2 does not
// list is answered as the ID parameter would be, NotFound, so the waiters'
// rules hold. Any other describe goes out as it is.
type batchedVPNs struct {
	r *idReader[types.VpnConnection]
	c *ec2.Client
}

func (b batchedVPNs) DescribeVpnConnections(ctx context.Context, in *ec2.DescribeVpnConnectionsInput, opts ...func(*ec2.Options)) (*ec2.DescribeVpnConnectionsOutput, error) {
	if len(in.VpnConnectionIds) != 1 || len(in.Filters) != 0 {
		return b.c.DescribeVpnConnections(ctx, in, opts...)
	}
	v, err := b.r.read(ctx, b.c, in.VpnConnectionIds[0])
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, notFound(codeVPNNotFound, "The vpnConnection ID '"+in.VpnConnectionIds[0]+"' does not exist")
	}
	return &ec2.DescribeVpnConnectionsOutput{VpnConnections: []types.VpnConnection{*v}}, nil
}
