package aws

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

const vgwXML = `<vpnGatewayId>vgw-1</vpnGatewayId><state>available</state><type>ipsec.1</type><amazonSideAsn>64512</amazonSideAsn>` +
	`<tagSet><item><key>crosslink-mesh</key><value>m</value></item><item><key>crosslink-key</key><value>aws/a/vpn_gateway/main</value></item></tagSet>`

func vgwDesired() plan.Object {
	return plan.Object{Key: "aws/a/vpn_gateway/main", Kind: "aws_vpn_gateway", Cloud: "aws", Site: "a",
		Attrs: map[string]string{"amazon_side_asn": "64512", "region": "us-east-1"}}
}

// A create refused by throttling is re-sent; one whose reply was lost is
// not: the driver finds the object it made by its key tag and adopts it.
func TestCreateIsNotResentAfterALostReply(t *testing.T) {
	f, srv := newFakeEC2(t)
	var mu sync.Mutex
	created := false
	f.handlers["CreateVpnGateway"] = func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			ec2Error(w, 503, "RequestLimitExceeded", "slow down")
			return
		}
		mu.Lock()
		created = true
		mu.Unlock()
		if n == 2 {
			dropReply(w) // applied, answer lost
			return
		}
		ec2Reply(w, "CreateVpnGateway", "<vpnGateway>"+vgwXML+"</vpnGateway>")
	}
	f.handlers["DescribeVpnGateways"] = func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		defer mu.Unlock()
		set := ""
		if created {
			set = "<item>" + vgwXML + "</item>"
		}
		ec2Reply(w, "DescribeVpnGateways", "<vpnGatewaySet>"+set+"</vpnGatewaySet>")
	}
	d := testDriver(srv.URL, nil)
	o, err := d.Create(testCtx(t), vgwDesired(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "vgw-1" || o.Attrs["amazon_side_asn"] != "64512" || o.Attrs["region"] != "us-east-1" {
		t.Fatalf("created %+v", o)
	}
	if n := f.counts["CreateVpnGateway"]; n != 2 {
		t.Fatalf("%d creates sent (%v); want 2: the throttled one and the one whose reply was lost", n, f.actions())
	}
}

// A create that met a server error may have been applied: the driver looks
// before it creates again, rather than letting the SDK re-send blindly.
func TestCreateLooksUpBeforeRecreatingAfterServerError(t *testing.T) {
	f, srv := newFakeEC2(t)
	var mu sync.Mutex
	created := false
	f.handlers["CreateVpnGateway"] = func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			ec2Error(w, 500, "InternalError", "oops") // not applied
			return
		}
		mu.Lock()
		created = true
		mu.Unlock()
		ec2Reply(w, "CreateVpnGateway", "<vpnGateway>"+vgwXML+"</vpnGateway>")
	}
	f.handlers["DescribeVpnGateways"] = func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		defer mu.Unlock()
		set := ""
		if created {
			set = "<item>" + vgwXML + "</item>"
		}
		ec2Reply(w, "DescribeVpnGateways", "<vpnGatewaySet>"+set+"</vpnGatewaySet>")
	}
	d := testDriver(srv.URL, nil)
	if _, err := d.Create(testCtx(t), vgwDesired(), nil); err != nil {
		t.Fatal(err)
	}
	log := f.actions()
	first := slices.Index(log, "CreateVpnGateway")
	second := first + 1 + slices.Index(log[first+1:], "CreateVpnGateway")
	if f.counts["CreateVpnGateway"] != 2 || second <= first+1 || !slices.Contains(log[first+1:second], "DescribeVpnGateways") {
		t.Fatalf("actions %v: want a lookup between the failed create and the second one", log)
	}
}

