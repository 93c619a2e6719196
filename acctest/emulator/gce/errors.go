package gce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// GCP error reasons this front-end answers with (errors[].reason).
const (
	reasonInvalid       = "invalid"
	reasonNotFound      = "notFound"
	reasonAlreadyExists = "alreadyExists"
	reasonInUse         = "resourceInUseByAnotherResource"
	reasonNotReady      = "resourceNotReady"
	reasonCondition     = "conditionNotMet"
	reasonRateLimit     = "rateLimitExceeded"
	reasonBackend       = "backendError"
	reasonInternal      = "internalError"
	reasonAuth          = "authError"
	reasonQuota         = "quotaExceeded"
	reasonMethod        = "methodNotAllowed"
)

// apiError is one GCP error reply. Rules inside the store return
// *store.Error with Code set to a reason; toAPI converts either.
type apiError struct {
	Code    int
	Reason  string
	Message string
	Domain  string // "global" when empty
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Code, e.Reason, e.Message) }

func errorf(code int, reason, format string, args ...any) *apiError {
	return &apiError{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// invalidField is GCE's usual 400 for a bad request field.
func invalidField(field string, value any, why string) *apiError {
	msg := fmt.Sprintf("Invalid value for field '%s': '%v'.", field, value)
	if why != "" {
		msg += " " + why
	}
	return &apiError{Code: http.StatusBadRequest, Reason: reasonInvalid, Message: msg}
}

func notFoundPath(path string) *apiError {
	return errorf(http.StatusNotFound, reasonNotFound, "The resource '%s' was not found", path)
}

// ruleError carries an apiError through the store, whose rules must
// return *store.Error.
func ruleError(e *apiError) *store.Error {
	return &store.Error{Code: e.Reason, HTTPStatus: e.Code, Message: e.Message}
}

// statusText is the google.rpc status name GCP sends next to the code.
func statusText(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "ALREADY_EXISTS"
	case http.StatusPreconditionFailed:
		return "FAILED_PRECONDITION"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	default:
		return "INTERNAL"
	}
}

// toAPI maps any error to the reply GCP would give. path names the
// resource a neutral store error is about.
func toAPI(err error, path string) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var se *store.Error
	if !errors.As(err, &se) {
		return errorf(http.StatusInternalServerError, reasonInternal, "Internal error: %v", err)
	}
	switch se.Code {
	case store.CodeNotFound:
		return notFoundPath(path)
	case store.CodeAlreadyExists:
		return errorf(http.StatusConflict, reasonAlreadyExists, "The resource '%s' already exists", path)
	case store.CodeInvalidPageToken:
		return invalidField("pageToken", "", "The page token is invalid for this request.")
	case store.CodeIncorrectState:
		return errorf(http.StatusBadRequest, reasonNotReady, "The resource '%s' is not ready", path)
	}
	status := se.HTTPStatus
	if status == 0 {
		status = http.StatusBadRequest
	}
	return &apiError{Code: status, Reason: se.Code, Message: se.Message}
}

type errorItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

type errorBody struct {
	Error struct {
		Code    int         `json:"code"`
		Message string      `json:"message"`
		Errors  []errorItem `json:"errors"`
		Status  string      `json:"status"`
	} `json:"error"`
}

func (e *apiError) write(w http.ResponseWriter) {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Status = e.Code, e.Message, statusText(e.Code)
	dom := e.Domain
	if dom == "" {
		dom = "global"
	}
	b.Error.Errors = []errorItem{{Message: e.Message, Domain: dom, Reason: e.Reason}}
	writeJSON(w, e.Code, b)
}

func writeErr(w http.ResponseWriter, err error, path string) { toAPI(err, path).write(w) }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteThrottle writes GCE's per-project rate-limit reply. It is a 403,
// not a 429: the Go client does not retry it, so drivers must.
func (f *Frontend) WriteThrottle(w http.ResponseWriter) {
	e := errorf(http.StatusForbidden, reasonRateLimit, "Rate Limit Exceeded")
	e.Domain = "usageLimits"
	e.write(w)
}

// Write5xx writes the transient backend error GCE answers under load:
// a 503 backendError, which the Go client retries on Get and List (not
// on mutations, which the caller retries with the same requestId).
func (f *Frontend) Write5xx(w http.ResponseWriter) {
	errorf(http.StatusServiceUnavailable, reasonBackend, "Backend Error").write(w)
}

// unauthenticated is GCE's reply to a missing or unknown bearer token.
func unauthenticated(w http.ResponseWriter) {
	var b errorBody
	b.Error.Code = http.StatusUnauthorized
	b.Error.Message = "Request had invalid authentication credentials. Expected OAuth 2 access token, " +
		"login cookie or other valid authentication credential. " +
		"See https://developers.google.com/identity/sign-in/web/devconsole-project."
	b.Error.Status = "UNAUTHENTICATED"
	b.Error.Errors = []errorItem{{Message: "Invalid Credentials", Domain: "global", Reason: reasonAuth,
		Location: "Authorization", LocationType: "header"}}
	w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)
	writeJSON(w, http.StatusUnauthorized, b)
}
