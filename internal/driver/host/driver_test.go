package host

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/pki"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// fakeAgent speaks the agent API over mutual TLS from memory; reply, when
// set, answers instead.
type fakeAgent struct {
	mu      sync.Mutex
	objects map[string]api.Object
	reply   func(w http.ResponseWriter) bool
	srv     *httptest.Server
}

type certs struct {
	ca, wrongCA           *pki.Authority
	clientCert, clientKey string
}

func newCerts(t *testing.T) certs {
	t.Helper()
	ca, err := pki.NewAuthority("test CA")
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := pki.NewAuthority("other CA")
	if err != nil {
		t.Fatal(err)
	}
	c, k, err := ca.Issue("provider", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return certs{ca: ca, wrongCA: wrong, clientCert: c, clientKey: k}
}

func (c certs) creds() Credentials {
	return Credentials{CACert: c.ca.PEM(), ClientCert: c.clientCert, ClientKey: c.clientKey}
}

func startAgent(t *testing.T, c certs, serverCA *pki.Authority) *fakeAgent {
	t.Helper()
	a := &fakeAgent{objects: map[string]api.Object{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/meshes/{mesh}/objects", func(w http.ResponseWriter, r *http.Request) {
		if a.reply != nil && a.reply(w) {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		l := api.ObjectList{Objects: []api.Object{}}
		for _, o := range a.objects {
			l.Objects = append(l.Objects, o)
		}
		json.NewEncoder(w).Encode(l)
	})
	mux.HandleFunc("PUT /v1/meshes/{mesh}/objects", func(w http.ResponseWriter, r *http.Request) {
		if a.reply != nil && a.reply(w) {
			return
		}
		var o api.Object
		json.NewDecoder(r.Body).Decode(&o)
		o.ID = "id-" + o.Key
		a.mu.Lock()
		a.objects[o.Key] = o
		a.mu.Unlock()
		json.NewEncoder(w).Encode(o)
	})
	mux.HandleFunc("DELETE /v1/meshes/{mesh}/objects", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		delete(a.objects, r.URL.Query().Get("key"))
		a.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	certPEM, keyPEM, err := serverCA.Issue("agent", []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(c.ca.PEM()))
	a.srv = httptest.NewUnstartedServer(mux)
	a.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	a.srv.StartTLS()
	t.Cleanup(a.srv.Close)
	return a
}

func object(site, name string) plan.Object {
	return plan.Object{Key: "host/" + site + "/wireguard_device/" + name, Kind: "host_wireguard_device", Cloud: "host", Site: site,
		Attrs: map[string]string{"device": "xl0"}}
}

func TestDriverLifecycle(t *testing.T) {
	c := newCerts(t)
	agents := map[string]string{}
	fakes := map[string]*fakeAgent{}
	for _, s := range []string{"h0", "h1", "h2"} {
		fakes[s] = startAgent(t, c, c.ca)
		agents[s] = fakes[s].srv.URL
	}
	d := New("m", agents, c.creds(), Options{Parallel: 2})
	ctx := context.Background()
	for _, s := range []string{"h0", "h1", "h2"} {
		got, err := d.Create(ctx, object(s, "a"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != "id-host/"+s+"/wireguard_device/a" || got.Site != s || got.Cloud != "host" {
			t.Errorf("created %+v", got)
		}
	}
	objs, err := d.Observe(ctx, driver.Scope{Mesh: "m", Sites: []string{"h2", "h0", "h1"}})
	if err != nil || len(objs) != 3 {
		t.Fatalf("observe: %d objects, %v", len(objs), err)
	}
	for _, o := range objs {
		if !strings.Contains(o.Key, "/"+o.Site+"/") {
			t.Errorf("object %s attributed to site %s", o.Key, o.Site)
		}
	}
	if err := d.Delete(ctx, object("h1", "a")); err != nil {
		t.Fatal(err)
	}
	if len(fakes["h1"].objects) != 0 {
		t.Error("delete left the object")
	}
}

func TestDriverErrors(t *testing.T) {
	c := newCerts(t)
	good := startAgent(t, c, c.ca)
	impostor := startAgent(t, c, c.wrongCA)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "https://" + closed.Addr().String()
	closed.Close()
	ctx := context.Background()

	for _, tc := range []struct {
		name      string
		url       string
		creds     Credentials
		reply     func(w http.ResponseWriter) bool
		want      string
		retryable bool
	}{
		{name: "unreachable", url: deadURL, creds: c.creds(), want: "connection refused"},
		{name: "wrong CA", url: impostor.srv.URL, creds: c.creds(), want: "not signed by hosts.ca_cert"},
		{name: "client cert of another CA", url: good.srv.URL, want: "refused the provider's client certificate",
			creds: func() Credentials {
				cc, ck, _ := c.wrongCA.Issue("stranger", nil, nil)
				return Credentials{CACert: c.ca.PEM(), ClientCert: cc, ClientKey: ck}
			}()},
		{name: "no credentials", url: good.srv.URL, want: "hosts block needs"},
		{name: "garbage", url: good.srv.URL, creds: c.creds(), want: "not crosslink agent JSON", reply: func(w http.ResponseWriter) bool {
			w.Write([]byte("<html>hello</html>"))
			return true
		}},
		{name: "garbage error", url: good.srv.URL, creds: c.creds(), want: "unreadable reply", retryable: true, reply: func(w http.ResponseWriter) bool {
			w.WriteHeader(502)
			w.Write([]byte("<html>bad gateway</html>"))
			return true
		}},
		{name: "refusal", url: good.srv.URL, creds: c.creds(), want: "answered 400: no", reply: func(w http.ResponseWriter) bool {
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(api.Error{Error: "no"})
			return true
		}},
		{name: "retry", url: good.srv.URL, creds: c.creds(), want: "answered 409: later", retryable: true, reply: func(w http.ResponseWriter) bool {
			w.WriteHeader(409)
			json.NewEncoder(w).Encode(api.Error{Error: "later", Retry: true})
			return true
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good.reply = tc.reply
			defer func() { good.reply = nil }()
			d := New("m", map[string]string{"h7": tc.url}, tc.creds, Options{})
			_, err := d.Observe(ctx, driver.Scope{Mesh: "m", Sites: []string{"h7"}})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, `host site "h7"`) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q: want the site and %q", msg, tc.want)
			}
			if strings.Contains(msg, "PRIVATE KEY") {
				t.Error("the error quotes a key")
			}
			if got := d.Retryable(err); got != tc.retryable {
				t.Errorf("retryable = %v", got)
			}
		})
	}
	if _, err := New("m", nil, c.creds(), Options{}).Create(ctx, object("h9", "a"), nil); err == nil || !strings.Contains(err.Error(), `no agent is configured for host site "h9"`) {
		t.Errorf("unknown site: %v", err)
	}
}
