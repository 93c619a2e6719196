package lab

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/pki"
)

// ProviderCN is the common name of the provider's client certificates.
const ProviderCN = "crosslink-provider"

// writeFile writes PEM text; keys are 0600 because agents may check.
func writeFile(path, text string, private bool) error {
	mode := os.FileMode(0o644)
	if private {
		mode = 0o600
	}
	return os.WriteFile(path, []byte(text), mode)
}

// makeCerts creates the lab's CA, the provider's client certificate and the
// unrelated "wrong" CA with its own client certificate, and writes them.
func (l *Lab) makeCerts() error {
	var err error
	if l.ca, err = pki.NewAuthority("crosslink lab CA " + l.Prefix); err != nil {
		return err
	}
	wrong, err := pki.NewAuthority("crosslink lab WRONG CA " + l.Prefix)
	if err != nil {
		return err
	}
	l.CA = l.ca.PEM()
	l.WrongCA = wrong.PEM()
	if l.ClientCert, l.ClientKey, err = l.ca.Issue(ProviderCN, nil, nil); err != nil {
		return err
	}
	// Same CN as the real one: only the issuer differs, which is the point.
	if l.WrongClientCert, l.WrongClientKey, err = wrong.Issue(ProviderCN, nil, nil); err != nil {
		return err
	}
	files := []struct {
		path    *string
		name    string
		text    string
		private bool
	}{
		{&l.CAFile, "ca.pem", l.CA, false},
		{&l.ClientCertFile, "client.pem", l.ClientCert, false},
		{&l.ClientKeyFile, "client.key", l.ClientKey, true},
		{&l.WrongCAFile, "wrong-ca.pem", l.WrongCA, false},
		{&l.WrongClientCertFile, "wrong-client.pem", l.WrongClientCert, false},
		{&l.WrongClientKeyFile, "wrong-client.key", l.WrongClientKey, true},
	}
	for _, f := range files {
		*f.path = l.Dir + "/" + f.name
		if err := writeFile(*f.path, f.text, f.private); err != nil {
			return err
		}
	}
	return nil
}

// hostCert issues and writes h's server certificate (IP SAN = its public
// address, DNS SAN = its name).
func (l *Lab) hostCert(h *Host) error {
	c, k, err := l.ca.Issue("crosslink-agent-"+h.Name, []netip.Addr{h.PublicIP}, []string{h.Name})
	if err != nil {
		return fmt.Errorf("server certificate for %s: %w", h.Name, err)
	}
	h.CertFile = h.dir + "/server.pem"
	h.KeyFile = h.dir + "/server.key"
	if err := writeFile(h.CertFile, c, false); err != nil {
		return err
	}
	return writeFile(h.KeyFile, k, true)
}

// TLSConfig is the provider's side of mTLS: trust the lab CA, present the
// lab client certificate (or, with wrong set, the wrong CA's client
// certificate, which agents must refuse).
func (l *Lab) TLSConfig(wrong bool) (*tls.Config, error) {
	cert, key := l.ClientCert, l.ClientKey
	if wrong {
		cert, key = l.WrongClientCert, l.WrongClientKey
	}
	pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(l.CA))
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// Client is an HTTP client that talks mTLS to the lab's agents as the
// provider would.
func (l *Lab) Client() *http.Client { return l.httpClient(false) }

// WrongClient presents the wrong CA's client certificate (it still trusts
// the agents' CA, so only the agent's client check can fail).
func (l *Lab) WrongClient() *http.Client { return l.httpClient(true) }

func (l *Lab) httpClient(wrong bool) *http.Client {
	cfg, err := l.TLSConfig(wrong)
	if err != nil {
		// The lab made these PEMs itself; failing to parse them is a bug.
		panic(fmt.Sprintf("lab: client certificate: %v", err))
	}
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true},
	}
}
