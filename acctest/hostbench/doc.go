// Package hostbench holds the benchmarks of host sites on the lab: apply
// time as the mesh grows, failover time after a link cut, and TCP
// throughput through WireGuard against the same path without it. They need
// root (network namespaces) and skip without it; `make bench` runs them.
package hostbench
