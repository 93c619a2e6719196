package aws

import (
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
)

func TestEmulatorObserveNamesSiteOfMissingVPC(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(1)
	m.Sites[1].NetworkID = "vpc-0ffffffffffffffff"
	_, err := newDriver(m, e.url, nil).Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
	want := `site "aws-tgw": VPC vpc-0ffffffffffffffff does not exist in us-east-1`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v; want %q", err, want)
	}
}

// An AWS gateway announces its VPC's CIDR blocks: a site cidr outside them
// stops apply (and refresh) with the site, the cidr and the VPC's blocks,
// before anything changes. One inside a block is fine.
func TestEmulatorObserveRefusesCIDRsOutsideTheVPC(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, nil)
	m := testMesh(1)
	m.Sites[0].CIDRs = []string{"10.1.4.0/24", "10.99.0.0/16"}
	_, err := newDriver(m, e.url, nil).Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
	want := `site "aws-vgw": cidrs 10.99.0.0/16 are not within the CIDR blocks of VPC ` + vpcVGW + ` (10.1.0.0/16); AWS announces the VPC's CIDR blocks`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v; want %q", err, want)
	}
	m.Sites[0].CIDRs = []string{"10.1.4.0/24"}
	if _, err := newDriver(m, e.url, nil).Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)}); err != nil {
		t.Fatal(err)
	}
}

func TestEmulatorWrongCredentials(t *testing.T) {
	ctx := testCtx(t)
	e := newEmu(t, store.Faults{}, map[string]string{"AKIDGOOD": "good-secret"})
	m := testMesh(1)
	for name, tc := range map[string]struct{ key, secret, code string }{
		"unknown key":  {"AKIDBAD", "good-secret", "AuthFailure"},
		"wrong secret": {"AKIDGOOD", "bad-secret", "SignatureDoesNotMatch"},
	} {
		t.Run(name, func(t *testing.T) {
			d := newDriver(m, e.url, func(c *Config) { c.AccessKey, c.SecretKey = tc.key, tc.secret })
			_, err := d.Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)})
			if err == nil || d.Retryable(err) {
				t.Fatalf("err %v (retryable %v)", err, d.Retryable(err))
			}
			for _, want := range []string{tc.code, "access_key", `"aws-vgw"`, "us-east-1"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Error("the error shows the secret key")
			}
		})
	}
	d := newDriver(m, e.url, func(c *Config) { c.AccessKey, c.SecretKey = "AKIDGOOD", "good-secret" })
	if _, err := d.Observe(ctx, driver.Scope{Mesh: m.Name, Sites: awsSites(m)}); err != nil {
		t.Fatalf("right credentials: %v", err)
	}
}
