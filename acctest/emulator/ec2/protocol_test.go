package ec2

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

func TestSigV4(t *testing.T) {
	e := newEnv(t, Options{Credentials: map[string]string{testKey: testSecret, "AKIDOTHER": "other-secret"}})
	e.vgw(64512, "") // the right secret passes (with a body, so the payload hash counts)
	if _, err := e.client("eu-west-1", "AKIDOTHER", "other-secret").DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{}); err != nil {
		t.Fatalf("second key: %v", err)
	}
	_, err := e.client("us-east-1", testKey, "wrong-secret").DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	_, err = e.client("us-east-1", "AKIDUNKNOWN", testSecret).DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{})
	wantCode(t, err, "AuthFailure")
	// An unsigned request is refused too.
	resp, err := http.PostForm(e.url, url.Values{"Action": {"DescribeVpnGateways"}, "Version": {"2016-11-15"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned request: %d", resp.StatusCode)
	}
}

// A body changed after signing no longer matches its signature.
func TestSigV4CoversBody(t *testing.T) {
	e := newEnv(t, Options{Credentials: map[string]string{testKey: testSecret}})
	c := sdk.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: e.c.Options().Credentials}, func(o *sdk.Options) {
		o.BaseEndpoint = aws.String(e.url)
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = &http.Client{Transport: rewrite{}}
	})
	_, err := c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1, AmazonSideAsn: aws.Int64(64512)})
	wantCode(t, err, "SignatureDoesNotMatch")
}

// rewrite tampers with a signed request's body (same length).
type rewrite struct{}

func (rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	b = []byte(strings.Replace(string(b), "64512", "64513", 1))
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	return http.DefaultTransport.RoundTrip(r)
}

// stepClock advances one second each time it is read: a token bucket of
// rate 0.5/s then refuses every other request, deterministically.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// The SDK's standard retryer treats RequestLimitExceeded as throttling and
// retries; 5xx replies are retried too.
func TestMiddlewareRetries(t *testing.T) {
	clock := store.NewManualClock(time.Now())
	st := store.New(store.Options{Clock: clock})
	f := New(st, nil, Options{})
	in := store.NewInjector(store.Faults{ThrottleRate: 0.5, ThrottleBurst: 1}, &stepClock{t: time.Now()})
	in.Account = f.Account
	srv := httptest.NewServer(store.Middleware(f.Handler(), in, f.Classify, f.WriteThrottle, f.Write5xx))
	defer srv.Close()
	c := sdk.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, "")}, func(o *sdk.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) { o.RateLimiter = ratelimit.None; o.MaxBackoff = time.Millisecond })
		o.HTTPClient = httpClient() // counters must not see the SDK's own retries of that race
	})
	// The first request takes the bucket's only token; the next create is
	// throttled once, retried, and applied exactly once.
	if _, err := c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1}); err != nil {
		t.Fatalf("create after throttling: %v", err)
	}
	if got := in.CountersFor("CreateVpnGateway"); got.Requests != 2 || got.Throttled != 1 {
		t.Fatalf("CreateVpnGateway counters %+v", got)
	}
	out, err := c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{})
	if err != nil || len(out.VpnGateways) != 1 {
		t.Fatalf("%v, %d gateways", err, len(out.VpnGateways))
	}

	in.Set(store.Faults{ErrorRate5xx: 1})
	_, err = c.DescribeVpnGateways(ctx(), &sdk.DescribeVpnGatewaysInput{})
	if code := code(err); code != "InternalError" && code != "Unavailable" {
		t.Fatalf("5xx: %v", err)
	}
	if got := in.CountersFor("DescribeVpnGateways"); got.Failed5xx != int64(retry.DefaultMaxAttempts) {
		t.Fatalf("5xx was not retried: %+v", got)
	}
}

// Classify leaves the body for the handler and names mutations.
func TestClassify(t *testing.T) {
	f := New(store.New(store.Options{}), nil, Options{})
	for action, mutating := range map[string]bool{"DescribeVpnConnections": false, "CreateVpnConnection": true, "CreateTags": true, "DeleteTags": true} {
		body := "Action=" + action + "&Version=2016-11-15"
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		op, m := f.Classify(r)
		rest, _ := io.ReadAll(r.Body)
		if op != action || m != mutating || string(rest) != body {
			t.Fatalf("%s: %q %v, body left %q", action, op, m, rest)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDX/20261124/ap-south-2/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	if got := f.Account(r); got != "AKIDX/ap-south-2" {
		t.Fatalf("account %q", got)
	}
}

// The wire format itself: envelope, request id, error document, unknown
// action, DryRun.
func TestWireFormat(t *testing.T) {
	e := newEnv(t, Options{})
	post := func(form url.Values) (int, string) {
		resp, err := http.PostForm(e.url, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(url.Values{"Action": {"CreateVpnGateway"}, "Version": {"2016-11-15"}, "Type": {"ipsec.1"}})
	var ok struct {
		XMLName   xml.Name
		RequestID string `xml:"requestId"`
		VGW       struct {
			ID string `xml:"vpnGatewayId"`
		} `xml:"vpnGateway"`
	}
	if err := xml.Unmarshal([]byte(body), &ok); err != nil || status != 200 || ok.XMLName.Local != "CreateVpnGatewayResponse" ||
		ok.XMLName.Space != xmlns || ok.RequestID == "" || !strings.HasPrefix(ok.VGW.ID, "vgw-") {
		t.Fatalf("%d %s (%v)", status, body, err)
	}
	var fail struct {
		Code      string `xml:"Errors>Error>Code"`
		Message   string `xml:"Errors>Error>Message"`
		RequestID string `xml:"RequestID"`
	}
	status, body = post(url.Values{"Action": {"LaunchRockets"}, "Version": {"2016-11-15"}})
	if err := xml.Unmarshal([]byte(body), &fail); err != nil || status != 400 || fail.Code != "InvalidAction" || fail.RequestID == "" {
		t.Fatalf("%d %s (%v)", status, body, err)
	}
	_, err := e.c.CreateVpnGateway(ctx(), &sdk.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	if ids := vgwIDs(t, e.c); len(ids) != 1 {
		t.Fatalf("the dry run created a gateway: %v", ids)
	}
}
