package gcp

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/googleapi"
	"google.golang.org/protobuf/proto"
)

// fakeRouters is one router document behind a slow write, as GCP's
// operations are.
type fakeRouters struct {
	mu      sync.Mutex
	doc     *computepb.Router // nil: the router does not exist
	writes  int
	puts    int
	delay   time.Duration
	invalid string // an interface name GCP refuses, found by no local check
}

func (f *fakeRouters) get(_ context.Context, r ref) (*computepb.Router, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.doc == nil {
		return nil, &googleapi.Error{Code: http.StatusNotFound, Message: "router " + r.name + " was not found"}
	}
	return proto.CloneOf(f.doc), nil
}

func (f *fakeRouters) write(_ context.Context, _ ref, doc *computepb.Router, put bool, requestID string) error {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if requestID == "" {
		return fmt.Errorf("no requestId")
	}
	for _, i := range doc.Interfaces {
		if i.GetName() == f.invalid {
			return &googleapi.Error{Code: http.StatusBadRequest, Message: "Invalid value for field 'resource.interfaces'"}
		}
	}
	if put {
		f.puts++
		f.doc = proto.CloneOf(doc)
		return nil
	}
	// PATCH replaces the lists it carries; protojson cannot carry empty ones.
	if len(doc.Interfaces) > 0 {
		f.doc.Interfaces = doc.Interfaces
	}
	if len(doc.BgpPeers) > 0 {
		f.doc.BgpPeers = doc.BgpPeers
	}
	if doc.Bgp != nil {
		f.doc.Bgp = doc.Bgp
	}
	return nil
}

var testRouter = ref{project: "p", region: "r", name: "m-site"}

// TestBatcherGroupCommits: 40 tunnels' peers with their interfaces, added
// concurrently, all land in far fewer writes than edits.
func TestBatcherGroupCommits(t *testing.T) {
	f := &fakeRouters{doc: &computepb.Router{Name: ptr("m-site")}, delay: 20 * time.Millisecond}
	b := newBatcher(context.Background(), f)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := fmt.Sprintf("169.254.%d.", i)
			errs <- b.submit(context.Background(), testRouter, put(fmt.Sprintf("peer%d-0", i), base+"0/30", base+"1", base+"2"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(f.doc.Interfaces) != n || len(f.doc.BgpPeers) != n {
		t.Fatalf("%d interfaces and %d peers landed, want %d each", len(f.doc.Interfaces), len(f.doc.BgpPeers), n)
	}
	if f.writes > n/4 {
		t.Fatalf("%d writes for %d edits: not group-committed", f.writes, n)
	}
	t.Logf("%d edits in %d writes", n, f.writes)

	// Removing everything ends in a PUT: a PATCH cannot send empty lists.
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.submit(context.Background(), testRouter, del(fmt.Sprintf("peer%d-0", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(f.doc.Interfaces)+len(f.doc.BgpPeers) != 0 || f.puts == 0 {
		t.Fatalf("left %v after deleting all, %d PUTs", f.doc, f.puts)
	}
}

// TestBatcherSplitsARefusedWrite: one edit GCP refuses fails alone; the
// others of its batch land.
func TestBatcherSplitsARefusedWrite(t *testing.T) {
	f := &fakeRouters{doc: &computepb.Router{Name: ptr("m-site")}, delay: 30 * time.Millisecond, invalid: "if-bad-0"}
	b := newBatcher(context.Background(), f)
	// The first edit occupies the router, so the rest queue into one batch.
	first := make(chan error, 1)
	go func() {
		first <- b.submit(context.Background(), testRouter, put("first-0", "169.254.100.0/30", "169.254.100.1", "169.254.100.2"))
	}()
	time.Sleep(5 * time.Millisecond)
	names := []string{"a-0", "b-0", "bad-0", "c-0", "d-0"}
	res := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = b.submit(context.Background(), testRouter, put(name, fmt.Sprintf("169.254.%d.0/30", i), fmt.Sprintf("169.254.%d.1", i), fmt.Sprintf("169.254.%d.2", i)))
		}()
	}
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, err := range res {
		if (names[i] == "bad-0") != (err != nil) {
			t.Errorf("%s: %v", names[i], err)
		}
	}
	var got []string
	for _, i := range f.doc.Interfaces {
		got = append(got, i.GetName())
	}
	slices.Sort(got)
	if want := []string{"if-a-0", "if-b-0", "if-c-0", "if-d-0", "if-first-0"}; !slices.Equal(got, want) {
		t.Fatalf("interfaces %v, want %v", got, want)
	}
}

func TestBatcherMissingRouter(t *testing.T) {
	f := &fakeRouters{}
	b := newBatcher(context.Background(), f)
	if err := b.submit(context.Background(), testRouter, del("a-0")); err != nil {
		t.Fatalf("deleting from a router that is gone: %v", err)
	}
	err := b.submit(context.Background(), testRouter, put("a-0", "169.254.0.0/30", "169.254.0.1", "169.254.0.2"))
	if err == nil || !strings.Contains(err.Error(), "projects/p/regions/r/routers/m-site does not exist") {
		t.Fatalf("adding to a router that is gone: %v", err)
	}
}

func TestBatcherCallerGivesUp(t *testing.T) {
	f := &fakeRouters{doc: &computepb.Router{}, delay: 200 * time.Millisecond}
	b := newBatcher(context.Background(), f)
	go b.submit(context.Background(), testRouter, put("a-0", "169.254.0.0/30", "169.254.0.1", "169.254.0.2"))
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.submit(ctx, testRouter, put("b-0", "169.254.1.0/30", "169.254.1.1", "169.254.1.2"))
	if err != context.DeadlineExceeded || time.Since(start) > 150*time.Millisecond {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}
