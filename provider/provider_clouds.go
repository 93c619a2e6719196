package provider

import (
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	awsdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/aws"
	gcpdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/gcp"
)

// awsModel is the provider's aws block. Regions come from the sites.
type awsModel struct {
	Endpoint          types.String  `tfsdk:"endpoint"`
	AccessKey         types.String  `tfsdk:"access_key"`
	SecretKey         types.String  `tfsdk:"secret_key"`
	Profile           types.String  `tfsdk:"profile"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
}

// gcpModel is the provider's gcp block.
type gcpModel struct {
	Project           types.String  `tfsdk:"project"`
	Endpoint          types.String  `tfsdk:"endpoint"`
	AccessToken       types.String  `tfsdk:"access_token"`
	Credentials       types.String  `tfsdk:"credentials"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
}

func rateAttribute(description string) schema.Float64Attribute {
	return schema.Float64Attribute{Optional: true, Description: description,
		Validators: []validator.Float64{float64validator.AtLeast(0.1)}}
}

func endpointAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true,
		Description: "Base URL of an endpoint that speaks the " + what + " API (a sandbox or an emulator) instead of the cloud's own."}
}

func awsBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "How to reach AWS. Without access_key/secret_key the SDK's default credential chain is used " +
			"(environment, shared config and profile, web identity, instance role). Regions come from the sites.",
		Attributes: map[string]schema.Attribute{
			"endpoint":   endpointAttribute("EC2"),
			"access_key": schema.StringAttribute{Optional: true, Description: "Access key id (with secret_key)."},
			"secret_key": schema.StringAttribute{Optional: true, Sensitive: true, Description: "Secret access key."},
			"profile":    schema.StringAttribute{Optional: true, Description: "Shared-config profile for the default chain."},
			"requests_per_second": rateAttribute("Most EC2 describe calls per second crosslink makes per region, so that a large apply " +
				"stays under EC2's throttling (describes refill at 20/s). Default 15. Mutating calls have their own pace: at most 4 a second, never more than this."),
		},
	}
}

func gcpBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "How to reach GCP. Without access_token or credentials, Application Default Credentials are used.",
		Attributes: map[string]schema.Attribute{
			"project":  schema.StringAttribute{Optional: true, Description: "Project of sites whose network_id is a bare network name."},
			"endpoint": endpointAttribute("Compute Engine"),
			"access_token": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "An OAuth2 access token (short-lived; for CI and sandboxes)."},
			"credentials": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "Service-account key or credentials JSON text."},
			"requests_per_second": rateAttribute("Most Compute Engine API calls per second crosslink makes per project and quota group " +
				"(reads, mutations, operation waits), so that a large apply stays under the per-minute quotas. Default 20."),
		},
	}
}

// checkEndpoint reports a malformed endpoint URL on its attribute.
func checkEndpoint(p path.Path, v types.String, diags *diag.Diagnostics) string {
	if v.IsNull() || v.IsUnknown() {
		return ""
	}
	u, err := url.Parse(v.ValueString())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		diags.AddAttributeError(p, "Invalid endpoint", "The endpoint must be an absolute http or https URL such as https://ec2.example.test, got "+quoteValue(v.ValueString())+".")
		return ""
	}
	return v.ValueString()
}

func quoteValue(s string) string { return "\"" + s + "\"" }

// configureAWS turns the block into the driver's configuration; nil
// without a block (the driver then uses the default chain).
func configureAWS(m *awsModel, diags *diag.Diagnostics) awsdriver.Config {
	if m == nil {
		return awsdriver.Config{}
	}
	at := path.Root("aws").AtName
	c := awsdriver.Config{
		Endpoint:          checkEndpoint(at("endpoint"), m.Endpoint, diags),
		AccessKey:         m.AccessKey.ValueString(),
		SecretKey:         m.SecretKey.ValueString(),
		Profile:           m.Profile.ValueString(),
		RequestsPerSecond: m.RequestsPerSecond.ValueFloat64(),
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		diags.AddAttributeError(at("secret_key"), "Incomplete AWS credentials",
			"Set both access_key and secret_key, or neither to use the SDK's default credential chain.")
	}
	return c
}

func configureGCP(m *gcpModel, diags *diag.Diagnostics) gcpdriver.Config {
	if m == nil {
		return gcpdriver.Config{}
	}
	at := path.Root("gcp").AtName
	c := gcpdriver.Config{
		Project:           m.Project.ValueString(),
		Endpoint:          checkEndpoint(at("endpoint"), m.Endpoint, diags),
		AccessToken:       m.AccessToken.ValueString(),
		CredentialsJSON:   m.Credentials.ValueString(),
		RequestsPerSecond: m.RequestsPerSecond.ValueFloat64(),
	}
	if c.AccessToken != "" && c.CredentialsJSON != "" {
		diags.AddAttributeError(at("credentials"), "Conflicting GCP credentials", "Set access_token or credentials, not both.")
	}
	return c
}
