package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/fabric"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Options configures a Server.
type Options struct {
	// Host is the address listeners bind on; 127.0.0.1 when empty. Ports
	// are picked by the kernel.
	Host string
	// Delay is how long AWS objects stay pending/attaching/deleting;
	// OpDelay how long a GCP operation runs.
	Delay, OpDelay time.Duration
	// AWSCredentials (access key → secret) and GCPTokens, when set, are
	// the only credentials accepted.
	AWSCredentials map[string]string
	// AWSQuotas are the EC2 account's limits (zero: AWS's defaults).
	AWSQuotas ec2.Quotas
	GCPTokens []string
	Seed      uint64
	Clock     store.Clock
}

// Server is a running emulator.
type Server struct {
	Store  *store.Store
	Fabric *fabric.Fabric
	EC2    *ec2.Frontend
	GCE    *gce.Frontend
	// Faults per cloud; their counters are the API call counts.
	AWSFaults, GCPFaults *store.Injector
	// Endpoints: base URLs of the AWS and GCP front-ends and the control API.
	AWSURL, GCPURL, ControlURL string

	servers []*http.Server
}

// Start listens on three loopback ports and serves until Close.
func Start(o Options) (*Server, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	st := store.New(store.Options{Clock: o.Clock, Seed: o.Seed})
	fab := fabric.New()
	s := &Server{Store: st, Fabric: fab}
	s.EC2 = ec2.New(st, fab, ec2.Options{Delay: o.Delay, Credentials: o.AWSCredentials, Quotas: o.AWSQuotas})
	s.GCE = gce.New(st, fab, gce.Options{OpDelay: o.OpDelay, Tokens: o.GCPTokens})
	s.AWSFaults = store.NewInjector(store.Faults{}, o.Clock)
	s.AWSFaults.Account = s.EC2.Account
	s.GCPFaults = store.NewInjector(store.Faults{}, o.Clock)
	s.GCPFaults.Account = s.GCE.Account

	handlers := []struct {
		h   http.Handler
		url *string
	}{
		{store.Middleware(s.EC2.Handler(), s.AWSFaults, s.EC2.Classify, s.EC2.WriteThrottle, s.EC2.Write5xx), &s.AWSURL},
		{store.Middleware(s.GCE.Handler(), s.GCPFaults, s.GCE.Classify, s.GCE.WriteThrottle, s.GCE.Write5xx), &s.GCPURL},
		{s.control(), &s.ControlURL},
	}
	for _, h := range handlers {
		ln, err := net.Listen("tcp", net.JoinHostPort(o.Host, "0"))
		if err != nil {
			s.Close()
			return nil, err
		}
		srv := &http.Server{Handler: h.h, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		*h.url = "http://" + ln.Addr().String()
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				panic(err) // a listener that dies under a test must not go unnoticed
			}
		}()
	}
	return s, nil
}

// Close stops every listener.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
}

// Faults returns a cloud's injector ("aws" or "gcp"), nil for others.
func (s *Server) Faults(cloud string) *store.Injector {
	switch cloud {
	case "aws":
		return s.AWSFaults
	case "gcp":
		return s.GCPFaults
	}
	return nil
}
