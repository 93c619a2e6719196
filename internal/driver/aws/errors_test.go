package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiErr(status int, code string) error {
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: status}}
	return &smithy.OperationError{ServiceID: "EC2", OperationName: "X", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: resp, Err: &smithy.GenericAPIError{Code: code, Message: "m"}}}}
}

func sendErr(err error) error {
	return &smithy.OperationError{ServiceID: "EC2", OperationName: "X", Err: &smithyhttp.RequestSendError{Err: err}}
}

func TestClassification(t *testing.T) {
	dial := sendErr(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")})
	for name, tc := range map[string]struct {
		err                          error
		notApplied, unknown, retries bool
	}{
		"throttled":          {apiErr(503, "RequestLimitExceeded"), true, false, true},
		"server error":       {apiErr(500, "InternalError"), false, true, true},
		"503 unavailable":    {apiErr(503, "Unavailable"), false, true, true},
		"reply lost":         {sendErr(io.EOF), false, true, true},
		"connection refused": {dial, true, false, true},
		"unreadable reply":   {&smithy.DeserializationError{Err: io.ErrUnexpectedEOF}, false, true, true},
		"incorrect state":    {apiErr(400, "IncorrectState"), false, false, true},
		"validation":         {apiErr(400, "InvalidParameterValue"), false, false, false},
		"auth":               {apiErr(401, "AuthFailure"), false, false, false},
		"not found":          {apiErr(400, "InvalidVpnConnectionID.NotFound"), false, false, false},
		"canceled":           {sendErr(context.Canceled), false, false, false},
		"own wait timeout":   {fmt.Errorf("x: %w", &retryLater{errors.New("timed out")}), false, false, true},
		"local":              {errors.New("bgp_asn is not an ASN"), false, false, false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := notApplied(tc.err); got != tc.notApplied {
				t.Errorf("notApplied = %v", got)
			}
			if got := outcomeUnknown(tc.err); got != tc.unknown {
				t.Errorf("outcomeUnknown = %v", got)
			}
			if got := retryable(tc.err); got != tc.retries {
				t.Errorf("retryable = %v", got)
			}
			// The create retryer re-sends exactly what was not applied.
			if got := (createRetryer{}).IsErrorRetryable(tc.err); got != tc.notApplied {
				t.Errorf("create retryer retries = %v", got)
			}
		})
	}
}

func TestRedactKeepsVerdictAndDropsTheSecret(t *testing.T) {
	const psk = "s3cretPSKvalue.abc"
	err := fmt.Errorf("creating: %w", apiErr(500, "InternalError"))
	echo := fmt.Errorf("creating: %w", &smithy.GenericAPIError{Code: "InternalError", Message: "bad key " + psk})
	if got := redact(err, psk); got != err {
		t.Fatal("an error without the secret must pass unchanged")
	}
	r := redact(echo, psk, "")
	if strings.Contains(r.Error(), psk) || !strings.Contains(r.Error(), "[redacted]") {
		t.Fatalf("redacted: %q", r)
	}
	if !retryable(r) || !retryable(fmt.Errorf("wrapped: %w", r)) {
		t.Fatal("redaction lost the retry verdict")
	}
	if strings.Contains(fmt.Sprintf("%+v %#v", r, r), psk) {
		t.Fatal("the secret survives in a formatted form")
	}
}

func TestExplainCredentials(t *testing.T) {
	err := explain(apiErr(401, "AuthFailure"))
	if !strings.Contains(err.Error(), "access_key") {
		t.Fatalf("no hint: %v", err)
	}
	if e := apiErr(400, "InvalidParameterValue"); explain(e) != e {
		t.Fatal("other errors must pass unchanged")
	}
}
