package gcp

import (
	"context"
	"errors"
	"strings"
	"testing"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

func TestMissingNetworkNamesTheSite(t *testing.T) {
	m := testMesh()
	m.Sites[0].NetworkID = "nope"
	e := newEnv(t, m, gce.Options{}, Config{})
	_, err := e.d.Observe(context.Background(), e.scope())
	want := `site "gcp-a": network "nope" does not exist in project "proj-a"`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestBadTokenNamesTheSiteAndKey(t *testing.T) {
	m := testMesh()
	e := newEnv(t, m, gce.Options{Tokens: []string{"good-token"}}, Config{AccessToken: "bad-token"})
	_, err := e.d.Observe(context.Background(), e.scope())
	if err == nil || !strings.Contains(err.Error(), `"gcp-a"`) || !strings.Contains(err.Error(), "401") || e.d.Retryable(err) {
		t.Fatalf("Observe with a bad token: %v", err)
	}
	o := gcpObjects(t, m)[1] // the HA gateway of gcp-a
	_, err = e.d.Create(context.Background(), o, testSecrets{})
	if err == nil || !strings.HasPrefix(err.Error(), "creating GCP HA VPN gateway (gcp/gcp-a/ha_vpn_gateway/main): ") || e.d.Retryable(err) {
		t.Fatalf("Create with a bad token: %v", err)
	}

	good := newEnv(t, m, gce.Options{Tokens: []string{"good-token"}}, Config{AccessToken: "good-token"})
	if _, err := good.d.Observe(context.Background(), good.scope()); err != nil {
		t.Fatalf("Observe with the good token: %v", err)
	}
}

// TestNameTakenIsRefused: an object with crosslink's name but not its key
// is not adopted.
func TestNameTakenIsRefused(t *testing.T) {
	ctx := context.Background()
	m := testMesh()
	e := newEnv(t, m, gce.Options{}, Config{})
	c, err := compute.NewVpnGatewaysRESTClient(ctx, e.sdkOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	op, err := c.Insert(ctx, &computepb.InsertVpnGatewayRequest{Project: projA, Region: "europe-west1", VpnGatewayResource: &computepb.VpnGateway{
		Name: ptr("prod-gcp-a"), Network: ptr("projects/proj-a/global/networks/prod"), Description: ptr("made by hand")}})
	if err == nil {
		err = op.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	o := gcpObjects(t, m)[1]
	_, err = e.d.Create(ctx, o, testSecrets{})
	if err == nil || !strings.Contains(err.Error(), "name is taken by an object crosslink does not own") {
		t.Fatalf("got %v", err)
	}
}

// TestSecretsStayOut: a refused tunnel's error names it and its site but
// not its PSK, and a PSK that cannot be read fails before any call.
func TestSecretsStayOut(t *testing.T) {
	m := testMesh()
	e := newEnv(t, m, gce.Options{}, Config{})
	var tun plan.Object
	for _, o := range gcpObjects(t, m) {
		if o.Kind == kindTunnel {
			tun = o
			break
		}
	}
	// Its gateway and router do not exist: GCP refuses the tunnel.
	tun.Attrs = resolvedAs(tun.Attrs, map[string]string{
		"vpn_gateway": "projects/proj-a/regions/europe-west1/vpnGateways/missing", "router": "projects/proj-a/regions/europe-west1/routers/missing",
		"peer_gcp_gateway": "projects/proj-b/regions/us-central1/vpnGateways/missing", "peer_external_gateway": "projects/proj-a/global/externalVpnGateways/missing",
	})
	psk, _ := testSecrets{}.PSK(strings.SplitN(tun.Key, "/", 4)[3])
	_, err := e.d.Create(context.Background(), tun, testSecrets{})
	if err == nil || strings.Contains(err.Error(), psk) || !strings.HasPrefix(err.Error(), "creating GCP VPN tunnel ("+tun.Key+"): ") {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
	e.calls.reset()
	_, err = e.d.Create(context.Background(), tun, failingSecrets{})
	if err == nil || !strings.Contains(err.Error(), "pre-shared key") || e.calls.get("POST vpnTunnels") != 0 {
		t.Fatalf("got %v after %v", err, e.calls.n)
	}
}

type failingSecrets struct{}

func (failingSecrets) PSK(string) (string, error) { return "", errors.New("no PSK at this epoch") }

// resolvedAs replaces the references of attrs by the given values.
func resolvedAs(attrs, values map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range attrs {
		if strings.Contains(v, "${") {
			v = values[k]
		}
		out[k] = v
	}
	return out
}

// TestDeleteInUseFails: GCP refuses to delete a gateway tunnels use; the
// error names the object and is not worth retrying. Deleting what is gone
// succeeds.
func TestDeleteInUseFails(t *testing.T) {
	m := testMesh()
	desired := gcpObjects(t, m)
	e := newEnv(t, m, gce.Options{}, Config{})
	e.converge(t, desired)
	var gw plan.Object
	for _, o := range e.observe(t) {
		if o.Kind == kindHAGateway && o.Site == "gcp-a" {
			gw = o
		}
	}
	err := e.d.Delete(context.Background(), gw)
	if err == nil || !strings.HasPrefix(err.Error(), "deleting GCP HA VPN gateway (gcp/gcp-a/ha_vpn_gateway/main): ") || e.d.Retryable(err) {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
	e.converge(t, nil)
	for _, o := range e.observe(t) {
		t.Errorf("%s left", o.Key)
	}
	for _, o := range desired {
		o.ID = ""
		if err := e.d.Delete(context.Background(), o); err != nil {
			t.Errorf("deleting %s again: %v", o.Key, err)
		}
	}
}

func TestCredentialsTypeQuotesNoSecret(t *testing.T) {
	_, err := credentialsType(`{"type":"weird","private_key":"SECRET-KEY"}`)
	if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), `"weird"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := credentialsType(`not json SECRET`); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("got %v", err)
	}
	if typ, err := credentialsType(`{"type":"service_account"}`); err != nil || typ != "service_account" {
		t.Fatalf("got %v %v", typ, err)
	}
}
