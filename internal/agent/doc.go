// Package agent is the crosslink host agent: the daemon a Linux host site
// runs (`terraform-provider-crosslink agent`). It serves an HTTPS API with
// mutual TLS through which the host driver lists and applies the host's
// objects of each mesh (WireGuard devices and peers, BGP sessions), keeps
// them converged (a device lost with a restart is made again), and routes at
// run time: BGP over every link, best paths in the kernel, failover without
// Terraform. WireGuard private keys are made on the host and never leave it.
//
// The agent persists only what it was asked to hold (the objects, no
// secrets) and the private keys (0600, in its state directory); everything
// it reports is read back from the system.
package agent
