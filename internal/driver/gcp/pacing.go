package gcp

import (
	"net/http"
	"strings"

	"golang.org/x/time/rate"
)

// pacer spreads calls out per project: GCP's quotas are per project, and
// a big apply that bursts into throttling only loses time to backoff.
type pacer struct {
	d    *Driver
	next http.RoundTripper
}

func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := p.d.limiter(projectOf(r.URL.Path)).Wait(r.Context()); err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	return p.next.RoundTrip(r)
}

// limiter returns the project's limiter, made on first use.
func (d *Driver) limiter(project string) *rate.Limiter {
	d.limMu.Lock()
	defer d.limMu.Unlock()
	l, ok := d.limiters[project]
	if !ok {
		l = rate.NewLimiter(rate.Limit(d.cfg.RequestsPerSecond), burst)
		d.limiters[project] = l
	}
	return l
}

// projectOf reads the project from a Compute API path
// ("/compute/v1/projects/P/…"); "" when there is none.
func projectOf(path string) string {
	_, rest, ok := strings.Cut(path, "/projects/")
	if !ok {
		return ""
	}
	p, _, _ := strings.Cut(rest, "/")
	return p
}
