package store

import (
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*Store, *ManualClock) {
	t.Helper()
	clk := NewManualClock(t0)
	s := New(Options{Clock: clk, Seed: 42})
	s.Register(Kind{Name: "aws.vpn_connection", Prefix: "vpn-",
		InitialState: "pending", DeletingState: "deleting",
		Transitions: map[string]Step{
			"pending":  {To: "available", After: 5 * time.Minute},
			"deleting": {To: "deleted", After: time.Minute},
		},
		KeepDeleted: time.Hour})
	s.Register(Kind{Name: "gcp.vpn_tunnel", Prefix: "t-", UniqueNames: true})
	return s, clk
}

func TestIDsDeterministic(t *testing.T) {
	a, _ := newStore(t)
	b, _ := newStore(t)
	ra, _, _ := a.Create(CreateRequest{Kind: "aws.vpn_connection"})
	rb, _, _ := b.Create(CreateRequest{Kind: "aws.vpn_connection"})
	if ra.ID != rb.ID || !regexp.MustCompile(`^vpn-[0-9a-f]{17}$`).MatchString(ra.ID) {
		t.Fatalf("ids %q %q", ra.ID, rb.ID)
	}
}

func TestIdempotentCreate(t *testing.T) {
	s, _ := newStore(t)
	var wg sync.WaitGroup
	ids := make([]string, 20)
	for i := range ids {
		wg.Go(func() {
			r, _, err := s.Create(CreateRequest{Kind: "aws.vpn_connection", Token: "tok-1", Fingerprint: "p"})
			if err != nil {
				t.Error(err)
			}
			ids[i] = r.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("different ids for one token: %v", ids)
		}
	}
	p, _ := s.List(ListOptions{})
	if len(p.Items) != 1 {
		t.Fatalf("want 1 resource, got %d", len(p.Items))
	}
	_, created, err := s.Create(CreateRequest{Kind: "aws.vpn_connection", Token: "tok-1", Fingerprint: "p"})
	if created || err != nil {
		t.Fatalf("repeat: created=%v err=%v", created, err)
	}
	if _, _, err := s.Create(CreateRequest{Kind: "aws.vpn_connection", Token: "tok-1", Fingerprint: "other"}); !IsCode(err, CodeIdempotentMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	// Tokens are per kind.
	if _, created, _ := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Token: "tok-1"}); !created {
		t.Fatal("token should be scoped to kind")
	}
}

func TestUniqueNames(t *testing.T) {
	s, _ := newStore(t)
	if _, _, err := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: "a", Scope: "r1"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: "a", Scope: "r1"})
	if e, ok := err.(*Error); !ok || e.Code != CodeAlreadyExists || e.HTTPStatus != http.StatusConflict {
		t.Fatalf("want 409 AlreadyExists, got %v", err)
	}
	if _, _, err := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: "a", Scope: "r2"}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Lookup("gcp.vpn_tunnel", "r1", "a"); err != nil || r.Name != "a" {
		t.Fatal(r, err)
	}
}

func TestPaginationConcurrentInserts(t *testing.T) {
	s, _ := newStore(t)
	for i := range 50 {
		s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: fmt.Sprint("pre", i), Tags: map[string]string{TagMesh: "m"}})
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: fmt.Sprint("new", i), Tags: map[string]string{TagMesh: "m"}})
		}
	})
	seen := map[string]bool{}
	tok, pages := "", 0
	for {
		p, err := s.List(ListOptions{Filter: OwnedBy("m"), PageSize: 7, PageToken: tok, Query: "mesh=m"})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range p.Items {
			if seen[r.ID] {
				t.Fatalf("duplicate %s on page %d", r.ID, pages)
			}
			seen[r.ID] = true
		}
		if p.NextToken == "" || pages > 20 {
			break
		}
		tok = p.NextToken
	}
	close(stop)
	wg.Wait()
	for i := range 50 {
		r, err := s.Lookup("gcp.vpn_tunnel", "", fmt.Sprint("pre", i))
		if err != nil || !seen[r.ID] {
			t.Fatalf("pre-existing item %d missed", i)
		}
	}
	// Without concurrent writers a full walk returns exactly everything.
	all, _ := s.List(ListOptions{})
	got := 0
	tok = ""
	for {
		p, _ := s.List(ListOptions{PageSize: 10, PageToken: tok})
		got += len(p.Items)
		if tok = p.NextToken; tok == "" {
			break
		}
	}
	if got != len(all.Items) {
		t.Fatalf("walk %d != %d", got, len(all.Items))
	}
}

