// Package groupcommit serializes the writes to shared cloud objects and
// commits the requests that queue up meanwhile together.
//
// Clouds have objects that many plan actions change and that take one
// writer at a time: a GCP Cloud Router document (read, modify, write, wait
// for the operation), or an EC2 customer gateway that several plan objects
// share. Writing them once per action, one after the other, makes a large
// apply as slow as the sum of the writes; group commit makes it as slow as
// a handful of them, since the requests that arrive while one write runs
// all go out in the next. Drivers own what a commit does; this package
// owns the queueing, the answering and cancellation.
package groupcommit
