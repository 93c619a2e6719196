// Package fabric decides whether emulated tunnels would come up: it pairs
// the two halves of each tunnel, whichever clouds hold them, by their
// outside addresses and checks that they agree on the pre-shared key (IKE),
// then on inside addresses and ASNs (BGP). Front-ends report a tunnel UP
// (EC2 vgwTelemetry, GCP tunnel status and router BGP status) only when the
// fabric says so, and otherwise DOWN with its reason — so a test that sees
// UP through an SDK knows both clouds were configured consistently.
package fabric
