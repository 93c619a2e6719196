// Command emulator serves crosslink's AWS (EC2 Query) and GCP (Compute
// REST) emulators and their control API on loopback ports, and prints the
// endpoints as one JSON line on stdout. It runs until SIGINT or SIGTERM.
//
//	emulator [-delay 200ms] [-op-delay 100ms] [-aws-credential AKID:SECRET]… [-gcp-token T]… [-seed FILE]
//
// -seed names a JSON file {"vpcs":[SeedVPC…],"networks":[SeedNetwork…]}
// applied before the endpoints are printed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var creds, tokens list
	o := emulator.Options{}
	flag.DurationVar(&o.Delay, "delay", 0, "how long AWS objects stay pending")
	flag.DurationVar(&o.OpDelay, "op-delay", 0, "how long GCP operations run")
	flag.StringVar(&o.Host, "host", "127.0.0.1", "address to listen on")
	flag.Var(&creds, "aws-credential", "accepted AWS access key as AKID:SECRET (repeatable; none: any)")
	flag.Var(&tokens, "gcp-token", "accepted GCP bearer token (repeatable; none: any)")
	seed := flag.String("seed", "", "JSON file of VPCs and networks to create first")
	flag.Parse()
	for _, c := range creds {
		k, v, ok := strings.Cut(c, ":")
		if !ok {
			fail(fmt.Errorf("-aws-credential %q: want AKID:SECRET", k))
		}
		if o.AWSCredentials == nil {
			o.AWSCredentials = map[string]string{}
		}
		o.AWSCredentials[k] = v
	}
	o.GCPTokens = tokens
	s, err := emulator.Start(o)
	if err != nil {
		fail(err)
	}
	defer s.Close()
	if *seed != "" {
		if err := applySeed(s, *seed); err != nil {
			fail(err)
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(emulator.Endpoints{AWS: s.AWSURL, GCP: s.GCPURL, Control: s.ControlURL})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}

func applySeed(s *emulator.Server, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var seed struct {
		VPCs     []emulator.SeedVPC     `json:"vpcs"`
		Networks []emulator.SeedNetwork `json:"networks"`
	}
	if err := json.Unmarshal(b, &seed); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, v := range seed.VPCs {
		if err := s.EC2.SeedVPC(v.Region, v.VPC); err != nil {
			return err
		}
	}
	for _, n := range seed.Networks {
		if err := s.GCE.SeedNetwork(n.Project, n.Network); err != nil {
			return err
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "emulator:", err)
	os.Exit(1)
}
