// Package gce is the GCP Compute Engine REST v1 front-end of crosslink's
// cloud emulator: HA VPN gateways, external VPN gateways, VPN tunnels,
// Cloud Routers, their operations, and read-only seeded networks and
// subnetworks, served as protojson so that the real
// cloud.google.com/go/compute/apiv1 REST clients (including op.Wait) work
// against it unchanged.
//
// Why: the GCP driver must be tested against something that rejects what
// real GCP rejects (bad names and labels, public ASNs, interfaces outside
// link-local /30s, deletes of gateways still in use, stale label
// fingerprints, duplicate names) and that behaves like GCP under retries
// (requestId de-duplication) and faults. The package is a thin translator:
// state, idempotent lists, timed states and fault injection come from
// acctest/emulator/store, and whether a tunnel would come up comes from
// acctest/emulator/fabric, so GCP and EC2 halves of one tunnel are judged
// by the same rules.
//
// Request bodies are decoded strictly into computepb messages (unknown
// fields are a 400, as on GCP), normalised (references become relative
// "projects/…" paths) and stored as protojson documents; replies add the
// server-owned fields (id, selfLink, creationTimestamp, status …) and turn
// references into full URLs on the caller's host.
package gce
