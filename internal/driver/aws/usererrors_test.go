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
