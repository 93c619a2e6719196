package aws

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// fakeEC2 is a scripted EC2 endpoint for tests precisely about the wire:
// what the driver sends, in which order, after which failures. Each action
// is answered by its handler; the log records the actions received.
type fakeEC2 struct {
	mu       sync.Mutex
	log      []string
	handlers map[string]func(w http.ResponseWriter, r *http.Request, n int)
	counts   map[string]int
}

func newFakeEC2(t *testing.T) (*fakeEC2, *httptest.Server) {
	f := &fakeEC2{handlers: map[string]func(http.ResponseWriter, *http.Request, int){}, counts: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		a := r.PostForm.Get("Action")
		f.mu.Lock()
		f.log = append(f.log, a)
		f.counts[a]++
		n := f.counts[a]
		h := f.handlers[a]
		f.mu.Unlock()
		if h == nil {
			ec2Error(w, 400, "InvalidAction", "no handler for "+a)
			return
		}
		h(w, r, n)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeEC2) actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func ec2Error(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>r</RequestID></Response>`, code, msg)
}

func ec2Reply(w http.ResponseWriter, action, body string) {
	fmt.Fprintf(w, `<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>%s</%sResponse>`, action, body, action)
}

// dropReply closes the connection without an answer, as a reply lost on
// the way back.
func dropReply(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// testDriver is a driver for one AWS site "a" (us-east-1, vpc-a) against
// endpoint, tuned for fast tests.
func testDriver(endpoint string, tune func(*Config)) *Driver {
	m := &topology.Mesh{Name: "m", Sites: []topology.Site{{Name: "a", Cloud: topology.AWS, Region: "us-east-1", NetworkID: "vpc-a"}}}
	cfg := Config{Endpoint: endpoint, AccessKey: "AKID", SecretKey: "SECRET", RequestsPerSecond: 1000, Burst: 100,
		MaxAttempts: 4, MaxBackoff: time.Millisecond, PollInterval: time.Millisecond}
	if tune != nil {
		tune(&cfg)
	}
	return New(m, cfg)
}
