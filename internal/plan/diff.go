package plan

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Diff compares what the clouds must hold with what they hold and returns the
// actions that close the gap, as a validated DAG. It is pure.
//
// Objects are matched by Key. Per desired key:
//   - not observed: create;
//   - observed with every desired attribute equal (extra observed attributes
//     are ignored): nothing, or adopt when the key is not in known (a crashed
//     apply made it but state never recorded it);
//   - differing only in attributes its kind updates in place: update;
//   - otherwise: replace, a delete then a create.
//
// References ("${key.attr}", see Resolve) are compared by value: one to an
// object that stays is resolved from what the cloud reports, one to an
// object yet to be created, or to a value an update changes, is unknown and
// counts as a change; the engine resolves it once that object is done. An
// object that needs (depends on or refers to) an object being replaced is
// replaced too, transitively: its reference goes stale, and the old object
// cannot be deleted while it still points there. Observed objects that are
// not desired are deleted.
//
// Two observed objects with one key (a crash between create and recording, or
// a retried create that was not idempotent) are one too many: Diff keeps the
// one that needs the least work (equal, then updatable, then replaceable) and
// among those the lowest ID, and deletes the rest. The rule is deterministic
// and never replaces an object when a duplicate already matches.
func Diff(desired, observed []Object, known map[string]bool) (*Graph, error) {
	want, needs, order, err := indexDesired(desired)
	if err != nil {
		return nil, err
	}
	byKey, err := groupObserved(observed)
	if err != nil {
		return nil, err
	}
	p := &planner{want: want, needs: needs, byKey: byKey, known: known, decided: map[string]*decision{}}
	// Dependencies first, so a reference's target is decided before it is read.
	for _, key := range order {
		p.decide(key)
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		if _, ok := want[key]; !ok {
			objs := slices.SortedFunc(slices.Values(byKey[key]), func(a, b Object) int { return cmp.Compare(a.ID, b.ID) })
			p.orphans = append(p.orphans, objs[0])
			p.extras = append(p.extras, objs[1:]...)
		}
	}
	return p.build()
}

// decision is what Diff makes of one desired key.
type decision struct {
	op Op // "" when nothing is to be done
	// desired has its references resolved as far as the plan can know them.
	desired Object
	kept    Object // the observed object matched, if any
	// changed holds the attributes that differ; unknown values count.
	changed map[string]bool
}

type planner struct {
	want    map[string]Object
	needs   map[string][]string // key → keys it depends on or refers to, sorted
	byKey   map[string][]Object
	known   map[string]bool
	decided map[string]*decision
	orphans []Object // observed, not desired: deleted
	extras  []Object // duplicates beyond the kept one: deleted
}

func (p *planner) decide(key string) {
	resolved, _ := Resolve(p.want[key], p.view)
	dec := &decision{desired: resolved}
	p.decided[key] = dec
	cands := p.byKey[key]
	if len(cands) == 0 {
		dec.op = OpCreate
		return
	}
	type scored struct {
		o       Object
		op      Op
		changed map[string]bool
	}
	rank := map[Op]int{"": 0, OpUpdate: 1, OpReplace: 2}
	var ss []scored
	for _, o := range cands {
		op, changed := compare(resolved, o)
		ss = append(ss, scored{o, op, changed})
	}
	slices.SortFunc(ss, func(a, b scored) int {
		return cmp.Or(cmp.Compare(rank[a.op], rank[b.op]), cmp.Compare(a.o.ID, b.o.ID))
	})
	for _, s := range ss[1:] {
		p.extras = append(p.extras, s.o)
	}
	dec.kept, dec.op, dec.changed = ss[0].o, ss[0].op, ss[0].changed
	for _, n := range p.needs[key] {
		if d := p.decided[n]; d.op == OpReplace && !kindRegistry[d.desired.Kind].StableID {
			dec.op = OpReplace
		}
	}
	if dec.op == "" && !p.known[key] {
		dec.op = OpAdopt
	}
}

