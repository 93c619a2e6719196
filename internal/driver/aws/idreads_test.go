package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// fakeList lists the IDs it is asked for that it knows, counting calls
// and the largest filter it got.
type fakeList struct {
	known   map[string]bool
	calls   atomic.Int32
	largest atomic.Int32
	fail    error
}

func (f *fakeList) list(_ context.Context, _ *ec2.Client, ids []string) ([]types.VpnConnection, error) {
	f.calls.Add(1)
	if n := int32(len(ids)); n > f.largest.Load() {
		f.largest.Store(n)
	}
	time.Sleep(2 * time.Millisecond)
	if f.fail != nil {
		return nil, f.fail
	}
	var out []types.VpnConnection
	for _, id := range ids {
		if f.known[id] {
			out = append(out, types.VpnConnection{VpnConnectionId: awssdk.String(id), State: types.VpnStateAvailable})
		}
	}
	return out, nil
}

func vpnID(v types.VpnConnection) string { return awssdk.ToString(v.VpnConnectionId) }

// TestIDReadsBatch: 30 waiters polling 10 times each, out of phase, cost
// one describe per spacing, not 300; each gets its own object, and an ID
// EC2 does not list is answered nil. On synctest's clock, so the count
// does not depend on the machine's load.
func TestIDReadsBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeList{known: map[string]bool{}}
		for i := range 29 {
			f.known[fmt.Sprintf("vpn-%d", i)] = true
		}
		const spacing = 20 * time.Millisecond
		r := newIDReader(context.Background(), spacing, f.list, vpnID)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * time.Millisecond)
				id := fmt.Sprintf("vpn-%d", i)
				for range 10 {
					v, err := r.read(context.Background(), nil, id)
					switch {
					case err != nil:
						t.Error(err)
						return
					case i == 29 && v != nil:
						t.Errorf("%s is unknown, read %v", id, v)
					case i < 29 && (v == nil || vpnID(*v) != id):
						t.Errorf("%s read %v", id, v)
					}
				}
			})
		}
		wg.Wait()
		took := time.Since(start)
		if n := f.calls.Load(); n > int32(took/spacing)+2 || n > 300/5 {
			t.Fatalf("%d describes for 300 reads in %v at one per %v", n, took, spacing)
		}
	})
}

// TestIDReadsChunksAndErrors: a batch of more IDs than one filter takes
// goes out in chunks, and a failed describe fails every read of its batch.
func TestIDReadsChunksAndErrors(t *testing.T) {
	f := &fakeList{known: map[string]bool{}}
	r := newIDReader(context.Background(), 50*time.Millisecond, f.list, vpnID)
	// The first read goes out alone; the next 450 gather behind it.
	if _, err := r.read(context.Background(), nil, "first"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 450 {
		wg.Go(func() {
			if _, err := r.read(context.Background(), nil, fmt.Sprintf("vpn-%d", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if f.calls.Load() != 1+3 || f.largest.Load() != maxFilterValues {
		t.Fatalf("%d describes, largest filter %d; want 1 + 3 of at most %d IDs", f.calls.Load(), f.largest.Load(), maxFilterValues)
	}
	f.fail = errors.New("RequestLimitExceeded")
	if _, err := r.read(context.Background(), nil, "x"); err != f.fail {
		t.Fatalf("read during a failing describe: %v", err)
	}
}

// TestBatchedVPNsNotFound: through the SDK waiters' client, an ID EC2 does
// not list is NotFound, as a describe by ID parameter says it.
func TestBatchedVPNsNotFound(t *testing.T) {
	f := &fakeList{known: map[string]bool{"vpn-1": true}}
	b := batchedVPNs{r: newIDReader(context.Background(), time.Millisecond, f.list, vpnID)}
	out, err := b.DescribeVpnConnections(context.Background(), &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{"vpn-1"}})
	if err != nil || len(out.VpnConnections) != 1 {
		t.Fatalf("vpn-1: %v %v", out, err)
	}
	if _, err := b.DescribeVpnConnections(context.Background(), &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{"vpn-2"}}); !isCode(err, codeVPNNotFound) {
		t.Fatalf("vpn-2: %v", err)
	}
}
