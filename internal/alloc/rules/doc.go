// Package rules holds the per-cloud rules crosslink allocates against, as
// data: AWS's reserved inside /30s, Azure's APIPA range, private and reserved
// ASNs, the pre-shared-key alphabet.
//
// It imports only the standard library, on purpose: topology validation,
// the emulators and alloc all check against the same rules, and topology
// cannot import alloc (alloc imports topology). Package alloc re-exports
// everything here for callers that already import it.
package rules
