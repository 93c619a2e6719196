package aws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// sharedCGWs is a mesh of n AWS sites in one region and, per site, a
// customer gateway object for one peer address: n keys, one EC2 gateway.
func sharedCGWs(name string, n int) (*topology.Mesh, []plan.Object) {
	m := &topology.Mesh{Name: name}
	var objs []plan.Object
	for i := range n {
		site := fmt.Sprintf("s%d", i)
		m.Sites = append(m.Sites, topology.Site{Name: site, Cloud: topology.AWS, Region: region, NetworkID: vpcVGW})
		objs = append(objs, plan.Object{Key: plan.Key("aws", site, "customer_gateway", "hub-0"), Kind: "aws_customer_gateway",
			Cloud: "aws", Site: site, Attrs: map[string]string{"bgp_asn": "65010", "ip_address": "198.51.100.7", "type": "ipsec.1"}})
	}
	return m, objs
}

// createAll creates objs at once, each with the engine's retries, and
// returns what each create returned.
func createAll(ctx context.Context, d *Driver, objs []plan.Object) ([]plan.Object, []error) {
	out, errs := make([]plan.Object, len(objs)), make([]error, len(objs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, o := range objs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for try := 0; try < 8; try++ {
				if out[i], errs[i] = d.Create(ctx, o, nil); errs[i] == nil || !d.Retryable(errs[i]) {
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	return out, errs
}

// liveCGWs lists the customer gateways EC2 holds, whoever owns them.
func liveCGWs(ctx context.Context, t *testing.T, e *emu) []string {
	t.Helper()
	out, err := e.raw().DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range out.CustomerGateways {
		if liveCGW(g) {
			ids = append(ids, awssdk.ToString(g.CustomerGatewayId))
		}
	}
	return ids
}

// Concurrent creates of keys that share one EC2 gateway make it once and
// claim it for all keys in a few tag calls, not one create and one tag
// call per key.
func TestEmulatorConcurrentCustomerGatewayCreatesGroupCommit(t *testing.T) {
	for mode, faults := range faultModes {
		t.Run(mode, func(t *testing.T) {
			ctx := testCtx(t)
			e := newEmu(t, faults, nil)
			m, objs := sharedCGWs("cgw", 6)
			d := newDriver(m, e.url, nil)
			t.Cleanup(func() { _ = d.Close() })
			got, errs := createAll(ctx, d, objs)
			for i, err := range errs {
				if err != nil {
					t.Fatalf("%s: %v", objs[i].Key, err)
				}
			}
			ids := liveCGWs(ctx, t, e)
			if len(ids) != 1 {
				t.Fatalf("EC2 holds customer gateways %v, want one", ids)
			}
			for i, o := range got {
				if o.ID != ids[0] || o.Key != objs[i].Key || o.Attrs["ip_address"] != "198.51.100.7" || o.Attrs["bgp_asn"] != "65010" {
					t.Errorf("create of %s returned %v %v", objs[i].Key, o.Key, o.ID)
				}
			}
			observed, err := d.Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
			if err != nil {
				t.Fatal(err)
			}
			owners := map[string]int{}
			for _, o := range observed {
				if o.Kind == "aws_customer_gateway" && o.ID == ids[0] {
					owners[o.Key]++
				}
			}
			for _, o := range objs {
				if owners[o.Key] != 1 {
					t.Errorf("%s is reported %d times as an owner", o.Key, owners[o.Key])
				}
			}
			creates := e.inj.CountersFor("CreateCustomerGateway").Requests
			tags := e.inj.CountersFor("CreateTags").Requests
			t.Logf("%d keys: %d CreateCustomerGateway, %d CreateTags, %d mutating calls in all",
				len(objs), creates, tags, e.inj.Counters().Mutating)
			if mode == "clean" && (creates > 2 || tags > 2) {
				t.Errorf("%d CreateCustomerGateway and %d CreateTags for %d keys of one gateway; want at most 2 of each",
					creates, tags, len(objs))
			}
		})
	}
}

// Concurrent creates of a gateway another mesh owns fail, every one of
// them, naming the owner, and change nothing.
func TestEmulatorConcurrentCustomerGatewayCreatesOfAnotherMesh(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m, objs := sharedCGWs("first", 1)
	if _, err := newDriver(m, e.url, nil).Create(ctx, objs[0], nil); err != nil {
		t.Fatal(err)
	}
	other, objs := sharedCGWs("other", 4)
	d := newDriver(other, e.url, nil)
	t.Cleanup(func() { _ = d.Close() })
	_, errs := createAll(ctx, d, objs)
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), `mesh "first" owns`) ||
			!strings.HasPrefix(err.Error(), "creating EC2 Customer Gateway ("+objs[i].Key+")") {
			t.Errorf("%s: error %v", objs[i].Key, err)
		}
	}
	if n := e.inj.CountersFor("CreateTags").Requests; n != 0 {
		t.Errorf("%d CreateTags on another mesh's gateway", n)
	}
	observed, err := d.Observe(ctx, driver.Scope{Mesh: other.Name, Sites: awsSites(other)})
	if err != nil || len(observed) != 0 {
		t.Errorf("mesh other observes %v (%v)", observed, err)
	}
}

// A batch's create whose reply was lost is looked up, not sent again, and
// the gateway it made is claimed for every key of the batch.
func TestCustomerGatewayBatchAdoptsAfterALostReply(t *testing.T) {
	f, srv := newFakeEC2(t)
	var mu sync.Mutex
	var tags [][2]string // nil: no gateway yet
	item := func() string {
		var b strings.Builder
		for _, kv := range tags {
			fmt.Fprintf(&b, "<item><key>%s</key><value>%s</value></item>", kv[0], kv[1])
		}
		return `<customerGatewayId>cgw-1</customerGatewayId><state>available</state><type>ipsec.1</type>` +
			`<ipAddress>198.51.100.7</ipAddress><bgpAsn>65010</bgpAsn><tagSet>` + b.String() + `</tagSet>`
	}
	f.handlers["CreateCustomerGateway"] = func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		if tags == nil {
			for i := 1; r.PostForm.Get(fmt.Sprintf("TagSpecification.1.Tag.%d.Key", i)) != ""; i++ {
				p := fmt.Sprintf("TagSpecification.1.Tag.%d.", i)
				tags = append(tags, [2]string{r.PostForm.Get(p + "Key"), r.PostForm.Get(p + "Value")})
			}
		}
		body := item()
		mu.Unlock()
		if n == 1 {
			dropReply(w) // applied, answer lost
			return
		}
		ec2Reply(w, "CreateCustomerGateway", "<customerGateway>"+body+"</customerGateway>")
	}
	f.handlers["CreateTags"] = func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		for i := 1; r.PostForm.Get(fmt.Sprintf("Tag.%d.Key", i)) != ""; i++ {
			p := fmt.Sprintf("Tag.%d.", i)
			tags = append(tags, [2]string{r.PostForm.Get(p + "Key"), r.PostForm.Get(p + "Value")})
		}
		mu.Unlock()
		ec2Reply(w, "CreateTags", "<return>true</return>")
	}
	f.handlers["DescribeCustomerGateways"] = func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		set := ""
		if tags != nil {
			set = "<item>" + item() + "</item>"
		}
		mu.Unlock()
		ec2Reply(w, "DescribeCustomerGateways", "<customerGatewaySet>"+set+"</customerGatewaySet>")
	}
	d := testDriver(srv.URL, nil)
	t.Cleanup(func() { _ = d.Close() })
	var objs []plan.Object
	for _, name := range []string{"x", "y", "z"} {
		objs = append(objs, plan.Object{Key: plan.Key("aws", "a", "customer_gateway", name), Kind: "aws_customer_gateway", Cloud: "aws", Site: "a",
			Attrs: map[string]string{"bgp_asn": "65010", "ip_address": "198.51.100.7", "type": "ipsec.1"}})
	}
	got, errs := createAll(testCtx(t), d, objs)
	for i, err := range errs {
		if err != nil || got[i].ID != "cgw-1" || got[i].Key != objs[i].Key {
			t.Errorf("%s: %v %v", objs[i].Key, got[i], err)
		}
	}
	if n := f.counts["CreateCustomerGateway"]; n != 1 {
		t.Errorf("%d creates sent (%v); want 1, whose lost reply is found by a lookup", n, f.actions())
	}
	mu.Lock()
	owners := ownerKeys(tagMap(func() (out []types.Tag) {
		for _, kv := range tags {
			out = append(out, types.Tag{Key: awssdk.String(kv[0]), Value: awssdk.String(kv[1])})
		}
		return out
	}()))
	mu.Unlock()
	if len(owners) != len(objs) {
		t.Errorf("owners %v, want all %d keys", owners, len(objs))
	}
}
