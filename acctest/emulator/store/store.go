package store

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Store is a concurrency-safe in-memory resource store. One mutex guards
// everything: emulators are small, and a single lock makes rules that read
// other resources trivially consistent.
type Store struct {
	mu     sync.Mutex
	clock  Clock
	rng    *rand.Rand
	secret uint64 // signs page tokens so forged or foreign tokens are rejected
	seq    uint64

	kinds  map[string]*Kind
	byID   map[string]*Resource
	order  []*Resource // ascending seq; the stable list order
	tokens map[tokenKey]tokenEntry
}

type tokenKey struct{ kind, token string }

type tokenEntry struct {
	id          string
	fingerprint string
	first       Resource // returned if the resource has since vanished
}

// Options configures a Store.
type Options struct {
	Clock Clock  // RealClock when nil
	Seed  uint64 // makes generated IDs reproducible
}

// New returns an empty store.
func New(o Options) *Store {
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	return &Store{
		clock:  o.Clock,
		rng:    rng,
		secret: rng.Uint64(),
		kinds:  map[string]*Kind{},
		byID:   map[string]*Resource{},
		tokens: map[tokenKey]tokenEntry{},
	}
}

// Clock returns the store's clock.
func (s *Store) Clock() Clock { return s.clock }

// Register adds or replaces a kind.
func (s *Store) Register(k Kind) {
	if k.IDLen == 0 {
		k.IDLen = 17
	}
	s.mu.Lock()
	s.kinds[k.Name] = &k
	s.mu.Unlock()
}

// CreateRequest describes a new resource.
type CreateRequest struct {
	Cloud, Kind, Name, Scope string
	Tags                     map[string]string
	Attrs                    map[string]any
	// ID, when set, is used instead of a generated one (e.g. ARM ids).
	ID string
	// Token is the idempotency token (EC2 ClientToken, GCP requestId):
	// a repeat with the same Kind and Token returns the first result.
	Token string
	// Fingerprint, when set, must match on a repeat; a different one is
	// CodeIdempotentMismatch (EC2's IdempotentParameterMismatch).
	Fingerprint string
}

// Create adds a resource. created is false when Token matched an earlier
// create: the earlier resource (current state) is returned instead.
func (s *Store) Create(req CreateRequest) (res Resource, created bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	k, ok := s.kinds[req.Kind]
	if !ok {
		return Resource{}, false, Errorf(CodeInvalidKind, http.StatusBadRequest, "unknown kind %q", req.Kind)
	}
	if req.Token != "" {
		if e, ok := s.tokens[tokenKey{req.Kind, req.Token}]; ok {
			if e.fingerprint != req.Fingerprint {
				return Resource{}, false, Errorf(CodeIdempotentMismatch, http.StatusBadRequest,
					"token %q was used with different parameters", req.Token)
			}
			if r := s.live(e.id, now); r != nil {
				return r.clone(), false, nil
			}
			return e.first.clone(), false, nil
		}
	}
	if k.UniqueNames && req.Name != "" {
		for _, r := range s.snapshot() {
			if r.Kind == req.Kind && r.Scope == req.Scope && r.Name == req.Name && s.advance(r, now) && r.State != k.deletedState() {
				return Resource{}, false, Errorf(CodeAlreadyExists, http.StatusConflict,
					"the resource %q already exists", req.Name)
			}
		}
	}
	id := req.ID
	if id == "" {
		id = s.newID(k)
	} else if s.byID[id] != nil {
		return Resource{}, false, Errorf(CodeAlreadyExists, http.StatusConflict, "the resource %q already exists", id)
	}
	r := &Resource{
		Cloud: req.Cloud, Kind: req.Kind, ID: id, Name: req.Name, Scope: req.Scope,
		Tags: maps.Clone(req.Tags), Attrs: cloneMap(req.Attrs),
		State: k.initialState(), CreatedAt: now, stateSince: now,
	}
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
	if err := s.check(k, OpCreate, nil, r); err != nil {
		return Resource{}, false, err
	}
	s.seq++
	r.seq = s.seq
	s.byID[id] = r
	s.order = append(s.order, r)
	if req.Token != "" {
		s.tokens[tokenKey{req.Kind, req.Token}] = tokenEntry{id: id, fingerprint: req.Fingerprint, first: r.clone()}
	}
	return r.clone(), true, nil
}

// Get returns a resource by ID, including one lingering in DeletedState.
func (s *Store) Get(id string) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.live(id, s.clock.Now()); r != nil {
		return r.clone(), nil
	}
	return Resource{}, notFound(id)
}

// Lookup finds a live resource by kind, scope and name (GCP and Azure
// address objects by name).
func (s *Store) Lookup(kind, scope, name string) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for _, r := range s.snapshot() {
		if r.Kind == kind && r.Scope == scope && r.Name == name && s.advance(r, now) {
			return r.clone(), nil
		}
	}
	return Resource{}, notFound(name)
}

