package aws

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	ec2emu "github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// With throttling, server errors and lost replies, the driver and engine
// still make exactly one object per key.
func TestEmulatorFaultsMakeOneObjectPerKey(t *testing.T) {
	droppedCreates := int64(0)
	for _, seed := range []uint64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ctx := testCtx(t)
			e := newEmu(t, store.Faults{ThrottleFraction: 0.2, ErrorRate5xx: 0.05, DropReplyRate: 0.1, Seed: seed}, nil)
			m := testMesh(6)
			desired := desiredAWS(t, m)
			d := newDriver(m, e.url, nil)
			convergeRetrying(ctx, t, d, m, desired, secrets{1})
			observed := assertConverged(ctx, t, d, m, desired)
			want := 0
			for _, o := range observed {
				if o.Kind == "aws_vpn_connection" {
					want++
				}
			}
			if n := liveVPNs(ctx, t, e); n != want {
				t.Errorf("EC2 holds %d VPN connections for %d keys", n, want)
			}
			c := e.inj.Counters()
			if c.Throttled == 0 || c.Failed5xx == 0 {
				t.Fatalf("the faults did not happen: %+v", c)
			}
			for _, op := range []string{"CreateVpnGateway", "CreateTransitGateway", "CreateTransitGatewayVpcAttachment",
				"CreateCustomerGateway", "CreateVpnConnection"} {
				droppedCreates += e.inj.CountersFor(op).DroppedReplies
			}
			t.Logf("faults: %+v", c)
		})
	}
	if droppedCreates == 0 {
		t.Fatal("no create lost its reply: the test proved nothing about duplicates")
	}
}

// An apply killed part-way (its context cancelled mid-call) leaves objects
// the next apply, by a fresh driver, adopts rather than duplicates.
func TestEmulatorResumeAfterKilledApply(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(3)
	desired := desiredAWS(t, m)
	for _, after := range []time.Duration{15 * time.Millisecond, 40 * time.Millisecond} {
		kctx, kill := context.WithTimeout(ctx, after)
		_, err := converge(kctx, t, newDriver(m, e.url, nil), m, desired, secrets{1})
		kill()
		objs, _ := newDriver(m, e.url, nil).Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
		t.Logf("killed after %v (%v): %d of %d objects made", after, err, len(objs), len(desired))
	}
	if _, err := converge(ctx, t, newDriver(m, e.url, nil), m, desired, secrets{1}); err != nil {
		t.Fatal(err)
	}
	observed := assertConverged(ctx, t, newDriver(m, e.url, nil), m, desired)
	want := 0
	for _, o := range observed {
		if o.Kind == "aws_vpn_connection" {
			want++
		}
	}
	if n := liveVPNs(ctx, t, e); n != want {
		t.Errorf("EC2 holds %d VPN connections for %d keys", n, want)
	}
}

// A batch of gateway creates, many of whose replies are lost, makes one
// gateway per key: EC2 has no client token for these, so only the driver's
// lookup-before-recreate prevents duplicates.
func TestEmulatorBatchOfCreatesUnderFaults(t *testing.T) {
	ctx := testCtx(t)
	// 24 gateways in one region: an account with raised quotas.
	e := newEmuQuotas(t, store.Faults{ThrottleFraction: 0.2, ErrorRate5xx: 0.05, DropReplyRate: 0.3, Seed: 9}, nil,
		ec2emu.Quotas{VGWsPerRegion: 50, TransitGatewaysPerRegion: 50})
	m := &topology.Mesh{Name: "batch"}
	var objs []plan.Object
	for i := range 24 {
		site := fmt.Sprintf("s%02d", i)
		m.Sites = append(m.Sites, topology.Site{Name: site, Cloud: topology.AWS, Region: region, NetworkID: vpcVGW})
		kind := "vpn_gateway"
		if i%2 == 1 {
			kind = "transit_gateway"
		}
		objs = append(objs, plan.Object{Key: plan.Key("aws", site, kind, "main"), Kind: "aws_" + kind, Cloud: "aws", Site: site,
			Attrs: map[string]string{"amazon_side_asn": fmt.Sprint(64512 + i), "region": region}})
	}
	d := newDriver(m, e.url, nil)
	errs := make(chan error, len(objs))
	for _, o := range objs {
		go func() {
			var err error
			for try := 0; try < 8; try++ { // the engine's retries
				if _, err = d.Create(ctx, o, nil); err == nil || !d.Retryable(err) {
					break
				}
			}
			errs <- err
		}()
	}
	for range objs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	perKey := map[string]int{}
	vgws, err := e.raw().DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range vgws.VpnGateways {
		if live(string(g.State)) {
			perKey[tagMap(g.Tags)[tagKey]]++
		}
	}
	tgws, err := e.raw().DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range tgws.TransitGateways {
		if liveTGW(g.State) {
			perKey[tagMap(g.Tags)[tagKey]]++
		}
	}
	for _, o := range objs {
		if perKey[o.Key] != 1 {
			t.Errorf("%s: %d gateways", o.Key, perKey[o.Key])
		}
	}
	if len(perKey) != len(objs) {
		t.Errorf("%d keys in EC2, want %d", len(perKey), len(objs))
	}
	dropped := e.inj.CountersFor("CreateVpnGateway").DroppedReplies + e.inj.CountersFor("CreateTransitGateway").DroppedReplies
	if dropped == 0 {
		t.Fatal("no create lost its reply")
	}
	t.Logf("%d creates lost their reply; faults %+v", dropped, e.inj.Counters())
}
