// Package cloudenv is where the cloud acceptance tests and benchmarks run:
// the emulator process seeded with a VPC and GCP networks, or, with
// CROSSLINK_ACC_REAL=aws,gcp, real clouds. It renders the provider and mesh
// configurations for it and checks, through the SDKs, that tunnels are up
// and nothing is duplicated.
package cloudenv
