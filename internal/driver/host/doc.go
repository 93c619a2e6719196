// Package host is the driver for Linux host sites: it reaches the crosslink
// agent of each site over HTTPS with mutual TLS and lists, applies and
// deletes the site's objects there. The agent does the work on the host;
// this package only speaks its API (internal/agent/api).
package host
