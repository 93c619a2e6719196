package lab

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/bgp"
)

// Status reads a host's live state from its agent.
func (l *Lab) Status(name string) (api.Status, error) {
	h, err := l.host(name)
	if err != nil {
		return api.Status{}, err
	}
	resp, err := l.Client().Get(h.AgentURL + api.StatusPath)
	if err != nil {
		return api.Status{}, err
	}
	defer resp.Body.Close()
	var st api.Status
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("status of %s: %s", name, resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// GarbageAgent serves, on loopback, HTTPS with a certificate of the lab CA
// that answers every request with a web page: an endpoint that is not a
// crosslink agent. It returns its URL.
func (l *Lab) GarbageAgent(t T) string {
	t.Helper()
	certPEM, keyPEM, err := l.ca.Issue("garbage", []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil)
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	cert, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>It works!</body></html>")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "https://" + srv.Listener.Addr().(*net.TCPAddr).AddrPort().String()
}

// CheckClean reports what a destroyed mesh left on the hosts: WireGuard
// links, routes of the agents' protocol, or forwarding still on.
func (l *Lab) CheckClean() error {
	var left []string
	for _, h := range l.Hosts() {
		out, err := l.Exec(h.NS, "ip", "-o", "link", "show", "type", "tun")
		if err != nil {
			return err
		}
		if s := strings.TrimSpace(out); s != "" {
			left = append(left, h.Name+": links "+s)
		}
		out, err = l.Exec(h.NS, "ip", "-o", "route", "show", "proto", fmt.Sprint(bgp.RouteProtocol))
		if err != nil {
			return err
		}
		if s := strings.TrimSpace(out); s != "" {
			left = append(left, h.Name+": routes "+s)
		}
		out, err = l.Exec(h.NS, "cat", "/proc/sys/net/ipv4/ip_forward")
		if err == nil && strings.TrimSpace(out) != "0" && !l.opts.IPForward {
			left = append(left, h.Name+": ip_forward still on")
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("left on hosts after destroy:\n%s", strings.Join(left, "\n"))
	}
	return nil
}
