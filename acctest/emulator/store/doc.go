// Package store is the one mechanism every crosslink cloud emulator shares:
// an in-memory resource store with idempotent creates, ownership-tag and
// attribute filters, stable pagination, asynchronous states driven by a
// clock, per-kind validation rules, and fault injection (latency,
// throttling, 5xx, dropped replies).
//
// Why one mechanism: the behaviours the provider must survive — a retried
// create that must not duplicate, a list that spans pages while objects
// appear, a gateway still "pending", a delete refused while attached, a
// throttled or lost reply — are the same on AWS, GCP and Azure; only the
// wire format differs. Writing them once means the per-cloud front-ends
// (EC2 Query/XML, Compute REST/JSON, ARM JSON) stay thin translators and
// every cloud is tested against identical semantics.
//
// The package imports no SDK and knows no wire format. Errors are *Error
// values with a neutral Code and an HTTP status; front-ends map Code to
// the cloud's error shape (e.g. CodeNotFound → InvalidVpnConnectionID.NotFound
// on EC2, 404 notFound on GCP).
package store