func TestInvalidPageToken(t *testing.T) {
	s, _ := newStore(t)
	for range 3 {
		s.Create(CreateRequest{Kind: "gcp.vpn_tunnel"})
	}
	p, _ := s.List(ListOptions{PageSize: 1, Query: "a"})
	for _, tok := range []string{"garbage", "MTIzLmFiYw", p.NextToken + "x"} {
		if _, err := s.List(ListOptions{PageSize: 1, PageToken: tok, Query: "a"}); !IsCode(err, CodeInvalidPageToken) {
			t.Errorf("token %q: %v", tok, err)
		}
	}
	if _, err := s.List(ListOptions{PageSize: 1, PageToken: p.NextToken, Query: "b"}); !IsCode(err, CodeInvalidPageToken) {
		t.Errorf("token for another query accepted: %v", err)
	}
	if _, err := New(Options{Seed: 7}).List(ListOptions{PageToken: p.NextToken, Query: "a"}); !IsCode(err, CodeInvalidPageToken) {
		t.Errorf("token from another store accepted: %v", err)
	}
}

func TestLifecycleAndDeletedVisible(t *testing.T) {
	s, clk := newStore(t)
	r, _, _ := s.Create(CreateRequest{Kind: "aws.vpn_connection"})
	state := func() string {
		t.Helper()
		g, err := s.Get(r.ID)
		if err != nil {
			return "gone"
		}
		return g.State
	}
	steps := []struct {
		adv  time.Duration
		want string
	}{{0, "pending"}, {4 * time.Minute, "pending"}, {time.Minute, "available"}}
	for _, st := range steps {
		clk.Advance(st.adv)
		if got := state(); got != st.want {
			t.Fatalf("after %v: %s, want %s", st.adv, got, st.want)
		}
	}
	if d, err := s.Delete(r.ID); err != nil || d.State != "deleting" {
		t.Fatal(d.State, err)
	}
	if _, err := s.Update(r.ID, func(*Resource) error { return nil }); !IsCode(err, CodeIncorrectState) {
		t.Fatalf("update while deleting: %v", err)
	}
	clk.Advance(time.Minute)
	if got := state(); got != "deleted" {
		t.Fatalf("got %s", got)
	}
	p, _ := s.List(ListOptions{Filter: ByState("deleted")})
	if len(p.Items) != 1 {
		t.Fatal("deleted resource should still be listed")
	}
	clk.Advance(time.Hour)
	if got := state(); got != "gone" {
		t.Fatalf("got %s after KeepDeleted", got)
	}
}

func TestDeleteVanishes(t *testing.T) {
	s, _ := newStore(t)
	r, _, _ := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: "x"})
	if _, err := s.Delete(r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(r.ID); !IsCode(err, CodeNotFound) {
		t.Fatalf("want NotFound, got %v", err)
	}
	if _, _, err := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Name: "x"}); err != nil {
		t.Fatalf("name should be free again: %v", err)
	}
}

func TestRuleRejectsDeleteOfAttachedGateway(t *testing.T) {
	s, _ := newStore(t)
	s.Register(Kind{Name: "aws.vpn_gateway", Prefix: "vgw-", Rules: []Rule{
		func(v View, op Op, old, _ *Resource) error {
			if op != OpDelete {
				return nil
			}
			if st, _ := old.Attrs["attachment"].(string); st == "attached" || st == "attaching" || st == "detaching" {
				return Errorf("IncorrectState", 400, "gateway %s is %s", old.ID, st)
			}
			if n := len(v.Find(And(ByKind("aws.vpn_connection"), AttrEquals("vpnGatewayId", old.ID), ByState("pending", "available")))); n > 0 {
				return Errorf("IncorrectState", 400, "gateway %s is used by %d connections", old.ID, n)
			}
			return nil
		},
	}})
	g, _, _ := s.Create(CreateRequest{Kind: "aws.vpn_gateway", Attrs: map[string]any{"attachment": "attached"}})
	if _, err := s.Delete(g.ID); !IsCode(err, "IncorrectState") {
		t.Fatalf("want IncorrectState, got %v", err)
	}
	s.Update(g.ID, func(r *Resource) error { r.Attrs["attachment"] = "detached"; return nil })
	c, _, _ := s.Create(CreateRequest{Kind: "aws.vpn_connection", Attrs: map[string]any{"vpnGatewayId": g.ID}})
	if _, err := s.Delete(g.ID); !IsCode(err, "IncorrectState") {
		t.Fatalf("want IncorrectState while a connection uses it, got %v", err)
	}
	s.Delete(c.ID)
	if _, err := s.Delete(g.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCopiesDoNotAlias(t *testing.T) {
	s, _ := newStore(t)
	r, _, _ := s.Create(CreateRequest{Kind: "gcp.vpn_tunnel", Attrs: map[string]any{"l": []any{"a"}}})
	r.Attrs["l"].([]any)[0] = "z"
	r.Tags["x"] = "y"
	g, _ := s.Get(r.ID)
	if g.Attrs["l"].([]any)[0] != "a" || len(g.Tags) != 0 {
		t.Fatal("caller copy aliases stored state")
	}
}
