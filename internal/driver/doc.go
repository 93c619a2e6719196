// Package driver defines the one small interface every target (a cloud, the
// host agents, Kubernetes) implements, in the spirit of crossplane-runtime's
// ExternalClient. Subpackages hold all SDK code; nothing outside them imports
// an SDK, and they never import the Terraform framework.
package driver
