package gcp

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	gax "github.com/googleapis/gax-go/v2"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/googleapi"
)

// maxAttempts bounds the driver's own retries of one call. With the
// backoff below they span at most about half a minute, long enough to ride out a
// throttling burst and short enough to hand a dead endpoint back to the
// engine.
const maxAttempts = 12

// newBackoff is a variable so that tests can run retries fast.
var newBackoff = func() gax.Backoff {
	return gax.Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second, Multiplier: 2}
}

// retry runs f until it succeeds, fails for good, or runs out of attempts.
// Mutations may be retried too: the caller keeps their requestId, so the
// server applies a retried request once.
func retry(ctx context.Context, f func() error) error {
	bo := newBackoff()
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || attempt == maxAttempts || !transient(err) || ctx.Err() != nil {
			return err
		}
		if gax.Sleep(ctx, bo.Pause()) != nil {
			return err
		}
	}
}

// transient says whether re-sending the same request may succeed:
// throttling, a server error, or a reply lost with its connection.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var oe *opError
	if errors.As(err, &oe) {
		// The request was accepted and its operation failed: sending it
		// again with the same requestId returns the same failure.
		return false
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return retryableStatus(ge.Code, err)
	}
	return connectionError(err)
}

func retryableStatus(code int, err error) bool {
	switch code {
	case 429, 500, 502, 503, 504:
		return true
	case 403:
		return rateLimited(err)
	}
	return false
}

// rateLimited recognizes GCP's per-minute quota refusal, a 403 that only
// its reason tells apart from a permission error.
func rateLimited(err error) bool {
	limited := []string{"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		for _, e := range ge.Errors {
			if slices.Contains(limited, e.Reason) {
				return true
			}
		}
	}
	var ae *apierror.APIError
	if errors.As(err, &ae) && slices.Contains(limited, ae.Reason()) {
		return true
	}
	var oe *opError
	return errors.As(err, &oe) && slices.ContainsFunc(oe.reasons, func(r string) bool { return slices.Contains(limited, r) })
}

// connectionError: the request may or may not have reached the server and
// no reply came back.
func connectionError(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || strings.Contains(err.Error(), "server closed idle connection")
}

// Retryable tells the engine which errors are worth another attempt:
// throttling, server errors (also of failed operations) and lost
// connections; not 400, 404 or 409.
func (d *Driver) Retryable(err error) bool {
	var s *scrubbed
	if errors.As(err, &s) {
		return s.retry
	}
	var oe *opError
	if errors.As(err, &oe) {
		return retryableStatus(oe.code, err)
	}
	return transient(err)
}

// httpStatus is the HTTP status an error carries, 0 when none.
func httpStatus(err error) int {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.code
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

func hasReason(err error, reasons ...string) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		for _, e := range ge.Errors {
			if slices.Contains(reasons, e.Reason) {
				return true
			}
		}
	}
	var oe *opError
	return errors.As(err, &oe) && slices.ContainsFunc(oe.reasons, func(r string) bool { return slices.Contains(reasons, r) })
}

func isNotFound(err error) bool {
	return httpStatus(err) == 404 || hasReason(err, "notFound", "RESOURCE_NOT_FOUND")
}

func isAlreadyExists(err error) bool {
	return httpStatus(err) == 409 || hasReason(err, "alreadyExists", "RESOURCE_ALREADY_EXISTS")
}

// scrubbed replaces an error whose text would show a secret.
type scrubbed struct {
	msg   string
	retry bool
}

func (s *scrubbed) Error() string { return s.msg }

// scrub returns err with secret cut out of its text; the original is not
// kept (unwrapping it would show the secret again), only whether it was
// retryable.
func (d *Driver) scrub(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &scrubbed{msg: strings.ReplaceAll(err.Error(), secret, "[redacted]"), retry: d.Retryable(err)}
}
