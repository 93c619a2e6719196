package store

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the typed error every store operation and rule returns. Code is
// neutral (or cloud-specific when a rule chooses so); front-ends translate.
type Error struct {
	Code       string
	Message    string
	HTTPStatus int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Neutral codes produced by the store itself.
const (
	CodeNotFound           = "NotFound"
	CodeAlreadyExists      = "AlreadyExists"
	CodeInvalidPageToken   = "InvalidPageToken"
	CodeIdempotentMismatch = "IdempotentParameterMismatch"
	CodeIncorrectState     = "IncorrectState"
	CodeInvalidKind        = "InvalidKind"
)

// Errorf builds an *Error.
func Errorf(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, HTTPStatus: status, Message: fmt.Sprintf(format, args...)}
}

// IsCode reports whether err is (or wraps) an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

func notFound(id string) *Error {
	return Errorf(CodeNotFound, http.StatusNotFound, "resource %q not found", id)
}
