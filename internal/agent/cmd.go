package agent

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/bgp"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/wg"
)

// Config is the agent's command line.
type Config struct {
	Listen, Cert, Key, ClientCA, StateDir string
	RouterID                              string
	BGPPort                               int
	ForceUserspace                        bool
	LogLevel                              string
	// Resync is how often everything stored is re-applied.
	Resync time.Duration
}

func parseFlags(args []string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.Listen, "listen", ":7443", "address the HTTPS API listens on")
	fs.StringVar(&c.Cert, "cert", "", "server certificate (PEM file)")
	fs.StringVar(&c.Key, "key", "", "server private key (PEM file)")
	fs.StringVar(&c.ClientCA, "client-ca", "", "CA that signs the certificates of allowed clients (PEM file)")
	fs.StringVar(&c.StateDir, "state-dir", "/var/lib/crosslink", "where objects and WireGuard private keys are kept")
	fs.StringVar(&c.RouterID, "router-id", "", "BGP router ID (IPv4); default: the listen address, or one derived from the host name")
	fs.IntVar(&c.BGPPort, "bgp-port", 179, "BGP port on the link addresses")
	fs.BoolVar(&c.ForceUserspace, "userspace-wireguard", false, "always use the embedded WireGuard, even where the kernel has it")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&c.Resync, "resync", 10*time.Second, "how often stored objects are re-applied")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for name, v := range map[string]string{"cert": c.Cert, "key": c.Key, "client-ca": c.ClientCA} {
		if v == "" {
			return c, fmt.Errorf("-%s is required", name)
		}
	}
	return c, nil
}

// Main runs the agent until ctx ends (the provider binary's `agent`
// subcommand).
func Main(ctx context.Context, args []string) error {
	c, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	tc, clientCA, err := loadTLS(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.StateDir, 0o700); err != nil {
		return err
	}
	a, err := New(c, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("closing", "error", err)
		}
	}()
	if err := a.Reconcile(ctx); err != nil {
		log.Warn("restoring stored objects", "error", err)
	}
	go a.resyncLoop(ctx, c.Resync)
	log.Info("crosslink agent listening", "addr", c.Listen)
	return Serve(ctx, c.Listen, Authenticated(a.Handler(), clientCA, log), tc, log)
}

// New builds an agent on the real system.
func New(c Config, log *slog.Logger) (*Agent, error) {
	st, err := openStore(c.StateDir)
	if err != nil {
		return nil, err
	}
	m, err := wg.New(wg.Options{StateDir: c.StateDir, ForceUserspace: c.ForceUserspace, Logger: log.With("part", "wireguard")})
	if err != nil {
		return nil, err
	}
	rid, err := routerID(c)
	if err != nil {
		return nil, err
	}
	hostname, _ := os.Hostname()
	return &Agent{
		store: st, wg: m, host: sysctls{root: "/proc/sys", stateDir: c.StateDir}, log: log, hostname: hostname,
		newRouter: func(asn uint32) (router, error) {
			return bgp.New(bgp.Options{RouterID: rid, ASN: asn, Port: c.BGPPort,
				Routes: bgp.NewNetlinkRoutes(nil), Logger: log.With("part", "bgp")})
		},
	}, nil
}

func (a *Agent) resyncLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Reconcile(ctx); err != nil {
				a.log.Warn("resync", "error", err)
			}
		}
	}
}

func loadTLS(c Config) (*tls.Config, *x509.CertPool, error) {
	cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the server certificate: %w", err)
	}
	pem, err := os.ReadFile(c.ClientCA)
	if err != nil {
		return nil, nil, fmt.Errorf("reading -client-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, nil, errors.New("-client-ca holds no PEM certificate")
	}
	return TLSConfig(cert), pool, nil
}

// routerID: BGP wants a stable IPv4 ID; the listen address is one when
// given, else the host name hashed into 100.64.0.0/10 (shared space, never a
// host's real address).
func routerID(c Config) (netip.Addr, error) {
	if c.RouterID != "" {
		a, err := netip.ParseAddr(c.RouterID)
		if err != nil || !a.Is4() {
			return netip.Addr{}, fmt.Errorf("-router-id %q is not an IPv4 address", c.RouterID)
		}
		return a, nil
	}
	if h, _, err := net.SplitHostPort(c.Listen); err == nil {
		if a, err := netip.ParseAddr(h); err == nil && a.Is4() && !a.IsUnspecified() {
			return a, nil
		}
	}
	name, _ := os.Hostname()
	f := fnv.New32a()
	f.Write([]byte(name))
	v := 100<<24 | 64<<16 | f.Sum32()&0x3fffff
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}
