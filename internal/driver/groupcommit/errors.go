package groupcommit

import "errors"

// errCommitShort answers a request that its commit left unanswered: a bug
// in the driver, reported rather than taken for success.
var errCommitShort = errors.New("groupcommit: the commit returned fewer answers than requests")
