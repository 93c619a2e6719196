package host

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
)

// Credentials are the provider's side of mutual TLS, as PEM text.
type Credentials struct {
	CACert, ClientCert, ClientKey string
}

// tlsConfig trusts only the given CA for agents' certificates and presents
// the client certificate.
func (c Credentials) tlsConfig() (*tls.Config, error) {
	if c.CACert == "" || c.ClientCert == "" || c.ClientKey == "" {
		return nil, errors.New("the provider's hosts block needs ca_cert, client_cert and client_key to reach agents")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(c.CACert)) {
		return nil, errors.New("hosts.ca_cert holds no PEM certificate")
	}
	cert, err := tls.X509KeyPair([]byte(c.ClientCert), []byte(c.ClientKey))
	if err != nil {
		// The error of X509KeyPair never quotes the key itself.
		return nil, fmt.Errorf("hosts.client_cert and client_key: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, Certificates: []tls.Certificate{cert}}, nil
}

// agentError is an agent's refusal (a non-2xx reply).
type agentError struct {
	status int
	msg    string
	retry  bool
}

func (e *agentError) Error() string {
	return fmt.Sprintf("the agent answered %d: %s", e.status, e.msg)
}

// client talks to one agent.
type client struct {
	base string
	http *http.Client
}

// maxReply bounds what is read from an agent: a list of a big host's
// objects is well under this.
const maxReply = 64 << 20

func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.base, "/")+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return describe(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return fmt.Errorf("reading the agent's reply: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e api.Error
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			return &agentError{status: resp.StatusCode, msg: "an unreadable reply (" + snippet(b) + ")", retry: resp.StatusCode >= 500}
		}
		return &agentError{status: resp.StatusCode, msg: e.Error, retry: e.Retry || resp.StatusCode >= 500}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("the agent's reply is not crosslink agent JSON (%s): is %s a crosslink agent?", snippet(b), c.base)
	}
	return nil
}

// describe turns transport errors into what a user can act on.
func describe(err error) error {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	switch {
	case errors.As(err, &ua):
		return fmt.Errorf("the agent's certificate is not signed by hosts.ca_cert: %w", err)
	case errors.As(err, &hn):
		return fmt.Errorf("the agent's certificate does not name this address: %w", err)
	case strings.Contains(err.Error(), "certificate required") || strings.Contains(err.Error(), "unknown certificate authority") ||
		strings.Contains(err.Error(), "bad certificate"):
		return fmt.Errorf("the agent refused the provider's client certificate (is hosts.client_cert signed by the CA the agent trusts?): %w", err)
	}
	return err
}

// snippet shows the start of a bad reply, printable only.
func snippet(b []byte) string {
	const n = 80
	s := strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return ' '
		}
		return r
	}, string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func newHTTP(tc *tls.Config, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		TLSClientConfig: tc, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: true,
	}}
}