// view is what a reference to key can know at plan time: nothing for an
// object about to be (re)created; for one that stays (or is replaced under
// a stable ID), what the cloud reports, overlaid with what the change sets,
// minus what the change makes unknown.
func (p *planner) view(key string) (Object, bool) {
	dec, ok := p.decided[key]
	if !ok || dec.op == OpCreate || (dec.op == OpReplace && !kindRegistry[dec.desired.Kind].StableID) {
		return Object{}, false
	}
	v := dec.kept
	if dec.op != OpUpdate && dec.op != OpReplace {
		return v, true
	}
	v.Attrs = maps.Clone(v.Attrs)
	if v.Attrs == nil {
		v.Attrs = map[string]string{}
	}
	for k, val := range dec.desired.Attrs {
		if strings.Contains(val, "${") {
			delete(v.Attrs, k)
		} else {
			v.Attrs[k] = val
		}
	}
	for attr, source := range kindRegistry[v.Kind].Derived {
		if dec.changed[source] {
			delete(v.Attrs, attr)
		}
	}
	return v, true
}

// compare classifies the difference between desired d (references resolved
// where known) and observed o: "" when o holds every desired attribute,
// OpUpdate when all differences are in place for d's kind, else OpReplace.
// A value still holding a reference is unknown, hence a difference.
func compare(d, o Object) (Op, map[string]bool) {
	if d.Kind != o.Kind || d.Cloud != o.Cloud {
		return OpReplace, nil
	}
	spec := kindRegistry[d.Kind]
	op, changed := Op(""), map[string]bool{}
	for k, v := range d.Attrs {
		if ov, ok := o.Attrs[k]; ok && ov == v && !strings.Contains(v, "${") {
			continue
		}
		changed[k] = true
		if op == "" {
			op = OpUpdate
		}
		if !spec.UpdatableInPlace(k) {
			op = OpReplace
		}
	}
	return op, changed
}