// A create refused as invalid is not retried and the error names the key.
func TestCreateValidationErrorIsFinal(t *testing.T) {
	f, srv := newFakeEC2(t)
	f.handlers["CreateVpnGateway"] = func(w http.ResponseWriter, r *http.Request, n int) {
		ec2Error(w, 400, "InvalidParameterValue", "bad ASN")
	}
	f.handlers["DescribeVpnGateways"] = func(w http.ResponseWriter, r *http.Request, n int) {
		ec2Reply(w, "DescribeVpnGateways", "<vpnGatewaySet/>")
	}
	d := testDriver(srv.URL, nil)
	_, err := d.Create(testCtx(t), vgwDesired(), nil)
	if err == nil || d.Retryable(err) || f.counts["CreateVpnGateway"] != 1 {
		t.Fatalf("err %v (retryable %v), %d creates", err, d.Retryable(err), f.counts["CreateVpnGateway"])
	}
	if !strings.HasPrefix(err.Error(), "creating EC2 VPN Gateway (aws/a/vpn_gateway/main): ") || !strings.Contains(err.Error(), "InvalidParameterValue") {
		t.Fatalf("error %q", err)
	}
}

// Every attempt, SDK retries included, waits for the region's pacer.
func TestPacerPacesRetries(t *testing.T) {
	f, srv := newFakeEC2(t)
	f.handlers["DescribeVpnGateways"] = func(w http.ResponseWriter, r *http.Request, n int) {
		ec2Error(w, 503, "RequestLimitExceeded", "slow down")
	}
	const rps, attempts = 40, 5
	d := testDriver(srv.URL, func(c *Config) { c.RequestsPerSecond, c.Burst, c.MaxAttempts = rps, 1, attempts })
	s, err := d.site(testCtx(t), "a")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = d.findVPNGatewayByID(testCtx(t), s.ec2, "vgw-1")
	took := time.Since(start)
	if err == nil || !d.Retryable(err) {
		t.Fatalf("err %v", err)
	}
	if n := f.counts["DescribeVpnGateways"]; n != attempts {
		t.Fatalf("%d attempts, want %d", n, attempts)
	}
	// attempts-1 waits of 1/rps each after the first token.
	if min := time.Duration(attempts-1) * time.Second / rps; took < min*9/10 {
		t.Fatalf("%d attempts took %v; the pacer should have spread them over %v", attempts, took, min)
	}
}

// Describes and mutating calls draw from separate buckets, as EC2 throttles
// them: a run of polls does not hold up a create.
func TestPacerSeparatesDescribesFromMutations(t *testing.T) {
	f, srv := newFakeEC2(t)
	f.handlers["DescribeVpnGateways"] = func(w http.ResponseWriter, r *http.Request, n int) {
		_, _ = io.WriteString(w, `<DescribeVpnGatewaysResponse><vpnGatewaySet/></DescribeVpnGatewaysResponse>`)
	}
	f.handlers["DeleteVpnGateway"] = func(w http.ResponseWriter, r *http.Request, n int) {
		_, _ = io.WriteString(w, `<DeleteVpnGatewayResponse><return>true</return></DeleteVpnGatewayResponse>`)
	}
	d := testDriver(srv.URL, func(c *Config) {
		c.RequestsPerSecond, c.Burst, c.MutatingRequestsPerSecond, c.MutatingBurst = 2, 1, 1, 1
	})
	s, err := d.site(testCtx(t), "a")
	if err != nil {
		t.Fatal(err)
	}
	timed := func(call func() error) time.Duration {
		start := time.Now()
		if err := call(); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	describe := func() error {
		_, err := s.ec2.DescribeVpnGateways(testCtx(t), &ec2.DescribeVpnGatewaysInput{})
		return err
	}
	del := func() error {
		_, err := s.ec2.DeleteVpnGateway(testCtx(t), &ec2.DeleteVpnGatewayInput{VpnGatewayId: awssdk.String("vgw-1")})
		return err
	}
	timed(describe) // empties the describe bucket
	if took := timed(del); took > 250*time.Millisecond {
		t.Fatalf("a delete waited %v behind a describe", took)
	}
	if took := timed(describe); took < 400*time.Millisecond {
		t.Fatalf("the second describe took %v: its bucket (2/s, burst 1) should have held it ~0.5 s", took)
	}
	if took := timed(del); took < 300*time.Millisecond {
		t.Fatalf("the second delete took %v: its bucket (1/s, burst 1) should have held it ~0.5 s", took)
	}
	if !mutating("CreateVpnGateway") || !mutating("ModifyVpnTunnelOptions") || mutating("DescribeVpnConnections") || mutating("GetTransitGatewayRouteTablePropagations") {
		t.Fatal("mutating() misclassifies EC2 actions")
	}
}
