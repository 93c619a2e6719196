// Package cloudbench holds the speed benchmarks of the AWS and GCP drivers
// against the in-process emulators, on a 10-site two-cloud mesh
// (TwoCloud): the cloud API calls of a real `tofu plan` against the
// per-object reads one-resource-per-object modules make
// (BenchmarkRefreshPlan), and the makespan of an apply under realistic
// latency and throttling against the critical path of its DAG
// (BenchmarkApplyMakespan). They are slow: run them with -benchtime=1x.
// docs/performance.md has the figures.
package cloudbench
