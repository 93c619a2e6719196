package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"
)

// ProviderCN is the common name of the provider's client certificates.
const ProviderCN = "crosslink-provider"

// certLifetime outlives any test run; the CA is thrown away with the lab.
const certLifetime = 7 * 24 * time.Hour

// authority is a throwaway CA: its key stays in memory so that hosts added
// later (AddHost) get server certificates from the same CA.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newAuthority(cn string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl, err := template(cn)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key, pem: encodePEM("CERTIFICATE", der)}, nil
}

// issue signs a leaf: a server certificate for ips when ips is non-empty,
// else a client certificate. It returns the certificate and key as PEM.
func (a *authority) issue(cn string, ips []netip.Addr, dns []string) (certPEM, keyPEM string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl, err := template(cn)
	if err != nil {
		return "", "", err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	if len(ips) > 0 || len(dns) > 0 {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		for _, ip := range ips {
			tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(ip.AsSlice()))
		}
		tmpl.DNSNames = dns
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return "", "", err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	return encodePEM("CERTIFICATE", der), encodePEM("PRIVATE KEY", pk), nil
}

func template(cn string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"crosslink acceptance lab"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certLifetime),
	}, nil
}

func encodePEM(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

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
	if l.ca, err = newAuthority("crosslink lab CA " + l.Prefix); err != nil {
		return err
	}
	wrong, err := newAuthority("crosslink lab WRONG CA " + l.Prefix)
	if err != nil {
		return err
	}
	l.CA = l.ca.pem
	l.WrongCA = wrong.pem
	if l.ClientCert, l.ClientKey, err = l.ca.issue(ProviderCN, nil, nil); err != nil {
		return err
	}
	// Same CN as the real one: only the issuer differs, which is the point.
	if l.WrongClientCert, l.WrongClientKey, err = wrong.issue(ProviderCN, nil, nil); err != nil {
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
	c, k, err := l.ca.issue("crosslink-agent-"+h.Name, []netip.Addr{h.PublicIP}, []string{h.Name})
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
