package cloudenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
)

// Credentials the emulator accepts in the cloud acceptance tests.
const (
	AWSKey    = "AKIDCROSSLINKACC"
	AWSSecret = "crosslink-acc-secret"
	GCPToken  = "crosslink-acc-token"
	Project   = "crosslink-acc"
	VPC       = "vpc-0a1b2c3d4e5f60718"
)

// Env is where a cloud acceptance test runs: the emulator process, or
// real clouds when CROSSLINK_ACC_REAL names them.
type Env struct {
	Emu        *emulator.Client // nil against real clouds
	AWSRegion  string
	VPC        string
	GCPRegions [2]string
	Networks   [2]string // the GCP networks of the two GCP sites
	AWS, GCP   string    // the provider's aws and gcp blocks
	Target     cloudcheck.Target
}

// Setup starts the emulator (seeded with a VPC and two GCP networks)
// or, with CROSSLINK_ACC_REAL=aws,gcp, reads where the real ones are.
func Setup(t testing.TB, mesh string) *Env {
	t.Helper()
	if os.Getenv(acctest.EnvAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	if real := os.Getenv("CROSSLINK_ACC_REAL"); real != "" {
		return realEnv(t, mesh, real)
	}
	root, err := lab.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	emu := emulator.StartProcess(t, root, emulator.ProcessOptions{
		Delay: 100 * time.Millisecond, OpDelay: 50 * time.Millisecond,
		AWSCredentials: map[string]string{AWSKey: AWSSecret}, GCPTokens: []string{GCPToken},
	})
	e := &Env{Emu: emu, AWSRegion: "us-east-1", VPC: VPC,
		GCPRegions: [2]string{"europe-west1", "us-central1"}, Networks: [2]string{"prod", "edge"}}
	if err := emu.SeedVPC(emulator.SeedVPC{Region: e.AWSRegion, VPC: ec2.VPC{ID: VPC, CIDR: "10.10.0.0/16",
		Subnets: []ec2.Subnet{{AZ: "us-east-1a", CIDR: "10.10.0.0/24"}, {AZ: "us-east-1b", CIDR: "10.10.1.0/24"}}}}); err != nil {
		t.Fatal(err)
	}
	for i, n := range e.Networks {
		cidr := fmt.Sprintf("10.%d.0.0/16", 20+10*i)
		if err := emu.SeedNetwork(emulator.SeedNetwork{Project: Project, Network: gce.Network{Name: n,
			Subnets: []gce.Subnet{{Name: n + "-main", Region: e.GCPRegions[i], CIDR: cidr}}}}); err != nil {
			t.Fatal(err)
		}
	}
	e.AWS = fmt.Sprintf("  aws {\n    endpoint = %q\n    access_key = %q\n    secret_key = %q\n  }\n", emu.AWS, AWSKey, AWSSecret)
	e.GCP = fmt.Sprintf("  gcp {\n    endpoint = %q\n    project = %q\n    access_token = %q\n  }\n", emu.GCP, Project, GCPToken)
	e.Target = cloudcheck.Target{Mesh: mesh, AWSEndpoint: emu.AWS, AWSAccessKey: AWSKey, AWSSecretKey: AWSSecret,
		AWSRegions: []string{e.AWSRegion}, GCPEndpoint: emu.GCP, GCPToken: GCPToken, GCPProject: Project,
		GCPRegions: e.GCPRegions[:]}
	return e
}

// realEnv reads the real clouds' coordinates from the environment and
// skips, saying what is missing, when they are incomplete.
func realEnv(t testing.TB, mesh, clouds string) *Env {
	t.Helper()
	if !strings.Contains(clouds, "aws") || !strings.Contains(clouds, "gcp") {
		t.Skipf("CROSSLINK_ACC_REAL=%q: this test needs both aws and gcp", clouds)
	}
	need := []string{"CROSSLINK_ACC_AWS_REGION", "CROSSLINK_ACC_AWS_VPC", "CROSSLINK_ACC_GCP_PROJECT",
		"CROSSLINK_ACC_GCP_NETWORK", "CROSSLINK_ACC_GCP_NETWORK2", "CROSSLINK_ACC_GCP_REGION", "CROSSLINK_ACC_GCP_REGION2"}
	var missing []string
	for _, n := range need {
		if os.Getenv(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Skipf("CROSSLINK_ACC_REAL is set but %s are not: skipping the real-cloud run", strings.Join(missing, ", "))
	}
	e := &Env{AWSRegion: os.Getenv("CROSSLINK_ACC_AWS_REGION"), VPC: os.Getenv("CROSSLINK_ACC_AWS_VPC"),
		GCPRegions: [2]string{os.Getenv("CROSSLINK_ACC_GCP_REGION"), os.Getenv("CROSSLINK_ACC_GCP_REGION2")},
		Networks:   [2]string{os.Getenv("CROSSLINK_ACC_GCP_NETWORK"), os.Getenv("CROSSLINK_ACC_GCP_NETWORK2")}}
	e.AWS = "  aws {}\n"
	e.GCP = fmt.Sprintf("  gcp {\n    project = %q\n  }\n", os.Getenv("CROSSLINK_ACC_GCP_PROJECT"))
	e.Target = cloudcheck.Target{Mesh: mesh, AWSRegions: []string{e.AWSRegion},
		GCPProject: os.Getenv("CROSSLINK_ACC_GCP_PROJECT"), GCPRegions: e.GCPRegions[:]}
	return e
}

// ProviderHCL is the provider block; blocks replace the aws/gcp ones when
// a test needs bad ones.
func (e *Env) ProviderHCL(aws, gcp string) string {
	return fmt.Sprintf("provider \"crosslink\" {\n  mesh_secret = %q\n%s%s}\n", acctest.TestMeshSecret, aws, gcp)
}

// MeshHCL renders the mesh: an AWS site, a GCP site, and with three a
// second GCP site in another region and network.
func (e *Env) MeshHCL(name string, sites int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"crosslink_mesh\" \"cloud\" {\n  name = %q\n  redundancy = 2\n%s\n", name, extra)
	fmt.Fprintf(&b, "  site {\n    name = \"aws-use1\"\n    cloud = \"aws\"\n    region = %q\n    network_id = %q\n    cidrs = [\"10.10.0.0/16\"]\n  }\n", e.AWSRegion, e.VPC)
	names := []string{"gcp-euw1", "gcp-usc1"}
	for i := range sites - 1 {
		fmt.Fprintf(&b, "  site {\n    name = %q\n    cloud = \"gcp\"\n    region = %q\n    network_id = %q\n    cidrs = [%q]\n  }\n",
			names[i], e.GCPRegions[i], e.Networks[i], fmt.Sprintf("10.%d.0.0/16", 20+10*i))
	}
	b.WriteString("}\n")
	return b.String()
}

func (e *Env) Config(name string, sites int, extra string) string {
	return e.ProviderHCL(e.AWS, e.GCP) + e.MeshHCL(name, sites, extra)
}

func (e *Env) Clients(t testing.TB) *cloudcheck.Clients {
	t.Helper()
	c, err := cloudcheck.Dial(context.Background(), e.Target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// WaitUp waits until the SDKs report every tunnel and session up, and the
// expected numbers of them.
func WaitUp(c *cloudcheck.Clients, aws, gcp int, within time.Duration) (cloudcheck.Tunnels, error) {
	deadline := time.Now().Add(within)
	for {
		tun, err := c.ReadTunnels(context.Background())
		if err == nil {
			a, g, b := tun.Count()
			down := tun.Down()
			if a == aws && g == gcp && b == gcp && len(down) == 0 {
				return tun, nil
			}
			err = fmt.Errorf("%d AWS tunnels, %d GCP tunnels, %d GCP BGP sessions (want %d, %d, %d); not up:\n%s",
				a, g, b, aws, gcp, gcp, strings.Join(down, "\n"))
		}
		if time.Now().After(deadline) {
			return tun, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// NoDuplicates is a check: every ownership key is held once.
func NoDuplicates(c *cloudcheck.Clients) error {
	owned, err := c.Owned(context.Background())
	if err != nil {
		return err
	}
	if d := cloudcheck.Duplicates(owned); len(d) > 0 {
		return fmt.Errorf("duplicated objects:\n%s", strings.Join(d, "\n"))
	}
	return nil
}

// Monitor samples, through the SDKs, how many tunnels each site pair with
// a GCP end has up, until stopped; Stop returns the fewest seen per pair
// and the number of samples. It is how a test sees that a key rotation
// never took a pair fully down.
type Monitor struct {
	stop chan struct{}
	done chan struct{}
	min  map[string]int
	n    int
	err  error
}

// Watch starts a Monitor sampling every interval.
func Watch(c *cloudcheck.Clients, interval time.Duration) *Monitor {
	m := &Monitor{stop: make(chan struct{}), done: make(chan struct{}), min: map[string]int{}}
	go func() {
		defer close(m.done)
		for {
			tun, err := c.ReadTunnels(context.Background())
			if err != nil {
				m.err = err
			} else {
				m.n++
				for pair, up := range tun.UpPairs() {
					if old, ok := m.min[pair]; !ok || up < old {
						m.min[pair] = up
					}
				}
			}
			select {
			case <-m.stop:
				return
			case <-time.After(interval):
			}
		}
	}()
	return m
}

// Stop ends the sampling and returns the fewest tunnels seen up per pair,
// the number of samples and the last read error.
func (m *Monitor) Stop() (map[string]int, int, error) {
	close(m.stop)
	<-m.done
	return m.min, m.n, m.err
}
