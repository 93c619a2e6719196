package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
)

// nothingCreated checks that a failed apply left no object in the clouds.
func nothingCreated(c *cloudcheck.Clients) func(*terraformState) error {
	return func(*terraformState) error {
		owned, err := c.Owned(context.Background())
		if err != nil {
			return err
		}
		if len(owned) != 0 {
			return fmt.Errorf("a failed apply left objects: %v", owned)
		}
		return nil
	}
}

// TestAccCloudMeshErrors: a VPC or network that does not exist, wrong
// credentials and an unreachable endpoint each give a diagnostic naming the
// site, before anything is created.
func TestAccCloudMeshErrors(t *testing.T) {
	const mesh = "errs"
	e := cloudSetup(t, mesh)
	if e.emu == nil {
		t.Skip("wrong credentials and endpoints are emulator-only")
	}
	c := e.clients(t)
	good := e.meshHCL(mesh, 2, "")
	withMesh := func(old, new string) string { return e.providerHCL(e.aws, e.gcp) + strings.Replace(good, old, new, 1) }
	withProvider := func(aws, gcp string) string { return e.providerHCL(aws, gcp) + good }
	check := nothingCreated(c)
	step := func(config string, phrases ...string) resource.TestStep {
		return resource.TestStep{Config: config, ExpectError: wrapped(phrases...)}
	}
	badAWS := strings.Replace(e.aws, accAWSSecret, "not-the-secret", 1)
	badGCP := strings.Replace(e.gcp, accGCPToken, "not-the-token", 1)
	downAWS := strings.Replace(e.aws, e.emu.AWS, "http://127.0.0.1:1", 1)
	downGCP := strings.Replace(e.gcp, e.emu.GCP, "http://127.0.0.1:1", 1)
	steps := []resource.TestStep{
		step(withMesh(accVPC, "vpc-00000000000000000"), `site "aws-use1"`, `vpc-00000000000000000`, `does not exist`),
		step(withMesh(`network_id = "prod"`, `network_id = "nonet"`), `site "gcp-euw1"`, `network "nonet"`, `does not exist`),
		step(withProvider(badAWS, e.gcp), `aws-use1`, `SignatureDoesNotMatch`),
		step(withProvider(e.aws, badGCP), `gcp-euw1`, `401`),
		step(withProvider(downAWS, e.gcp), `aws-use1`, `connection refused`),
		step(withProvider(e.aws, downGCP), `gcp-euw1`, `connection refused`),
	}
	// The last step applies for real: nothing was left in the way.
	steps = append(steps, resource.TestStep{Config: withProvider(e.aws, e.gcp), Check: func(*terraformState) error {
		_, err := waitUp(c, 4, 4, 30*time.Second)
		return err
	}})
	// A failed step runs no Check: the next step verifies it left nothing.
	for i := 1; i < len(steps); i++ {
		steps[i].PreConfig = func() {
			if err := check(nil); err != nil {
				t.Fatalf("after step %d: %v", i, err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps:                    steps,
	})
}
