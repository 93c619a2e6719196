package cloudbench

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Class groups actions that should take the same time in isolation: one
// operation on one kind of object in one cloud.
type Class struct {
	Cloud, Kind string
	Op          plan.Op
}

func (c Class) String() string { return string(c.Op) + " " + c.Kind }

// ClassOf is an action's class.
func ClassOf(a plan.Action) Class {
	o := a.Object()
	return Class{Cloud: o.Cloud, Kind: o.Kind, Op: a.Op}
}

// Timing is the analysis of one apply: its makespan against the critical
// path of its DAG, and where the difference went.
type Timing struct {
	Makespan time.Duration
	// CritMin is the critical path with each action costing the shortest
	// Elapsed any action of its class had in this run: an estimate of its
	// isolated duration (same latency, delays and poll schedule, no
	// waiting for pacers, batches or the engine's parallelism), so a lower
	// bound of the makespan up to the noise of that minimum.
	CritMin time.Duration
	// CritIsolated is the critical path with each class costing its
	// duration alone: the shorter of the calibration's (Isolated) and the
	// run's minimum, as both are measurements of at least that duration
	// (a single calibration sample carries the waiters' poll jitter);
	// zero when no calibration was given.
	CritIsolated time.Duration
	// CritOwn is the critical path with each action's own Elapsed: what
	// the makespan would be with unbounded parallelism and the same call
	// durations (slow calls included).
	CritOwn time.Duration
	// Busy is the sum of every action's Elapsed: divided by the engine's
	// parallelism, the makespan that its slots alone impose.
	Busy time.Duration
	// MinChain and IsoChain are the chains that give CritMin and
	// CritIsolated.
	MinChain, IsoChain []plan.Action
	// LastChain is the chain that set the makespan: from the action that
	// finished last, back through the dependency each waited for longest.
	LastChain []Step
	// Classes summarise each class's Elapsed and queueing.
	Classes []ClassStats
	// Min is the shortest Elapsed per class; Isolated the calibration's.
	Min, Isolated map[Class]time.Duration
}

// Step is one action of LastChain.
type Step struct {
	Action plan.Action
	// Ready is when its last dependency finished (or the run started);
	// Queued is how long it then waited for a slot of the engine.
	Ready, Queued, Elapsed time.Duration
}

// ClassStats summarises one class's actions.
type ClassStats struct {
	Class                  Class
	N                      int
	Min, Median, Max, Mean time.Duration
	// Queued is the mean time its actions waited, ready, for an engine slot.
	Queued time.Duration
}

// Analyze times an apply; isolated, when not nil, are the classes'
// durations alone (Isolated). It fails if the graph's own CriticalPath and
// this package's chain disagree (one of them would be wrong).
func Analyze(a *Applied, isolated map[Class]time.Duration) (Timing, error) {
	t := Timing{Makespan: a.Makespan, Min: map[Class]time.Duration{}, Isolated: isolated}
	done := map[string]engine.Done{}
	for _, d := range a.Done {
		done[d.Action.ID] = d
		t.Busy += d.Elapsed
		c := ClassOf(d.Action)
		if m, ok := t.Min[c]; !ok || d.Elapsed < m {
			t.Min[c] = d.Elapsed
		}
	}
	for _, act := range a.Graph.Actions() {
		if _, ok := done[act.ID]; !ok {
			return t, fmt.Errorf("action %s never finished", act)
		}
	}
	minCost := func(x plan.Action) time.Duration { return t.Min[ClassOf(x)] }
	ownCost := func(x plan.Action) time.Duration { return done[x.ID].Elapsed }
	var err error
	if t.CritMin, t.MinChain, err = longestChain(a.Graph, minCost); err != nil {
		return t, err
	}
	if t.CritOwn, _, err = longestChain(a.Graph, ownCost); err != nil {
		return t, err
	}
	if isolated != nil {
		for c := range t.Min {
			if _, ok := isolated[c]; !ok {
				return t, fmt.Errorf("the calibration has no %s action", c)
			}
		}
		isoCost := func(x plan.Action) time.Duration { return min(isolated[ClassOf(x)], t.Min[ClassOf(x)]) }
		if t.CritIsolated, t.IsoChain, err = longestChain(a.Graph, isoCost); err != nil {
			return t, err
		}
	}
	t.LastChain = lastChain(a, done)
	t.Classes = classStats(a, done)
	return t, nil
}

// Ratio is the makespan over the lower bound.
func (t Timing) Ratio() float64 { return t.Makespan.Seconds() / t.CritMin.Seconds() }

// longestChain is Graph.CriticalPath with the chain itself, checked
// against CriticalPath's figure.
func longestChain(g *plan.Graph, cost func(plan.Action) time.Duration) (time.Duration, []plan.Action, error) {
	order, err := g.Order()
	if err != nil {
		return 0, nil, err
	}
	finish := map[string]time.Duration{}
	prev := map[string]string{}
	var last string
	for _, a := range order {
		var start time.Duration
		for _, dep := range g.Deps(a.ID) {
			if prev[a.ID] == "" || finish[dep] > start {
				start, prev[a.ID] = finish[dep], dep
			}
		}
		finish[a.ID] = start + cost(a)
		if last == "" || finish[a.ID] > finish[last] {
			last = a.ID
		}
	}
	var chain []plan.Action
	for id := last; id != ""; id = prev[id] {
		a, _ := g.Action(id)
		chain = append(chain, a)
	}
	slices.Reverse(chain)
	if want := g.CriticalPath(cost); want != finish[last] {
		return 0, nil, fmt.Errorf("critical path: plan.Graph says %v, the chain %v", want, finish[last])
	}
	return finish[last], chain, nil
}

