package store

import "time"

// Step is one timed transition: after After in the current state the
// resource moves to To.
type Step struct {
	To    string
	After time.Duration
}

// Op names the mutation a Rule is asked about.
type Op int

// Mutations rules can veto.
const (
	OpCreate Op = iota
	OpUpdate
	OpDelete
)

func (o Op) String() string { return [...]string{"create", "update", "delete"}[o] }

// Rule vetoes a mutation by returning an error (normally an *Error). old is
// nil on create, new is nil on delete. Rules run under the store lock and
// read other resources through v; they must not call the Store itself.
type Rule func(v View, op Op, old, new *Resource) error

// Kind configures one resource kind. Kind names are global to a Store, so
// prefix them with the cloud ("aws.vpn_gateway", "gcp.vpn_tunnel").
type Kind struct {
	Name   string
	Prefix string // ID prefix, e.g. "vgw-"
	IDLen  int    // hex characters after the prefix; 17 when zero (EC2 style)

	// InitialState is the state on create ("available" when empty);
	// Transitions moves a resource on by time, e.g. pending→available.
	InitialState string
	Transitions  map[string]Step

	// DeletingState, when set, is entered on Delete; a Transition from it
	// should lead to DeletedState. Empty: Delete goes straight to
	// DeletedState ("deleted" when empty).
	DeletingState string
	DeletedState  string
	// KeepDeleted is how long a deleted resource stays visible in
	// DeletedState (EC2 VPN connections linger); zero makes it vanish at
	// once (GCP answers 404).
	KeepDeleted time.Duration

	// UniqueNames rejects a second live resource with the same Name in the
	// same Scope (GCP's 409 alreadyExists).
	UniqueNames bool

	Rules []Rule
}

func (k *Kind) deletedState() string {
	if k.DeletedState == "" {
		return "deleted"
	}
	return k.DeletedState
}

func (k *Kind) initialState() string {
	if k.InitialState == "" {
		return "available"
	}
	return k.InitialState
}

// dying reports whether a resource is on its way out or gone, where
// updates and repeated deletes no longer apply.
func (k *Kind) dying(state string) bool {
	return state == k.deletedState() || (k.DeletingState != "" && state == k.DeletingState)
}
