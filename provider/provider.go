package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	awsdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/aws"
	gcpdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/gcp"
	hostdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/host"
)

var (
	_ provider.Provider              = (*crosslinkProvider)(nil)
	_ provider.ProviderWithFunctions = (*crosslinkProvider)(nil)
)

// MeshSecretEnv names the environment variable that may hold the mesh secret.
const MeshSecretEnv = "CROSSLINK_MESH_SECRET"

// minSecretLen keeps HKDF's input key strong enough (and FIPS-acceptable).
const minSecretLen = 16

// Option changes how the provider is built (tests use it to inject drivers).
type Option func(*crosslinkProvider)

// WithDrivers makes the given drivers, keyed by cloud, available to apply.
func WithDrivers(d map[string]driver.Driver) Option {
	return func(p *crosslinkProvider) { p.drivers = d }
}

// New returns a constructor for the provider, as providerserver wants it.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &crosslinkProvider{version: version, drivers: map[string]driver.Driver{}}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

type crosslinkProvider struct {
	version string
	drivers map[string]driver.Driver
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	drivers    map[string]driver.Driver
	meshSecret []byte // nil when neither the config nor the environment has one
	// hosts holds the mTLS credentials for agents; nil without a hosts block.
	hosts *hostdriver.Credentials
	// aws and gcp configure the cloud drivers; zero values use the SDKs'
	// default credential chains.
	aws awsdriver.Config
	gcp gcpdriver.Config
	// quotas holds the raised cloud limits by quota key; quotasKnown is
	// false while some are unknown (plan then leaves the check to apply).
	quotas      map[string]int
	quotasKnown bool
}

type providerModel struct {
	MeshSecret types.String `tfsdk:"mesh_secret"`
	Hosts      *hostsModel  `tfsdk:"hosts"`
	AWS        *awsModel    `tfsdk:"aws"`
	GCP        *gcpModel    `tfsdk:"gcp"`
	Quotas     *quotasModel `tfsdk:"quotas"`
}

func (p *crosslinkProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "crosslink"
	resp.Version = p.version
}

func (p *crosslinkProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "crosslink connects networks across AWS, GCP, Azure and Linux hosts: " +
			"describe sites and a topology, and plan shows every tunnel, address, route and failover path.",
		Attributes: map[string]schema.Attribute{
			"mesh_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				Description: "Secret from which every tunnel's pre-shared key is derived (HKDF). " +
					"Needed to apply, not to plan. May also be set with the " + MeshSecretEnv + " environment variable.",
			},
		},
		Blocks: map[string]schema.Block{"hosts": hostsBlock(), "aws": awsBlock(), "gcp": gcpBlock(), "quotas": quotasBlock()},
	}
}

func (p *crosslinkProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := &providerData{drivers: p.drivers}
	switch {
	case !m.MeshSecret.IsNull() && !m.MeshSecret.IsUnknown():
		data.meshSecret = []byte(m.MeshSecret.ValueString())
	case os.Getenv(MeshSecretEnv) != "":
		data.meshSecret = []byte(os.Getenv(MeshSecretEnv))
	}
	if n := len(data.meshSecret); n > 0 && n < minSecretLen {
		// The secret is never echoed back, only its length.
		resp.Diagnostics.AddAttributeError(path.Root("mesh_secret"), "Mesh secret too short",
			fmt.Sprintf("The mesh secret has %d bytes; use at least %d (32 random bytes are best), since every pre-shared key derives from it.", n, minSecretLen))
		return
	}
	data.hosts = configureHosts(m.Hosts, &resp.Diagnostics)
	data.aws = configureAWS(m.AWS, &resp.Diagnostics)
	data.gcp = configureGCP(m.GCP, &resp.Diagnostics)
	data.quotas, data.quotasKnown = configureQuotas(ctx, m.Quotas, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *crosslinkProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewMeshResource}
}

func (p *crosslinkProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewFailureAnalysisDataSource}
}

func (p *crosslinkProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{NewCIDROverlapsFunction}
}
