package gcp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// testSecrets gives every tunnel a fixed, valid, distinct PSK.
type testSecrets struct{}

func (testSecrets) PSK(tunnel string) (string, error) {
	sum := sha256.Sum256([]byte("psk:" + tunnel))
	return "Psk" + hex.EncodeToString(sum[:12]), nil
}

// calls counts requests by method and collection ("PATCH routers").
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.n[r.Method+" "+collectionOf(r.URL.Path)]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (c *calls) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func (c *calls) reset() {
	c.mu.Lock()
	c.n = map[string]int{}
	c.mu.Unlock()
}

// collectionOf is the collection a Compute path addresses:
// /compute/v1/projects/p/regions/r/routers/x → "routers".
func collectionOf(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i := 3; i < len(parts); i++ {
		switch parts[i-1] {
		case "regions":
			if i+1 < len(parts) {
				return parts[i+1]
			}
		case "global", "aggregated":
			return parts[i]
		}
	}
	return p
}

// env is one emulator behind fault injection and a request counter, and
// a driver pointed at it.
type env struct {
	fe    *gce.Frontend
	inj   *store.Injector
	calls *calls
	url   string
	mesh  *topology.Mesh
	d     *Driver
}

const (
	projA = "proj-a" // the driver's default project (site gcp-a)
	projB = "proj-b" // named by site gcp-b's network_id
)

func newEnv(t *testing.T, m *topology.Mesh, o gce.Options, cfg Config) *env {
	t.Helper()
	st := store.New(store.Options{Seed: 7})
	fe := gce.New(st, nil, o)
	for _, s := range []struct {
		project string
		n       gce.Network
	}{
		{projA, gce.Network{Name: "prod", Subnets: []gce.Subnet{{Name: "prod-euw1", Region: "europe-west1", CIDR: "10.1.0.0/16"}}}},
		{projB, gce.Network{Name: "core", Subnets: []gce.Subnet{{Name: "core-usc1", Region: "us-central1", CIDR: "10.2.0.0/16"}}}},
	} {
		if err := fe.SeedNetwork(s.project, s.n); err != nil {
			t.Fatal(err)
		}
	}
	inj := store.NewInjector(store.Faults{}, nil)
	inj.Account = fe.Account
	e := &env{fe: fe, inj: inj, calls: &calls{n: map[string]int{}}, mesh: m}
	srv := httptest.NewServer(e.calls.wrap(store.Middleware(fe.Handler(), inj, fe.Classify, fe.WriteThrottle, fe.Write5xx)))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	cfg.Endpoint, cfg.Project = srv.URL, projA
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 5 * time.Millisecond
	}
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond = 2000
	}
	e.d = New(m, cfg)
	t.Cleanup(func() { _ = e.d.Close() })
	return e
}

func (e *env) scope() driver.Scope {
	var sites []string
	for _, s := range e.mesh.Sites {
		if s.Cloud == topology.GCP {
			sites = append(sites, s.Name)
		}
	}
	return driver.Scope{Mesh: e.mesh.Name, Sites: sites}
}

func (e *env) observe(t *testing.T) []plan.Object {
	t.Helper()
	obs, err := e.d.Observe(context.Background(), e.scope())
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	return obs
}

// converge plans desired against what Observe reports and runs the plan
// with the engine, allowing it no retries: the driver must absorb faults.
func (e *env) converge(t *testing.T, desired []plan.Object) engine.Report {
	t.Helper()
	g, err := plan.Diff(desired, e.observe(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := engine.Run(context.Background(), g, map[string]driver.Driver{"gcp": e.d}, testSecrets{},
		engine.Options{Parallelism: 64, Retry: engine.Retry{MaxAttempts: 1}})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return rep
}

// inSync asserts that what Observe reports needs nothing done: every
// desired attribute is reported with its value, one object per key.
func (e *env) inSync(t *testing.T, desired []plan.Object) []plan.Object {
	t.Helper()
	obs := e.observe(t)
	known := map[string]bool{}
	for _, o := range desired {
		known[o.Key] = true
	}
	g, err := plan.Diff(desired, obs, known)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() > 0 {
		byKey := map[string]plan.Object{}
		for _, o := range obs {
			byKey[o.Key] = o
		}
		for _, a := range g.Actions() {
			t.Errorf("%s: desired %v, observed %v", a.ID, a.Desired.Attrs, byKey[a.Key].Attrs)
		}
		t.FailNow()
	}
	return obs
}

func keysOf(objs []plan.Object) []string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.Key)
	}
	sort.Strings(ks)
	return ks
}

func countKinds(objs []plan.Object) string {
	n := map[string]int{}
	for _, o := range objs {
		n[o.Kind]++
	}
	return fmt.Sprint(n)
}

// resolvedFrom resolves o's references against observed objects.
func resolvedFrom(t *testing.T, o plan.Object, obs []plan.Object) map[string]string {
	t.Helper()
	byKey := map[string]plan.Object{}
	for _, x := range obs {
		byKey[x.Key] = x
	}
	r, ok := plan.Resolve(o, func(k string) (plan.Object, bool) { x, ok := byKey[k]; return x, ok })
	if !ok {
		t.Fatalf("%s: unresolved references in %v", o.Key, r.Attrs)
	}
	return r.Attrs
}

func withAttrs(o plan.Object, attrs map[string]string) plan.Object {
	o.Attrs = attrs
	return o
}

func scopeOf(mesh string, sites ...string) driver.Scope {
	return driver.Scope{Mesh: mesh, Sites: sites}
}
