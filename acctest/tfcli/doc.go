// Package tfcli runs the Terraform-compatible CLI against a build of this
// provider served through dev_overrides, as a user's machine would: the
// provider is a separate process the CLI starts, so tests can kill it in the
// middle of an apply. terraform-plugin-testing cannot do that: it serves the
// provider from inside the test process.
package tfcli
