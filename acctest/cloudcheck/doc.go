// Package cloudcheck reads, through the real SDK clients, what acceptance
// tests assert on: whether a mesh's tunnels are UP and its BGP sessions
// established (EC2 vgwTelemetry, GCP tunnel status and router status), how
// many objects exist per ownership key (duplicates), and it can change
// things behind crosslink's back (drift). It works the same against the
// emulators and, with CROSSLINK_ACC_REAL, against real clouds.
package cloudcheck
