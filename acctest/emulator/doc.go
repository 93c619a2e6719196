// Package emulator assembles crosslink's cloud emulators: one shared store
// and fabric (subpackages store and fabric) behind per-cloud protocol
// front-ends (ec2: EC2 Query XML; gce: Compute REST JSON), each on its own
// loopback listener wrapped in fault injection, plus a small JSON control
// API to seed networks, set faults and read call counters.
//
// Tests and `make demo` run it as a separate process
// (acctest/cmd/emulator, started with StartProcess) so the provider under
// test talks to it exactly as to a cloud: over HTTP, through the real SDK
// clients, from a process that can be killed mid-apply.
package emulator
