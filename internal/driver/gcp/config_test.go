package gcp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestServiceAccountClients: a service account document builds the
// clients without contacting anything (the token is fetched on first call).
func TestServiceAccountClients(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})
	doc, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": string(pemKey),
		"client_email": "sa@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token",
	})
	d := New(testMesh(), Config{CredentialsJSON: string(doc)})
	defer d.Close()
	if _, err := d.clients(); err != nil {
		t.Fatalf("building clients from a service account: %v", err)
	}
	bad := New(testMesh(), Config{CredentialsJSON: `{"type":"service_account","private_key":"SECRET"}`})
	defer bad.Close()
	if _, err := bad.clients(); err != nil && strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("the error quotes the key: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestConfigPrintsNoCredentials(t *testing.T) {
	c := Config{Project: "p", AccessToken: "tok-SECRET", CredentialsJSON: `{"private_key":"SECRET"}`}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, c); strings.Contains(s, "SECRET") || !strings.Contains(s, `"p"`) {
			t.Errorf("%s: %s", f, s)
		}
	}
}

// TestDefaults: each quota group is paced at 20/s, under Compute's 25/s.
func TestDefaults(t *testing.T) {
	d := New(testMesh(), Config{})
	defer d.Close()
	if d.cfg.RequestsPerSecond != 20 || d.cfg.PollInterval != time.Second {
		t.Fatalf("defaults: %v", d.cfg)
	}
	if l := d.limiter("p", groupMutations); l.Limit() != 20 || l.Burst() != 200 {
		t.Fatalf("limiter: %v/s, burst %d", l.Limit(), l.Burst())
	}
	if s := d.cfg.String(); !strings.Contains(s, "RequestsPerSecond: 20 per quota group") {
		t.Fatalf("String: %s", s)
	}
}
