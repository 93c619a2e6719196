// Package acctest is the acceptance-test harness of the crosslink provider:
// the Terraform-compatible CLI the tests drive (found through the
// environment that `make testacc` sets up), and later the cloud emulators,
// the lab hosts in network namespaces, the fault-injecting proxy and the
// Kubernetes API servers the tests run against.
//
// Acceptance tests (TestAcc*) live here and in provider/ (*_acc_test.go).
// They run only with TF_ACC set; then they must not skip for want of a CLI:
// call PreCheck from every TestCase, which fails the test when
// TF_ACC_TERRAFORM_PATH is missing or not executable.
//
// Provider factories stay out of this package (they would make it import
// provider/, and provider/'s tests import this package): each test package
// builds its own from provider.New.
package acctest
