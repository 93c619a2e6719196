package cloudbench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	awsdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/aws"
	gcpdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/gcp"
)

// Credentials the benchmark emulator accepts; the project holds every GCP
// site.
const (
	AWSKey    = "AKIDCROSSLINKBENCH"
	AWSSecret = "crosslink-bench-secret"
	GCPToken  = "crosslink-bench-token"
	Project   = "crosslink-bench"
)

// Clouds is an in-process emulator seeded with a mesh's networks.
type Clouds struct {
	Server *emulator.Server
	Mesh   Mesh
}

// Start starts the emulator (AWS async delay and GCP operation time as
// given), requiring the benchmark's credentials, and seeds m's networks.
func Start(m Mesh, delay, opDelay time.Duration) (*Clouds, error) {
	// The account has the raised VPN connection quota ProviderHCL states.
	s, err := emulator.Start(emulator.Options{Delay: delay, OpDelay: opDelay,
		AWSCredentials: map[string]string{AWSKey: AWSSecret}, GCPTokens: []string{GCPToken},
		AWSQuotas: ec2.Quotas{VPNConnectionsPerVGW: 20}})
	if err != nil {
		return nil, err
	}
	if err := m.Seed(s); err != nil {
		s.Close()
		return nil, err
	}
	return &Clouds{Server: s, Mesh: m}, nil
}

// Close stops the emulator.
func (c *Clouds) Close() { c.Server.Close() }

// Drivers are the provider's drivers for the mesh against the emulator,
// configured as the provider configures them from its aws and gcp blocks
// (endpoint and credentials) plus what a and g set (pacing, polling);
// zero configurations keep the drivers' defaults.
func (c *Clouds) Drivers(a awsdriver.Config, g gcpdriver.Config) map[string]driver.Driver {
	t := c.Mesh.Topology()
	a.Endpoint, a.AccessKey, a.SecretKey = c.Server.AWSURL, AWSKey, AWSSecret
	g.Endpoint, g.Project, g.AccessToken = c.Server.GCPURL, Project, GCPToken
	return map[string]driver.Driver{"aws": awsdriver.New(t, a), "gcp": gcpdriver.New(t, g)}
}

// CloseDrivers releases what drivers hold (the GCP clients), as the
// provider does after each operation.
func CloseDrivers(ds map[string]driver.Driver) {
	for _, d := range ds {
		if c, ok := d.(io.Closer); ok {
			_ = c.Close()
		}
	}
}

// ProviderHCL is the provider block that points the CLI's provider at the
// emulator. The mesh's one VGW has two VPN connections per GCP peer, over
// AWS's default quota of 10: the block states a raised one, as an account
// running such a mesh would have.
func (c *Clouds) ProviderHCL() string {
	return fmt.Sprintf("provider \"crosslink\" {\n  mesh_secret = %q\n  aws {\n    endpoint   = %q\n    access_key = %q\n    secret_key = %q\n  }\n"+
		"  gcp {\n    endpoint     = %q\n    project      = %q\n    access_token = %q\n  }\n"+
		"  quotas {\n    aws = { vpn_connections_per_vgw = 20 }\n  }\n}\n\n",
		acctest.TestMeshSecret, c.Server.AWSURL, AWSKey, AWSSecret, c.Server.GCPURL, Project, GCPToken)
}

// Target is where cloudcheck reads the mesh.
func (c *Clouds) Target() cloudcheck.Target {
	return cloudcheck.Target{Mesh: c.Mesh.Name,
		AWSEndpoint: c.Server.AWSURL, AWSAccessKey: AWSKey, AWSSecretKey: AWSSecret, AWSRegions: c.Mesh.Regions("aws"),
		GCPEndpoint: c.Server.GCPURL, GCPToken: GCPToken, GCPProject: Project, GCPRegions: c.Mesh.Regions("gcp")}
}

// Dial opens cloudcheck's SDK clients on the emulator.
func (c *Clouds) Dial(ctx context.Context) (*cloudcheck.Clients, error) {
	return cloudcheck.Dial(ctx, c.Target())
}

// Secrets derives PSKs the way the provider does (alloc.PSK of the mesh
// secret the CLI path configures), so both paths make the same tunnels.
type Secrets struct {
	Mesh  string
	Epoch int64
}

// PSK implements driver.Secrets.
func (s Secrets) PSK(tunnel string) (string, error) {
	return alloc.PSK([]byte(acctest.TestMeshSecret), s.Mesh, tunnel, s.Epoch), nil
}