// locate finds a live resource and its kind; the caller holds s.mu.
func (s *Store) locate(id string, now time.Time) (*Resource, *Kind, error) {
	r := s.live(id, now)
	if r == nil {
		return nil, nil, notFound(id)
	}
	return r, s.kinds[r.Kind], nil
}

// Update applies fn to a copy of the resource under the lock, runs the
// kind's rules and commits. ID, Kind, Cloud and CreatedAt cannot change.
// Setting State restarts the timed transitions from that state.
func (s *Store) Update(id string, fn func(r *Resource) error) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	r, k, err := s.locate(id, now)
	if err != nil {
		return Resource{}, err
	}
	if k.dying(r.State) {
		return Resource{}, Errorf(CodeIncorrectState, http.StatusBadRequest, "resource %q is %s", id, r.State)
	}
	old := r.clone()
	nw := r.clone()
	if err := fn(&nw); err != nil {
		return Resource{}, err
	}
	nw.ID, nw.Kind, nw.Cloud, nw.CreatedAt, nw.seq = r.ID, r.Kind, r.Cloud, r.CreatedAt, r.seq
	if nw.State != old.State {
		nw.stateSince = now
	}
	if nw.Tags == nil {
		nw.Tags = map[string]string{}
	}
	if err := s.check(k, OpUpdate, &old, &nw); err != nil {
		return Resource{}, err
	}
	*r = nw
	return r.clone(), nil
}

// Delete starts deleting a resource: DeletingState when the kind has one,
// else DeletedState (vanishing at once when KeepDeleted is zero). Deleting
// something already deleting or deleted succeeds without re-running rules.
func (s *Store) Delete(id string) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	r, k, err := s.locate(id, now)
	if err != nil {
		return Resource{}, err
	}
	if k.dying(r.State) {
		return r.clone(), nil
	}
	old := r.clone()
	if err := s.check(k, OpDelete, &old, nil); err != nil {
		return Resource{}, err
	}
	r.State, r.stateSince = k.deletedState(), now
	if k.DeletingState != "" {
		r.State = k.DeletingState
	}
	out := r.clone()
	s.advance(r, now) // a zero-delay chain or KeepDeleted==0 may remove it now
	return out, nil
}

// check runs the kind's rules.
func (s *Store) check(k *Kind, op Op, old, new *Resource) error {
	for _, rule := range k.Rules {
		if err := rule(View{s}, op, old, new); err != nil {
			return err
		}
	}
	return nil
}

// live returns the stored resource with its state brought up to now, or
// nil when it does not exist (any more).
func (s *Store) live(id string, now time.Time) *Resource {
	r := s.byID[id]
	if r == nil || !s.advance(r, now) {
		return nil
	}
	return r
}

// advance applies due timed transitions and removes a resource whose
// deleted time is over. It reports whether the resource is still visible.
// States are computed lazily on access, so no goroutine ticks.
func (s *Store) advance(r *Resource, now time.Time) bool {
	k := s.kinds[r.Kind]
	for i := 0; i < 64; i++ { // bound guards against a zero-delay cycle
		st, ok := k.Transitions[r.State]
		if !ok || now.Before(r.stateSince.Add(st.After)) {
			break
		}
		r.stateSince = r.stateSince.Add(st.After)
		r.State = st.To
	}
	if r.State == k.deletedState() && !now.Before(r.stateSince.Add(k.KeepDeleted)) {
		s.remove(r)
		return false
	}
	return true
}

// snapshot copies the order slice, since advance may remove entries
// while a caller iterates.
func (s *Store) snapshot() []*Resource { return append([]*Resource(nil), s.order...) }

func (s *Store) remove(r *Resource) {
	delete(s.byID, r.ID)
	i := sort.Search(len(s.order), func(i int) bool { return s.order[i].seq >= r.seq })
	if i < len(s.order) && s.order[i] == r {
		s.order = append(s.order[:i], s.order[i+1:]...)
	}
}

func (s *Store) newID(k *Kind) string {
	for {
		b := make([]byte, 0, k.IDLen)
		for len(b) < k.IDLen {
			b = fmt.Appendf(b, "%016x", s.rng.Uint64())
		}
		id := k.Prefix + string(b[:k.IDLen])
		if s.byID[id] == nil {
			return id
		}
	}
}

// View is the read-only access rules get to the store while it is locked.
type View struct{ s *Store }

// Get returns a live resource by ID.
func (v View) Get(id string) (Resource, bool) {
	if r := v.s.live(id, v.s.clock.Now()); r != nil {
		return r.clone(), true
	}
	return Resource{}, false
}

// Find returns the live resources matching f, in list order.
func (v View) Find(f Filter) []Resource {
	var out []Resource
	now := v.s.clock.Now()
	for _, r := range v.s.snapshot() {
		if v.s.advance(r, now) && (f == nil || f(r)) {
			out = append(out, r.clone())
		}
	}
	return out
}

// Read runs fn with a consistent read-only view of the whole store, for
// answers that join several resources (a tunnel's status needs both ends).
func (s *Store) Read(fn func(View)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(View{s})
}
