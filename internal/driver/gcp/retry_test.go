package gcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/googleapi"
)

// fastRetries makes the driver's backoff short for the test.
func fastRetries(t *testing.T) {
	t.Helper()
	old := newBackoff
	newBackoff = func() gax.Backoff {
		return gax.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond, Multiplier: 2}
	}
	t.Cleanup(func() { newBackoff = old })
}

func apiErr(code int, reason string) error {
	ge := &googleapi.Error{Code: code, Message: "m", Errors: []googleapi.ErrorItem{{Reason: reason, Message: "m"}}}
	// As the client returns it: wrapped in an APIError, then by the driver.
	ae, _ := apierror.FromError(ge)
	return fmt.Errorf("creating X (k): %w", ae)
}

func TestClassification(t *testing.T) {
	d := &Driver{}
	cases := []struct {
		name                string
		err                 error
		transient, engineOK bool
	}{
		{"429", apiErr(429, "rateLimitExceeded"), true, true},
		{"403 rate", apiErr(403, "rateLimitExceeded"), true, true},
		{"403 user rate", apiErr(403, "userRateLimitExceeded"), true, true},
		{"403 forbidden", apiErr(403, "forbidden"), false, false},
		{"500", apiErr(500, "backendError"), true, true},
		{"503", apiErr(503, ""), true, true},
		{"400", apiErr(400, "invalid"), false, false},
		{"404", apiErr(404, "notFound"), false, false},
		{"409", apiErr(409, "alreadyExists"), false, false},
		{"lost reply", fmt.Errorf("x: %w", &url.Error{Op: "Post", URL: "http://h", Err: io.EOF}), true, true},
		{"reset", fmt.Errorf("x: %w", &url.Error{Op: "Post", URL: "http://h", Err: syscall.ECONNRESET}), true, true},
		{"canceled", fmt.Errorf("x: %w", &url.Error{Op: "Post", URL: "http://h", Err: context.Canceled}), false, false},
		{"op 503", fmt.Errorf("x: %w", &opError{code: 503}), false, true},
		{"op 400", fmt.Errorf("x: %w", &opError{code: 400}), false, false},
		{"plain", errors.New("attribute missing"), false, false},
	}
	for _, c := range cases {
		if got := transient(c.err); got != c.transient {
			t.Errorf("%s: transient %v, want %v", c.name, got, c.transient)
		}
		if got := d.Retryable(c.err); got != c.engineOK {
			t.Errorf("%s: Retryable %v, want %v", c.name, got, c.engineOK)
		}
	}
	if !isAlreadyExists(apiErr(409, "alreadyExists")) || !isNotFound(apiErr(404, "notFound")) || isNotFound(apiErr(400, "x")) {
		t.Error("status helpers")
	}
}

func TestRetryBounded(t *testing.T) {
	fastRetries(t)
	n := 0
	err := retry(context.Background(), func() error { n++; return apiErr(503, "") })
	if err == nil || n != maxAttempts {
		t.Fatalf("%d attempts, %v", n, err)
	}
	n = 0
	if err := retry(context.Background(), func() error { n++; return apiErr(400, "") }); err == nil || n != 1 {
		t.Fatalf("a 400 was retried: %d attempts", n)
	}
	n = 0
	if err := retry(context.Background(), func() error {
		if n++; n < 3 {
			return apiErr(403, "rateLimitExceeded")
		}
		return nil
	}); err != nil || n != 3 {
		t.Fatalf("throttling: %d attempts, %v", n, err)
	}
}

func TestScrubHidesTheSecret(t *testing.T) {
	d := &Driver{}
	const psk = "s3cr3t-psk-value"
	ae, _ := apierror.FromError(&googleapi.Error{Code: 503, Message: "echo sharedSecret=" + psk})
	err := d.scrub(fmt.Errorf("creating: %w", ae), psk)
	if strings.Contains(err.Error(), psk) || errors.Unwrap(err) != nil {
		t.Fatalf("secret kept: %v", err)
	}
	if !d.Retryable(err) {
		t.Fatal("scrubbing lost retryability")
	}
	plain := errors.New("nothing secret")
	if d.scrub(plain, psk) != plain {
		t.Fatal("an error without the secret was replaced")
	}
}

func TestOpFailure(t *testing.T) {
	done := computepb.Operation_DONE
	if err := opFailure(&computepb.Operation{Status: &done}); err != nil {
		t.Fatalf("a clean op failed: %v", err)
	}
	err := opFailure(&computepb.Operation{Status: &done, HttpErrorStatusCode: ptr(int32(400)), HttpErrorMessage: ptr("BAD REQUEST"),
		Error: &computepb.Error{Errors: []*computepb.Errors{{Code: ptr("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE"), Message: ptr("in use by t")}}}})
	var oe *opError
	if !errors.As(err, &oe) || oe.code != 400 || !strings.Contains(err.Error(), "in use by t") || !hasReason(err, "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE") {
		t.Fatalf("got %v", err)
	}
	// An error without a status code still fails.
	if err := opFailure(&computepb.Operation{Status: &done, Error: &computepb.Error{Errors: []*computepb.Errors{{Message: ptr("x")}}}}); err == nil {
		t.Fatal("an op error without httpErrorStatusCode passed")
	}
}
