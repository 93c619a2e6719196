// Package engine executes a plan's action DAG through the drivers: each
// action once its dependencies have succeeded and its driver has a free slot
// (a bound per driver: Options.PerDriver, the driver's own driver.Parallel,
// else Options.Parallelism), the head of the longest remaining chain first,
// retrying what a driver calls retryable with exponential backoff and
// full jitter, and reporting every finished action as it finishes so that a
// failed apply still leaves state a re-run converges from.
//
// It imports plan and driver only, never a cloud SDK: everything it knows
// about a cloud comes through the driver.Driver interface.
package engine
