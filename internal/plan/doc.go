// Package plan holds the desired-state objects a mesh compiles to, the pure
// diff of desired against observed objects, and the action DAG that diff
// produces (create, update, replace, delete, adopt), ordered by dependencies.
//
// Pure: imports topology, alloc, routing and the standard library only; no
// I/O, no SDK.
package plan
