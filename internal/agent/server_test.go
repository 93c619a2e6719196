package agent

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/pki"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
)

// TestServerMutualTLS: only a client certificate from the configured CA
// gets to the API; others get a 403 that says why, none a handler.
func TestServerMutualTLS(t *testing.T) {
	ca, _ := pki.NewAuthority("agents")
	other, _ := pki.NewAuthority("other")
	a, _, _, _ := newTestAgent(t, t.TempDir())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(ca.PEM()))
	certPEM, keyPEM, err := ca.Issue("agent", []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	srv := httptest.NewUnstartedServer(Authenticated(a.Handler(), pool, a.log))
	srv.TLS = TLSConfig(cert)
	srv.StartTLS()
	defer srv.Close()

	client := func(signer *pki.Authority) *http.Client {
		tc := &tls.Config{RootCAs: pool}
		if signer != nil {
			c, k, _ := signer.Issue("provider", nil, nil)
			kp, _ := tls.X509KeyPair([]byte(c), []byte(k))
			tc.Certificates = []tls.Certificate{kp}
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
	}
	body, _ := json.Marshal(device("k/d", "xl0", "169.254.0.1/30", "1"))
	for _, c := range []struct {
		name   string
		signer *pki.Authority
		code   int
		want   string
	}{
		{"no certificate", nil, 0, "certificate required"}, // refused in the handshake
		{"another CA", other, 403, "not signed by the CA this agent trusts"},
		{"the CA", ca, 200, `"public_key":"pub-xl0-1"`},
	} {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+api.ObjectsPath("m"), bytes.NewReader(body))
		resp, err := client(c.signer).Do(req)
		if c.code == 0 {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %s, want %d and %q", c.name, resp.StatusCode, b, c.code, c.want)
		}
	}
	if _, ok := a.store.get("m", "k/d"); !ok {
		t.Error("the authenticated PUT was not stored")
	}
}

// TestServerRequests: bodies that are not objects are refused with 400 and
// a JSON reason; deleting twice is fine.
func TestServerRequests(t *testing.T) {
	a, _, _, _ := newTestAgent(t, t.TempDir())
	h := a.Handler()
	do := func(method, path, body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		return w
	}
	for _, body := range []string{"<html>", `{"key":"k"}`, `{"key":"k","kind":"x","extra":1}`} {
		w := do(http.MethodPut, api.ObjectsPath("m"), body)
		var e api.Error
		if w.Code != 400 || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error == "" {
			t.Errorf("PUT %s: %d %s", body, w.Code, w.Body)
		}
	}
	for range 2 {
		if w := do(http.MethodDelete, api.ObjectPath("m", "host/h0/x#0"), ""); w.Code != 204 {
			t.Errorf("DELETE: %d %s", w.Code, w.Body)
		}
	}
	if w := do(http.MethodGet, api.StatusPath, ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"devices":[]`) {
		t.Errorf("status: %d %s", w.Code, w.Body)
	}
}
