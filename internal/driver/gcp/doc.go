// Package gcp is the driver for GCP sites: it creates, reads and deletes the
// HA VPN gateways, external VPN gateways, VPN tunnels and Cloud Routers (with
// their interfaces and BGP peers) that the plan compiler asks for, through
// the Compute Engine REST clients (cloud.google.com/go/compute/apiv1).
//
// Why it looks the way it does:
//   - Names are deterministic from (mesh, key), so a repeated insert is a 409
//     that is resolved by adopting the object whose description carries our
//     key, and every mutation carries a requestId reused on retries, so a
//     lost reply never makes a second object.
//   - Router interfaces and BGP peers are not resources but entries of the
//     router document. Changes to one router are serialized and
//     group-committed: the edits queued while one PATCH is in flight go out
//     together in the next, so many tunnels on one router cost a handful of
//     round trips.
//   - The Compute client retries neither throttling (403 rateLimitExceeded,
//     429) nor 5xx on mutations, and its operation Wait polls with GET at
//     most once a second; the driver paces per project and quota group,
//     retries, and waits with the operations' wait method (one call per
//     operation).
package gcp
