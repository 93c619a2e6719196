package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary double as a stand-in agent: Start runs
// `<AgentBin> agent --listen … --cert … --key … --client-ca … --state-dir …`
// exactly as it will run the real one, so the tests exercise that path.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "agent" {
		os.Exit(standin(os.Args[2:]))
	}
	code := m.Run()
	RemoveBuild()
	os.Exit(code)
}

// standinStatus is what the stand-in reports on GET /v1/status.
type standinStatus struct {
	Listen    string   `json:"listen"`
	Greeting  string   `json:"greeting"`
	WireGuard []string `json:"wireguard"` // entries of its /var/run/wireguard
	Private   bool     `json:"private"`   // that dir is the lab's tmpfs
	StateDir  string   `json:"state_dir"`
}

// standin is an mTLS HTTPS server with the agent's command line.
func standin(args []string) int {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	listen := fs.String("listen", "", "")
	cert := fs.String("cert", "", "")
	key := fs.String("key", "", "")
	clientCA := fs.String("client-ca", "", "")
	stateDir := fs.String("state-dir", "", "")
	greeting := fs.String("greeting", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "standin:", err); return 1 }
	// A UAPI-like socket file, as the real agent creates one per device.
	sock := "/var/run/wireguard/standin-" + strings.Split(*listen, ":")[0] + ".sock"
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(*stateDir, "standin.state"), []byte(*listen), 0o600); err != nil {
		return fail(err)
	}
	private := false
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(mounts), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && f[4] == "/run/wireguard" && strings.Contains(line, " - tmpfs crosslink ") {
			private = true
		}
	}
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		return fail(err)
	}
	caPEM, err := os.ReadFile(*clientCA)
	if err != nil {
		return fail(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	srv := &http.Server{
		Addr: *listen,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{pair},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ents, _ := os.ReadDir("/var/run/wireguard")
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			_ = json.NewEncoder(w).Encode(standinStatus{*listen, *greeting, names, private, *stateDir})
		}),
	}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		fmt.Println("standin: SIGTERM")
		_ = srv.Shutdown(context.Background())
	}()
	fmt.Printf("standin: listening on %s (private wireguard dir: %v)\n", *listen, private)
	if err := srv.ListenAndServeTLS("", ""); err != http.ErrServerClosed {
		return fail(err)
	}
	return 0
}
