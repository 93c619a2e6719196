// Package provider is crosslink's Terraform face: the provider, its
// resources, data sources and functions. It maps schema values to the core's
// types (internal/topology and friends) and problems to diagnostics on
// attribute paths; it knows nothing of clouds and never imports an SDK.
package provider