// lastChain walks back from the action that finished last through the
// dependency that finished last before each.
func lastChain(a *Applied, done map[string]engine.Done) []Step {
	end := func(d engine.Done) time.Duration { return d.Started.Add(d.Elapsed).Sub(a.Start) }
	var cur engine.Done
	for _, d := range a.Done {
		if end(d) > end(cur) || cur.Action.ID == "" {
			cur = d
		}
	}
	var out []Step
	for cur.Action.ID != "" {
		var ready time.Duration
		var next engine.Done
		for _, dep := range a.Graph.Deps(cur.Action.ID) {
			if d := done[dep]; end(d) >= ready {
				ready, next = end(d), d
			}
		}
		out = append(out, Step{Action: cur.Action, Ready: ready, Queued: cur.Started.Sub(a.Start) - ready, Elapsed: cur.Elapsed})
		cur = next
	}
	slices.Reverse(out)
	return out
}

func classStats(a *Applied, done map[string]engine.Done) []ClassStats {
	byClass := map[Class][]engine.Done{}
	for _, d := range a.Done {
		byClass[ClassOf(d.Action)] = append(byClass[ClassOf(d.Action)], d)
	}
	var out []ClassStats
	for c, ds := range byClass {
		el := make([]time.Duration, len(ds))
		var sum, queued time.Duration
		for i, d := range ds {
			el[i] = d.Elapsed
			sum += d.Elapsed
			ready := a.Start
			for _, dep := range a.Graph.Deps(d.Action.ID) {
				if e := done[dep].Started.Add(done[dep].Elapsed); e.After(ready) {
					ready = e
				}
			}
			queued += d.Started.Sub(ready)
		}
		slices.Sort(el)
		n := time.Duration(len(ds))
		out = append(out, ClassStats{Class: c, N: len(ds), Min: el[0], Median: el[len(el)/2], Max: el[len(el)-1],
			Mean: sum / n, Queued: queued / n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Class.Cloud != out[j].Class.Cloud {
			return out[i].Class.Cloud < out[j].Class.Cloud
		}
		return out[i].Class.String() < out[j].Class.String()
	})
	return out
}

// Report is the analysis as text for the benchmark log.
func (t Timing) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "makespan %.1fs, critical path %.1fs (minimum Elapsed per class), %.1fs (own Elapsed), ratio %.2f\n",
		t.Makespan.Seconds(), t.CritMin.Seconds(), t.CritOwn.Seconds(), t.Ratio())
	if t.CritIsolated > 0 {
		fmt.Fprintf(&b, "critical path with each class's duration alone: %.1fs, ratio %.2f\n",
			t.CritIsolated.Seconds(), t.Makespan.Seconds()/t.CritIsolated.Seconds())
	}
	b.WriteString("critical path (minimum Elapsed per class):\n")
	for _, a := range t.MinChain {
		fmt.Fprintf(&b, "  %6.2fs  %s %s\n", t.Min[ClassOf(a)].Seconds(), a.Op, a.Key)
	}
	if t.CritIsolated > 0 {
		b.WriteString("critical path (each class alone):\n")
		for _, a := range t.IsoChain {
			c := ClassOf(a)
			fmt.Fprintf(&b, "  %6.2fs  %s %s\n", min(t.Isolated[c], t.Min[c]).Seconds(), a.Op, a.Key)
		}
	}
	b.WriteString("chain that set the makespan (ready → queued → elapsed, class minimum):\n")
	var queued, excess time.Duration
	for _, s := range t.LastChain {
		m := t.Min[ClassOf(s.Action)]
		queued += s.Queued
		excess += s.Elapsed - m
		fmt.Fprintf(&b, "  ready %6.2fs  queued %5.2fs  elapsed %6.2fs (min %5.2fs)  %s %s\n",
			s.Ready.Seconds(), s.Queued.Seconds(), s.Elapsed.Seconds(), m.Seconds(), s.Action.Op, s.Action.Key)
	}
	fmt.Fprintf(&b, "  on that chain: %.1fs queued for an engine slot, %.1fs of Elapsed above the class minimum\n",
		queued.Seconds(), excess.Seconds())
	b.WriteString("per class: n, Elapsed min / median / mean / max, mean queued, alone:\n")
	for _, c := range t.Classes {
		fmt.Fprintf(&b, "  %-4s %-44s %4d  %5.2f / %5.2f / %5.2f / %5.2fs  %5.2fs  %5.2fs\n", c.Class.Cloud, c.Class, c.N,
			c.Min.Seconds(), c.Median.Seconds(), c.Mean.Seconds(), c.Max.Seconds(), c.Queued.Seconds(), t.Isolated[c.Class].Seconds())
	}
	return b.String()
}
