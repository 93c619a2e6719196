package gcp

import (
	"net/http"
	"strings"

	"golang.org/x/time/rate"
)

// quotaGroup is one of Compute's per-project rate quotas: each is counted
// apart, so pacing them apart lets a big apply use all of them at once.
type quotaGroup int

const (
	groupOps       quotaGroup = iota // operations get and wait
	groupReads                       // get, list, aggregatedList, getRouterStatus
	groupMutations                   // insert, patch, update, delete
)

func (g quotaGroup) String() string {
	return [...]string{"operation reads", "reads", "mutations"}[g]
}

// groupOf is the quota group of a request: operations are read in their
// own group (a wait is a POST but reads), other GETs are reads, and every
// other method mutates.
func groupOf(r *http.Request) quotaGroup {
	switch {
	case strings.Contains(r.URL.Path, "/operations/"):
		return groupOps
	case r.Method == http.MethodGet || r.Method == "":
		return groupReads
	}
	return groupMutations
}

// limiterKey is one (project, quota group) pair.
type limiterKey struct {
	project string
	group   quotaGroup
}

// pacer spreads calls out per project and quota group: GCP's quotas are
// per project, per minute and per method group, and a big apply that
// bursts into throttling only loses time to backoff.
type pacer struct {
	d    *Driver
	next http.RoundTripper
}

func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := p.d.limiter(projectOf(r.URL.Path), groupOf(r)).Wait(r.Context()); err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	return p.next.RoundTrip(r)
}

// limiter returns the limiter of a project's quota group, made on first use.
func (d *Driver) limiter(project string, g quotaGroup) *rate.Limiter {
	k := limiterKey{project, g}
	d.limMu.Lock()
	defer d.limMu.Unlock()
	l, ok := d.limiters[k]
	if !ok {
		l = rate.NewLimiter(rate.Limit(d.cfg.RequestsPerSecond), d.cfg.burst())
		d.limiters[k] = l
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
