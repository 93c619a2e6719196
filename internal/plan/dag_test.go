package plan

import (
	"strings"
	"testing"
	"time"
)

func graphOf(t *testing.T, edges map[string][]string) *Graph {
	t.Helper()
	g := NewGraph()
	for id := range edges {
		if err := g.Add(Action{ID: id, Op: OpCreate, Key: id}); err != nil {
			t.Fatal(err)
		}
	}
	for id, deps := range edges {
		for _, d := range deps {
			if err := g.AddDep(id, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	return g
}

func ids(as []Action) string {
	var s []string
	for _, a := range as {
		s = append(s, a.ID)
	}
	return strings.Join(s, " ")
}

func TestValidateNamesTheCycle(t *testing.T) {
	g := graphOf(t, map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": nil})
	err := g.Validate()
	if err == nil || !strings.Contains(err.Error(), "a -> b -> c -> a") {
		t.Fatalf("Validate() = %v, want the cycle a -> b -> c -> a", err)
	}
	if _, err := g.Order(); err == nil {
		t.Error("Order accepted a cycle")
	}
	self := graphOf(t, map[string][]string{"x": {"x"}})
	if err := self.Validate(); err == nil || !strings.Contains(err.Error(), "x -> x") {
		t.Errorf("self-dependency: %v", err)
	}
}

func TestValidateNamesMissingDependency(t *testing.T) {
	g := graphOf(t, map[string][]string{"a": {"ghost"}})
	if err := g.Validate(); err == nil || !strings.Contains(err.Error(), "a depends on ghost") {
		t.Fatalf("Validate() = %v", err)
	}
	if err := g.AddDep("nobody", "a"); err == nil {
		t.Error("AddDep on an unknown action succeeded")
	}
}

func TestAddRejectsDuplicatesAndEmptyIDs(t *testing.T) {
	g := NewGraph()
	if err := g.Add(Action{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := g.Add(Action{ID: "a"}); err == nil {
		t.Error("duplicate accepted")
	}
	if err := g.Add(Action{}); err == nil {
		t.Error("empty ID accepted")
	}
}

func TestOrderIsDeterministicAndTopological(t *testing.T) {
	edges := map[string][]string{
		"d": {"b", "c"}, "b": {"a"}, "c": {"a"}, "a": nil, "e": nil, "f": {"e"},
	}
	want := "a b c d e f"
	for i := 0; i < 20; i++ { // map order differs run to run; the result must not
		order, err := graphOf(t, edges).Order()
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(order); got != want {
			t.Fatalf("Order() = %s, want %s", got, want)
		}
	}
	g := graphOf(t, edges)
	if got := strings.Join(g.Deps("d"), ","); got != "b,c" {
		t.Errorf("Deps(d) = %s", got)
	}
	if got := strings.Join(g.Dependents("a"), ","); got != "b,c" {
		t.Errorf("Dependents(a) = %s", got)
	}
	if got := ids(g.Actions()); got != "a b c d e f" {
		t.Errorf("Actions() = %s", got)
	}
}

func TestCriticalPath(t *testing.T) {
	// d waits for b and c, which wait for a; e stands alone. Longest: a b d = 1+5+1.
	g := graphOf(t, map[string][]string{"b": {"a"}, "c": {"a"}, "d": {"b", "c"}, "a": nil, "e": nil})
	cost := map[string]time.Duration{"a": 1, "b": 5, "c": 2, "d": 1, "e": 6}
	cp := g.CriticalPath(func(a Action) time.Duration { return cost[a.ID] * time.Second })
	if cp != 7*time.Second {
		t.Errorf("CriticalPath = %v, want 7s", cp)
	}
	cost["e"] = 8
	if cp := g.CriticalPath(func(a Action) time.Duration { return cost[a.ID] * time.Second }); cp != 8*time.Second {
		t.Errorf("CriticalPath = %v, want 8s", cp)
	}
	if cp := NewGraph().CriticalPath(func(Action) time.Duration { return time.Second }); cp != 0 {
		t.Errorf("empty graph: %v", cp)
	}
	cyc := graphOf(t, map[string][]string{"a": {"b"}, "b": {"a"}})
	if cp := cyc.CriticalPath(func(Action) time.Duration { return time.Second }); cp != 0 {
		t.Errorf("cyclic graph: %v", cp)
	}
}
