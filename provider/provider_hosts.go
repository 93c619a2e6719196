package provider

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	hostdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/host"
)

// hostsModel is the provider's hosts block: mutual TLS to crosslink agents.
type hostsModel struct {
	CACert     types.String `tfsdk:"ca_cert"`
	ClientCert types.String `tfsdk:"client_cert"`
	ClientKey  types.String `tfsdk:"client_key"`
}

func hostsBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "Mutual TLS to the crosslink agents of host sites. Needed to apply a mesh with host sites, not to plan it.",
		Attributes: map[string]schema.Attribute{
			"ca_cert": schema.StringAttribute{Optional: true,
				Description: "PEM certificate of the CA that signs the agents' server certificates."},
			"client_cert": schema.StringAttribute{Optional: true,
				Description: "PEM client certificate the provider presents; the agents trust its CA with -client-ca."},
			"client_key": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "PEM private key of client_cert."},
		},
	}
}

// configureHosts checks the block's PEM text and returns the credentials,
// or nil when the block is absent. Errors never quote the key.
func configureHosts(m *hostsModel, diags *diag.Diagnostics) *hostdriver.Credentials {
	if m == nil {
		return nil
	}
	c := hostdriver.Credentials{CACert: m.CACert.ValueString(), ClientCert: m.ClientCert.ValueString(), ClientKey: m.ClientKey.ValueString()}
	at := func(name string) path.Path { return path.Root("hosts").AtName(name) }
	for name, v := range map[string]types.String{"ca_cert": m.CACert, "client_cert": m.ClientCert, "client_key": m.ClientKey} {
		if v.IsNull() || v.ValueString() == "" {
			diags.AddAttributeError(at(name), "Missing agent credential",
				"The hosts block needs ca_cert, client_cert and client_key (PEM text, e.g. file(\"ca.pem\")).")
		}
	}
	if diags.HasError() {
		return nil
	}
	if !x509.NewCertPool().AppendCertsFromPEM([]byte(c.CACert)) {
		diags.AddAttributeError(at("ca_cert"), "Invalid CA certificate", "ca_cert holds no PEM certificate.")
	}
	if b, _ := pem.Decode([]byte(c.ClientCert)); b == nil {
		diags.AddAttributeError(at("client_cert"), "Invalid client certificate", "client_cert holds no PEM block.")
	} else if _, err := tls.X509KeyPair([]byte(c.ClientCert), []byte(c.ClientKey)); err != nil {
		diags.AddAttributeError(at("client_key"), "Client key does not fit",
			"client_cert and client_key do not form a key pair: "+err.Error())
	}
	if diags.HasError() {
		return nil
	}
	return &c
}
