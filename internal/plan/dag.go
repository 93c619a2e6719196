package plan

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Op is what an action does to one cloud object.
type Op string

const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	// OpAdopt records the ID of an object that already holds what is desired
	// but that state never recorded (a crashed apply's work). No cloud call.
	OpAdopt Op = "adopt"
	// OpReplace never labels a node: a replacement is a delete node and a
	// create node, both with Action.Replace set, the create waiting for the
	// delete. Graph.Changes reports it per key.
	OpReplace Op = "replace"
)

// Action is one node of the plan: an operation on one object.
type Action struct {
	// ID is unique in the graph and stable across identical plans:
	// "<op>:<key>", or "delete:<key>@<cloud id>" for a duplicate's delete.
	ID  string
	Op  Op
	Key string
	// Replace marks the two halves of a replacement.
	Replace bool
	// Duplicate marks the delete of a second cloud object holding a key whose
	// kept object is another: state's record of the key must stay.
	Duplicate bool
	// Desired is set for everything but a plain delete; Observed for
	// everything but a create of an object that does not exist.
	Desired, Observed Object
	// AwaitUp lists tunnels (keys) a key rotation must see up again, as
	// the cloud reports them, before the action counts as done: they were
	// up before it (see rotation.go).
	AwaitUp []string
}

// Object is the object the action works on: the observed one for a delete,
// the desired one otherwise.
func (a Action) Object() Object {
	if a.Op == OpDelete {
		return a.Observed
	}
	return a.Desired
}

// String names the action the way errors and logs show it: "op kind key".
func (a Action) String() string {
	s := fmt.Sprintf("%s %s %s", a.Op, a.Object().Kind, a.Key)
	switch {
	case a.Replace:
		s += " (replace)"
	case a.Duplicate:
		s += " (duplicate " + a.Observed.ID + ")"
	}
	return s
}

// Graph is a DAG of actions. An edge from A to B means A waits for B. Every
// query is deterministic: results are sorted by action ID, never by map order.
type Graph struct {
	actions map[string]Action
	deps    map[string]map[string]bool // id → what it waits for
	rdeps   map[string]map[string]bool // id → what waits for it
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{actions: map[string]Action{}, deps: map[string]map[string]bool{}, rdeps: map[string]map[string]bool{}}
}

// Add adds an action. IDs must be non-empty and unique.
func (g *Graph) Add(a Action) error {
	if a.ID == "" {
		return fmt.Errorf("plan: action %s has no ID", a)
	}
	if _, dup := g.actions[a.ID]; dup {
		return fmt.Errorf("plan: duplicate action %s", a.ID)
	}
	g.actions[a.ID] = a
	return nil
}

// AddDep makes action id wait for action dep. dep need not be added yet:
// Validate reports a dependency that never was.
func (g *Graph) AddDep(id, dep string) error {
	if _, ok := g.actions[id]; !ok {
		return fmt.Errorf("plan: dependency of unknown action %s", id)
	}
	if g.deps[id] == nil {
		g.deps[id] = map[string]bool{}
	}
	if g.rdeps[dep] == nil {
		g.rdeps[dep] = map[string]bool{}
	}
	g.deps[id][dep] = true
	g.rdeps[dep][id] = true
	return nil
}

// Len is the number of actions.
func (g *Graph) Len() int { return len(g.actions) }

// Action returns the action with the given ID.
func (g *Graph) Action(id string) (Action, bool) {
	a, ok := g.actions[id]
	return a, ok
}

// Actions returns every action, sorted by ID.
func (g *Graph) Actions() []Action {
	out := make([]Action, 0, len(g.actions))
	for _, id := range slices.Sorted(maps.Keys(g.actions)) {
		out = append(out, g.actions[id])
	}
	return out
}

// Deps returns the IDs action id waits for, sorted.
func (g *Graph) Deps(id string) []string { return slices.Sorted(maps.Keys(g.deps[id])) }

