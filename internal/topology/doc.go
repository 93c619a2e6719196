// Package topology holds crosslink's model of a mesh (sites, links, the
// chosen topology) and its validation.
//
// It is pure: it imports only the standard library and small pure libraries
// (netipx), never a cloud SDK or the Terraform framework. Validation returns
// every problem at once, each tied to the attribute path it came from, so the
// provider can turn them into diagnostics on the right attribute.
package topology
