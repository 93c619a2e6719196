// Command clouddemo applies examples/aws-gcp against crosslink's AWS and GCP
// emulators with the Terraform-compatible CLI, shows what the SDKs report of
// every tunnel and BGP session, and destroys it. `make demo` runs it; the
// CLI must already resolve the provider (dev_overrides, set by demo.sh).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
)

const (
	akid, secret, token = "AKIDCROSSLINKDEMO", "crosslink-demo-secret", "crosslink-demo-token"
	project, vpc        = "crosslink-demo", "vpc-0a1b2c3d4e5f60718"
)

func main() {
	tf := flag.String("tf", "", "terraform or tofu binary")
	example := flag.String("example", "examples/aws-gcp", "configuration to apply")
	flag.Parse()
	if err := run(*tf, *example); err != nil {
		fmt.Fprintln(os.Stderr, "clouddemo:", err)
		os.Exit(1)
	}
}

func run(tf, example string) error {
	if tf == "" {
		return fmt.Errorf("-tf is required")
	}
	say("starting the AWS (EC2 Query) and GCP (Compute REST) emulators on loopback ports")
	s, err := emulator.Start(emulator.Options{Delay: 200 * time.Millisecond, OpDelay: 100 * time.Millisecond,
		AWSCredentials: map[string]string{akid: secret}, GCPTokens: []string{token}})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.EC2.SeedVPC("us-east-1", ec2.VPC{ID: vpc, CIDR: "10.10.0.0/16",
		Subnets: []ec2.Subnet{{AZ: "us-east-1a", CIDR: "10.10.0.0/24"}}}); err != nil {
		return err
	}
	if err := s.GCE.SeedNetwork(project, gce.Network{Name: "prod",
		Subnets: []gce.Subnet{{Name: "prod-euw1", Region: "europe-west1", CIDR: "10.20.0.0/16"}}}); err != nil {
		return err
	}
	fmt.Printf("    aws %s, gcp %s\n", s.AWSURL, s.GCPURL)

	work, err := os.MkdirTemp("", "crosslink-clouddemo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := exec.Command("cp", "-r", example+"/.", work).Run(); err != nil {
		return fmt.Errorf("copying %s: %w", example, err)
	}
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CROSSLINK_MESH_SECRET="+hex.EncodeToString(key),
		"TF_VAR_aws_endpoint="+s.AWSURL, "TF_VAR_aws_access_key="+akid, "TF_VAR_aws_secret_key="+secret,
		"TF_VAR_gcp_endpoint="+s.GCPURL, "TF_VAR_gcp_access_token="+token, "TF_VAR_gcp_project="+project)
	cli := func(args ...string) ([]byte, error) {
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return out.Bytes(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(tf), args[0], err, out.String())
		}
		return out.Bytes(), nil
	}
	destroyed := false
	defer func() {
		if !destroyed {
			_, _ = cli("destroy", "-auto-approve", "-input=false", "-no-color")
		}
	}()

	say("apply %s (an AWS VPC and a GCP VPC, HA VPN with BGP, redundancy 2)", example)
	start := time.Now()
	out, err := cli("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	fmt.Printf("    %s (%.1fs)\n", lastLine(out, "Apply complete"), time.Since(start).Seconds())
	fmt.Printf("    API calls: %d to EC2, %d to Compute\n", s.AWSFaults.Counters().Requests, s.GCPFaults.Counters().Requests)

	say("what the SDKs report (EC2 vgwTelemetry, GCP tunnel status, Cloud Router BGP status)")
	c, err := cloudcheck.Dial(context.Background(), cloudcheck.Target{Mesh: "pair",
		AWSEndpoint: s.AWSURL, AWSAccessKey: akid, AWSSecretKey: secret, AWSRegions: []string{"us-east-1"},
		GCPEndpoint: s.GCPURL, GCPToken: token, GCPProject: project, GCPRegions: []string{"europe-west1"}})
	if err != nil {
		return err
	}
	defer c.Close()
	tun, err := c.ReadTunnels(context.Background())
	if err != nil {
		return err
	}
	for _, group := range []struct {
		name string
		m    map[string]string
	}{{"AWS tunnel", tun.AWS}, {"GCP tunnel", tun.GCP}, {"GCP BGP", tun.GCPBGP}} {
		keys := make([]string, 0, len(group.m))
		for k := range group.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("    %-10s %-45s %s\n", group.name, k, strings.TrimSpace(group.m[k]))
		}
	}
	if down := tun.Down(); len(down) > 0 || len(tun.AWS) != 4 || len(tun.GCP) != 4 {
		return fmt.Errorf("not every tunnel is up:\n%s", strings.Join(down, "\n"))
	}

	say("plan again: nothing to do")
	out, err = cli("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		return fmt.Errorf("the plan after apply is not empty: %w", err)
	}
	fmt.Printf("    %s\n", lastLine(out, "No changes"))

	say("destroy")
	if _, err := cli("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	destroyed = true
	owned, err := c.Owned(context.Background())
	if err != nil {
		return err
	}
	if len(owned) > 0 {
		return fmt.Errorf("left after destroy: %v", owned)
	}
	fmt.Println("    nothing left in either cloud")
	return nil
}

func lastLine(out []byte, prefix string) string {
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func say(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }
