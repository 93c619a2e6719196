package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	ec2emu "github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

const (
	region = "us-east-1"
	vpcVGW = "vpc-0a00000000000000a"
	vpcTGW = "vpc-0b00000000000000b"
)

// emu is the EC2 emulator on loopback: url serves the driver through fault
// injection; clean serves the test's own assertions without faults.
type emu struct {
	f          *ec2emu.Frontend
	inj        *store.Injector
	url, clean string
}

func newEmu(t *testing.T, faults store.Faults, creds map[string]string) *emu {
	return newEmuQuotas(t, faults, creds, ec2emu.Quotas{})
}

// newEmuQuotas is newEmu for an account with the given quotas (zero
// fields: AWS's defaults).
func newEmuQuotas(t *testing.T, faults store.Faults, creds map[string]string, q ec2emu.Quotas) *emu {
	t.Helper()
	st := store.New(store.Options{Seed: 7})
	// A short delay makes every object pass through its pending state, so
	// the driver's waits are exercised.
	f := ec2emu.New(st, fabric.New(), ec2emu.Options{Delay: 20 * time.Millisecond, Credentials: creds, Quotas: q})
	for _, v := range []ec2emu.VPC{
		{ID: vpcVGW, CIDR: "10.1.0.0/16", Subnets: []ec2emu.Subnet{{AZ: region + "a", CIDR: "10.1.1.0/24"}, {AZ: region + "b", CIDR: "10.1.2.0/24"}}},
		{ID: vpcTGW, CIDR: "10.2.0.0/16", Subnets: []ec2emu.Subnet{{AZ: region + "a", CIDR: "10.2.1.0/24"},
			{AZ: region + "a", CIDR: "10.2.3.0/24"}, {AZ: region + "c", CIDR: "10.2.2.0/24"}}},
	} {
		if err := f.SeedVPC(region, v); err != nil {
			t.Fatal(err)
		}
	}
	inj := store.NewInjector(faults, nil)
	inj.Account = f.Account
	faulty := httptest.NewServer(store.Middleware(f.Handler(), inj, f.Classify, f.WriteThrottle, f.Write5xx))
	clean := httptest.NewServer(f.Handler())
	t.Cleanup(faulty.Close)
	t.Cleanup(clean.Close)
	return &emu{f: f, inj: inj, url: faulty.URL, clean: clean.URL}
}

