// Package api is the wire format between the crosslink host driver and the
// agent: JSON over HTTPS with mutual TLS. It holds types and paths only, so
// both ends share one definition and neither imports the other.
package api