// build turns per-key decisions into the action graph.
//
// Ordering: a create, update or adopt waits for those of what it needs; a
// replacement's create waits for its delete; a delete waits for the deletes
// of the objects that need it (by observed Deps, or desired needs) and for
// the updates that drop a reference to it. Nothing else is ordered, so
// deletes of objects no longer wanted run alongside unrelated work.
func (p *planner) build() (*Graph, error) {
	g := NewGraph()
	ids := map[string][]string{}     // decided key → its action IDs
	apply := map[string]string{}     // key → ID of its create/update/adopt
	deletes := map[string][]string{} // key → IDs of deletes of objects with that key
	var dels []Action
	var errs []error
	add := func(a Action) {
		if err := g.Add(a); err != nil {
			errs = append(errs, err)
			return
		}
		if a.Op == OpDelete {
			deletes[a.Key] = append(deletes[a.Key], a.ID)
			dels = append(dels, a)
		} else {
			apply[a.Key] = a.ID
		}
	}
	dep := func(id, on string) {
		if err := g.AddDep(id, on); err != nil {
			errs = append(errs, err)
		}
	}

	for _, key := range slices.Sorted(maps.Keys(p.decided)) {
		dec := p.decided[key]
		switch dec.op {
		case "":
		case OpReplace:
			del := Action{ID: "delete:" + key, Op: OpDelete, Key: key, Replace: true, Desired: dec.desired, Observed: dec.kept}
			cr := Action{ID: "create:" + key, Op: OpCreate, Key: key, Replace: true, Desired: dec.desired, Observed: dec.kept}
			add(del)
			add(cr)
			dep(cr.ID, del.ID)
			ids[key] = []string{del.ID, cr.ID}
		default:
			a := Action{ID: string(dec.op) + ":" + key, Op: dec.op, Key: key, Desired: dec.desired, Observed: dec.kept}
			add(a)
			ids[key] = []string{a.ID}
		}
	}
	for _, o := range p.orphans {
		add(Action{ID: "delete:" + o.Key, Op: OpDelete, Key: o.Key, Observed: o})
	}
	for _, o := range p.extras {
		add(Action{ID: "delete:" + o.Key + "@" + o.ID, Op: OpDelete, Key: o.Key, Duplicate: true, Observed: o})
	}

	for key, id := range apply {
		for _, n := range p.needs[key] {
			if on, ok := apply[n]; ok {
				dep(id, on)
			}
		}
	}
	for _, del := range dels {
		// The union: the cloud's view is authoritative for what the old
		// object references; the desired one covers a driver that reports none.
		for _, n := range append(slices.Clone(del.Observed.Deps), p.needs[del.Key]...) {
			for _, depDel := range deletes[n] {
				if depDel != del.ID {
					dep(depDel, del.ID)
				}
			}
		}
	}
	for key, dec := range p.decided {
		if dec.op != OpUpdate {
			continue
		}
		for _, n := range dec.kept.Deps {
			if slices.Contains(p.needs[key], n) {
				continue
			}
			for _, depDel := range deletes[n] {
				dep(depDel, apply[key])
			}
		}
	}
	p.stageRotations(g, ids, dep)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

// indexDesired checks the desired objects, indexes them by key, and returns
// what each needs and an order with every object after what it needs. Every
// problem is reported, so a compiler bug shows whole.
func indexDesired(desired []Object) (map[string]Object, map[string][]string, []string, error) {
	want := make(map[string]Object, len(desired))
	var errs []error
	for _, d := range desired {
		if err := checkObject("desired", d); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := want[d.Key]; dup {
			errs = append(errs, fmt.Errorf("plan: desired object %s appears twice", d.Key))
			continue
		}
		want[d.Key] = d
	}
	keys := slices.Sorted(maps.Keys(want))
	needs := make(map[string][]string, len(want))
	for _, key := range keys {
		d := want[key]
		for _, dep := range d.Deps {
			if _, ok := want[dep]; !ok {
				errs = append(errs, fmt.Errorf("plan: desired object %s depends on %s, which is not desired", key, dep))
			}
		}
		refs := refKeys(d)
		for _, r := range refs {
			if _, ok := want[r]; !ok {
				errs = append(errs, fmt.Errorf("plan: desired object %s refers to %s, which is not desired", key, r))
			}
		}
		needs[key] = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(d.Deps), refs...))))
	}
	if len(errs) > 0 {
		return nil, nil, nil, errors.Join(errs...)
	}
	// Checked here, not only on the graph: a cycle among objects that need
	// no action would never reach it.
	next := func(key string) []string { return needs[key] }
	if c := findCycle(keys, next); c != nil {
		return nil, nil, nil, fmt.Errorf("plan: desired objects need each other in a cycle: %s", strings.Join(c, " -> "))
	}
	return want, needs, topoSort(keys, next), nil
}

// refKeys lists the keys o's attributes refer to, parsed as Resolve does.
func refKeys(o Object) []string {
	var keys []string
	Resolve(o, func(key string) (Object, bool) {
		keys = append(keys, key)
		return Object{}, false
	})
	return keys
}

// groupObserved checks the observed objects and groups them by key. The same
// cloud object listed twice (an overlap between pages) counts once.
func groupObserved(observed []Object) (map[string][]Object, error) {
	byKey := map[string][]Object{}
	var errs []error
	for _, o := range observed {
		if err := checkObject("observed", o); err != nil {
			errs = append(errs, err)
			continue
		}
		if o.ID == "" {
			errs = append(errs, fmt.Errorf("plan: observed object %s has no ID", o.Key))
			continue
		}
		if slices.ContainsFunc(byKey[o.Key], func(p Object) bool { return p.ID == o.ID }) {
			continue
		}
		byKey[o.Key] = append(byKey[o.Key], o)
	}
	return byKey, errors.Join(errs...)
}

func checkObject(what string, o Object) error {
	if o.Key == "" {
		return fmt.Errorf("plan: %s %s object %q has no key", what, o.Kind, o.ID)
	}
	spec, ok := kindRegistry[o.Kind]
	if !ok {
		return fmt.Errorf("plan: %s object %s has unknown kind %q", what, o.Key, o.Kind)
	}
	if o.Cloud != spec.Cloud {
		return fmt.Errorf("plan: %s object %s: kind %s belongs to cloud %q, not %q", what, o.Key, o.Kind, spec.Cloud, o.Cloud)
	}
	return nil
}
