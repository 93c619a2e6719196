package store

import (
	"net/http"
	"time"
)

// Middleware wraps a front-end handler with fault injection. classify names
// the operation and says whether it mutates; throttleWriter and errorWriter
// write the cloud's throttling and 5xx replies. Latency, throttling and 5xx
// happen before next runs (nothing is applied). A dropped reply runs next
// into a discarding writer — the change IS applied — and then closes the
// connection unanswered, so the client must retry idempotently.
func Middleware(next http.Handler, in *Injector, classify func(*http.Request) (op string, mutating bool),
	throttleWriter, errorWriter func(http.ResponseWriter)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, mutating := classify(r)
		account := ""
		if in.Account != nil {
			account = in.Account(r)
		}
		d := in.DecideFor(account, op, mutating)
		if d.Delay > 0 {
			t := time.NewTimer(d.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case d.Throttle:
			throttleWriter(w)
		case d.Fail5xx:
			errorWriter(w)
		case d.DropReply:
			next.ServeHTTP(&discardWriter{h: http.Header{}}, r)
			dropConnection(w)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// dropConnection closes the client connection without a reply: by
// hijacking on HTTP/1, else by aborting the handler (HTTP/2 resets the
// stream), which the server neither logs nor answers.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// discardWriter records the status and drops the body of a reply that is
// going to be lost anyway.
type discardWriter struct {
	h      http.Header
	Status int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) {
	if d.Status == 0 {
		d.Status = http.StatusOK
	}
	return len(b), nil
}
func (d *discardWriter) WriteHeader(code int) {
	if d.Status == 0 {
		d.Status = code
	}
}
