package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// Error codes the driver acts on (EC2 Query API).
const (
	codeIncorrectState        = "IncorrectState"
	codeDependencyViolation   = "DependencyViolation"
	codeVGWNotFound           = "InvalidVpnGatewayID.NotFound"
	codeVGWAttachmentNotFound = "InvalidVpnGatewayAttachment.NotFound"
	codeCGWNotFound           = "InvalidCustomerGatewayID.NotFound"
	codeVPNNotFound           = "InvalidVpnConnectionID.NotFound"
	codeTGWNotFound           = "InvalidTransitGatewayID.NotFound"
	codeTGWAttachmentNotFound = "InvalidTransitGatewayAttachmentID.NotFound"
	codeRouteTableNotFound    = "InvalidRouteTableID.NotFound"
	codeAuthFailure           = "AuthFailure"
	codeUnauthorizedOperation = "UnauthorizedOperation"
	codeOptInRequired         = "OptInRequired"
	codeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	codeInvalidClientTokenID  = "InvalidClientTokenId"
	codeInternalError         = "InternalError"
	codeInternalFailure       = "InternalFailure"
	codeServiceUnavailable    = "ServiceUnavailable"
	codeUnavailable           = "Unavailable"
)

// errCode is the API error code of err, "" when err is no API error.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// notFound is the error EC2 gives a describe of an ID it does not know.
func notFound(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

func isCode(err error, codes ...string) bool {
	c := errCode(err)
	for _, want := range codes {
		if c != "" && c == want {
			return true
		}
	}
	return false
}

func httpStatus(err error) int {
	var hs interface{ HTTPStatusCode() int }
	if errors.As(err, &hs) {
		return hs.HTTPStatusCode()
	}
	return 0
}

func isThrottle(err error) bool {
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool()
}

// isServerError: the service failed (5xx or a server-fault code).
func isServerError(err error) bool {
	if httpStatus(err) >= 500 && !isThrottle(err) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultServer {
		return true
	}
	return isCode(err, codeInternalError, codeInternalFailure, codeServiceUnavailable, codeUnavailable)
}

// notApplied: the request was refused before anything happened, so sending
// it again cannot duplicate anything: EC2 throttled it, or it never left
// (the connection could not be made).
func notApplied(err error) bool {
	if isThrottle(err) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// outcomeUnknown: a call may or may not have been applied: its reply was
// lost or cut (connection error, unreadable reply, timeout) or the service
// failed. A refusal, a validation error or a local problem (credentials,
// parameters) is known not to have been applied.
func outcomeUnknown(err error) bool {
	if err == nil || notApplied(err) || errors.Is(err, context.Canceled) {
		return false
	}
	var ce interface{ ConnectionError() bool }
	if errors.As(err, &ce) && ce.ConnectionError() {
		return true
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return true
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return true
	}
	return isServerError(err)
}

// retryLater marks the driver's own transient failures (a wait that ran
// out of time, a create whose outcome stayed unknown): another attempt
// resumes where this one stopped.
type retryLater struct{ err error }

func (e *retryLater) Error() string { return e.err.Error() }
func (e *retryLater) Unwrap() error { return e.err }

// retryable is Driver.Retryable: throttling, server errors, broken
// connections, the driver's own transient failures, and IncorrectState (an
// object still settling: a VGW deleted right after its detach, a customer
// gateway whose VPN connection is still being deleted), as
// terraform-provider-aws retries those. Validation and permission errors
// are final.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var rl *retryLater
	if errors.As(err, &rl) {
		return true
	}
	var re *redactedError
	if errors.As(err, &re) {
		return re.retryable
	}
	if notApplied(err) || isServerError(err) || isCode(err, codeIncorrectState, codeDependencyViolation) {
		return true
	}
	if errCode(err) != "" {
		return false
	}
	return outcomeUnknown(err)
}

// explain adds what to check to errors users can fix themselves.
func explain(err error) error {
	switch {
	case isCode(err, codeAuthFailure, codeSignatureDoesNotMatch, codeInvalidClientTokenID):
		return fmt.Errorf("AWS rejected the credentials (check the provider's aws access_key/secret_key or profile): %w", err)
	case isCode(err, codeUnauthorizedOperation):
		return fmt.Errorf("the AWS credentials lack a permission crosslink needs: %w", err)
	case isCode(err, codeOptInRequired):
		return fmt.Errorf("the AWS account is not subscribed to EC2 in this region: %w", err)
	}
	return err
}

// redactedError is an error whose text held a secret: it keeps the text
// with the secret replaced and the verdict of retryable, and drops the
// original (whose Error() would still carry the secret).
type redactedError struct {
	msg       string
	retryable bool
}

func (e *redactedError) Error() string { return e.msg }

// redact guards against a service that echoes request parameters in its
// error messages: the driver's errors must never carry a pre-shared key.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	hit := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			hit = true
		}
	}
	if !hit {
		return err
	}
	return &redactedError{msg: msg, retryable: retryable(err)}
}

// errGone: an object vanished while the driver worked on it (deleted by
// someone else); another attempt starts over.
var errGone = &retryLater{errors.New("it vanished while being worked on")}

// orGone is err, or errGone when a lookup found nothing.
func orGone(err error) error {
	if err != nil {
		return err
	}
	return errGone
}
