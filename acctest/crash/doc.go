// Package crash holds the crash acceptance test: the provider process is
// killed in the middle of applies (several points, creating, growing,
// rotating and destroying a mesh on the AWS and GCP emulators), and the next
// apply must converge with nothing orphaned or duplicated. It drives the
// CLI itself (acctest/tfcli), because terraform-plugin-testing serves the
// provider from inside the test process, where it cannot be killed.
package crash