// raw is an SDK client on the clean endpoint, for assertions.
func (e *emu) raw() *ec2.Client {
	return ec2.New(ec2.Options{Region: region, BaseEndpoint: awssdk.String(e.clean),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")})
}

// testMesh has a VGW site and a TGW site in one region, each linked to
// every host, so the compiler makes every AWS kind, and each host's
// customer gateway is one EC2 gateway the two sites share.
func testMesh(hosts int) *topology.Mesh {
	m := &topology.Mesh{Name: "acc", Topology: topology.Links, Redundancy: 1, PSKEpoch: 1, Sites: []topology.Site{
		{Name: "aws-vgw", Cloud: topology.AWS, Region: region, NetworkID: vpcVGW, CIDRs: []string{"10.1.0.0/16"}},
		{Name: "aws-tgw", Cloud: topology.AWS, Region: region, NetworkID: vpcTGW, Gateway: topology.GatewayTGW, CIDRs: []string{"10.2.0.0/16"}},
	}}
	for i := range hosts {
		h := fmt.Sprintf("host-%d", i)
		m.Sites = append(m.Sites, topology.Site{Name: h, Cloud: topology.Host,
			Agent: fmt.Sprintf("https://203.0.113.%d:7443", 10+i), CIDRs: []string{fmt.Sprintf("10.%d.0.0/16", 10+i)}})
		m.Links = append(m.Links, topology.Link{A: "aws-vgw", B: h}, topology.Link{A: "aws-tgw", B: h})
	}
	return m
}

func awsSites(m *topology.Mesh) []string {
	var s []string
	for _, site := range m.Sites {
		if site.Cloud == topology.AWS {
			s = append(s, site.Name)
		}
	}
	return s
}

// desiredAWS compiles m and keeps its AWS objects.
func desiredAWS(t *testing.T, m *topology.Mesh) []plan.Object {
	t.Helper()
	d, ps := plan.Build(m, nil)
	if len(ps) > 0 {
		t.Fatalf("mesh: %v", ps)
	}
	var out []plan.Object
	for _, o := range d.Objects {
		if o.Cloud == string(topology.AWS) {
			out = append(out, o)
		}
	}
	return out
}

// secrets derives valid fake PSKs per tunnel and epoch.
type secrets struct{ epoch int64 }

func (s secrets) PSK(tunnel string) (string, error) {
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%d", tunnel, s.epoch))
	return "k" + hex.EncodeToString(h[:15]), nil
}

func newDriver(m *topology.Mesh, url string, tune func(*Config)) *Driver {
	cfg := Config{Endpoint: url, AccessKey: "AKIDTEST", SecretKey: "SECRET", RequestsPerSecond: 2000, Burst: 200,
		MaxAttempts: 8, MaxBackoff: 2 * time.Millisecond, PollInterval: 5 * time.Millisecond}
	if tune != nil {
		tune(&cfg)
	}
	return New(m, cfg)
}

// converge plans desired against what the driver observes and runs the
// plan through the real engine, as the provider does.
func converge(ctx context.Context, t *testing.T, d *Driver, m *topology.Mesh, desired []plan.Object, sec driver.Secrets) (engine.Report, error) {
	t.Helper()
	observed, err := d.Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
	if err != nil {
		return engine.Report{}, err
	}
	g, err := plan.Diff(desired, observed, keys(observed))
	if err != nil {
		t.Fatal(err)
	}
	return engine.Run(ctx, g, map[string]driver.Driver{"aws": d}, sec, engine.Options{
		Parallelism: 16, Retry: engine.Retry{MaxAttempts: 8, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}})
}

// convergeRetrying is converge run again after a failure, as a user runs
// apply again, at most three times.
func convergeRetrying(ctx context.Context, t *testing.T, d *Driver, m *topology.Mesh, desired []plan.Object, sec driver.Secrets) engine.Report {
	t.Helper()
	var rep engine.Report
	var err error
	for try := 1; try <= 3; try++ {
		if rep, err = converge(ctx, t, d, m, desired, sec); err == nil {
			return rep
		}
		t.Logf("apply %d: %v", try, err)
	}
	t.Fatal(err)
	return rep
}

// faultModes are the conditions the lifecycle tests run under: none, and
// the acceptance tests' throttling, server errors and lost replies.
var faultModes = map[string]store.Faults{
	"clean":  {},
	"faulty": {ThrottleFraction: 0.2, ErrorRate5xx: 0.05, DropReplyRate: 0.1, Seed: 3},
}

func keys(objs []plan.Object) map[string]bool {
	k := map[string]bool{}
	for _, o := range objs {
		k[o.Key] = true
	}
	return k
}

// assertConverged: what Observe reports is exactly what is desired (the
// diff is empty), with one object per key.
func assertConverged(ctx context.Context, t *testing.T, d *Driver, m *topology.Mesh, desired []plan.Object) []plan.Object {
	t.Helper()
	observed, err := d.Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, o := range observed {
		if id, dup := seen[o.Key]; dup {
			t.Errorf("two objects for %s: %s and %s", o.Key, id, o.ID)
		}
		seen[o.Key] = o.ID
	}
	g, err := plan.Diff(desired, observed, keys(observed))
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 0 {
		byKey := map[string]plan.Object{}
		for _, o := range observed {
			byKey[o.Key] = o
		}
		for _, a := range g.Actions() {
			t.Errorf("not converged: %s %s\n  desired  %v\n  observed %v", a.Op, a.Key, a.Desired.Attrs, byKey[a.Key].Attrs)
		}
	}
	return observed
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// liveVPNs counts the VPN connections EC2 holds, whoever owns them.
func liveVPNs(ctx context.Context, t *testing.T, e *emu) int {
	t.Helper()
	out, err := e.raw().DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.VpnConnections {
		if liveVPN(v) {
			n++
		}
	}
	return n
}

// pskByCIDR reads, past the driver, the key EC2 holds for each tunnel of a
// connection.
func pskByCIDR(ctx context.Context, t *testing.T, e *emu, id string) map[string]string {
	t.Helper()
	out, err := e.raw().DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}})
	if err != nil || len(out.VpnConnections) != 1 {
		t.Fatalf("describing %s: %v", id, err)
	}
	m := map[string]string{}
	for _, o := range out.VpnConnections[0].Options.TunnelOptions {
		m[awssdk.ToString(o.TunnelInsideCidr)] = awssdk.ToString(o.PreSharedKey)
	}
	return m
}