// Dependents returns the IDs of the actions that wait for id, sorted.
func (g *Graph) Dependents(id string) []string { return slices.Sorted(maps.Keys(g.rdeps[id])) }

// Changes summarises the plan per object key, with a replacement shown as
// OpReplace. The delete of a duplicate shows only for a key with nothing
// else to do.
func (g *Graph) Changes() map[string]Op {
	out := map[string]Op{}
	for _, a := range g.Actions() {
		switch {
		case a.Replace:
			out[a.Key] = OpReplace
		case a.Duplicate:
			if out[a.Key] == "" {
				out[a.Key] = OpDelete
			}
		case out[a.Key] != OpReplace:
			out[a.Key] = a.Op
		}
	}
	return out
}

// Validate reports every dependency on an action that is not in the graph,
// and otherwise the first cycle found, named in full ("a -> b -> a").
func (g *Graph) Validate() error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(g.deps)) {
		for _, dep := range g.Deps(id) {
			if _, ok := g.actions[dep]; !ok {
				errs = append(errs, fmt.Errorf("plan: action %s depends on %s, which is not in the graph", id, dep))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if c := findCycle(slices.Sorted(maps.Keys(g.actions)), g.Deps); c != nil {
		return fmt.Errorf("plan: dependency cycle: %s", strings.Join(c, " -> "))
	}
	return nil
}

// Order returns the actions in a deterministic topological order: every
// action after all it waits for, and among those ready, the smallest ID
// first. It fails if the graph does not validate.
func (g *Graph) Order() ([]Action, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	order := make([]Action, 0, len(g.actions))
	for _, id := range topoSort(slices.Sorted(maps.Keys(g.actions)), g.Deps) {
		order = append(order, g.actions[id])
	}
	return order, nil
}

// CriticalPath is the costliest chain of dependent actions: a lower bound of
// the makespan at any parallelism (with parallelism P, the sum of all costs
// divided by P is another). It is 0 for a graph that does not validate.
func (g *Graph) CriticalPath(cost func(Action) time.Duration) time.Duration {
	order, err := g.Order()
	if err != nil {
		return 0
	}
	finish := make(map[string]time.Duration, len(order))
	var longest time.Duration
	for _, a := range order {
		var start time.Duration
		for dep := range g.deps[a.ID] {
			start = max(start, finish[dep])
		}
		finish[a.ID] = start + cost(a)
		longest = max(longest, finish[a.ID])
	}
	return longest
}

// topoSort orders acyclic nodes so that each comes after its deps (all of
// which must be among nodes), taking the smallest ready node first.
func topoSort(nodes []string, deps func(string) []string) []string {
	waiting := make(map[string]int, len(nodes))
	dependents := map[string][]string{} // built in node order, so sorted
	var ready []string
	for _, n := range nodes {
		ds := deps(n)
		waiting[n] = len(ds)
		for _, d := range ds {
			dependents[d] = append(dependents[d], n)
		}
		if len(ds) == 0 {
			ready = append(ready, n)
		}
	}
	slices.Sort(ready)
	out := make([]string, 0, len(nodes))
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, next := range dependents[n] {
			if waiting[next]--; waiting[next] == 0 {
				i, _ := slices.BinarySearch(ready, next)
				ready = slices.Insert(ready, i, next)
			}
		}
	}
	return out
}

// findCycle returns a cycle as its node list with the first node repeated at
// the end, or nil. Nodes are visited in the given order and next must return
// sorted neighbours, so the cycle found is deterministic.
func findCycle(nodes []string, next func(string) []string) []string {
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack, cycle []string
	var visit func(string) bool
	visit = func(n string) bool {
		state[n] = onStack
		stack = append(stack, n)
		for _, m := range next(n) {
			switch state[m] {
			case onStack:
				i := slices.Index(stack, m)
				cycle = append(slices.Clone(stack[i:]), m)
				return true
			case unvisited:
				if visit(m) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return false
	}
	for _, n := range nodes {
		if state[n] == unvisited && visit(n) {
			return cycle
		}
	}
	return nil
}
