package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudenv"
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
	e := cloudenv.Setup(t, mesh)
	if e.Emu == nil {
		t.Skip("wrong credentials and endpoints are emulator-only")
	}
	c := e.Clients(t)
	good := e.MeshHCL(mesh, 2, "")
	withMesh := func(old, new string) string { return e.ProviderHCL(e.AWS, e.GCP) + strings.Replace(good, old, new, 1) }
	withProvider := func(aws, gcp string) string { return e.ProviderHCL(aws, gcp) + good }
	check := nothingCreated(c)
	step := func(config string, phrases ...string) resource.TestStep {
		return resource.TestStep{Config: config, ExpectError: wrapped(phrases...)}
	}
	badAWS := strings.Replace(e.AWS, cloudenv.AWSSecret, "not-the-secret", 1)
	badGCP := strings.Replace(e.GCP, cloudenv.GCPToken, "not-the-token", 1)
	downAWS := strings.Replace(e.AWS, e.Emu.AWS, "http://127.0.0.1:1", 1)
	downGCP := strings.Replace(e.GCP, e.Emu.GCP, "http://127.0.0.1:1", 1)
	steps := []resource.TestStep{
		step(withMesh(cloudenv.VPC, "vpc-00000000000000000"), `site "aws-use1"`, `vpc-00000000000000000`, `does not exist`),
		step(withMesh(`network_id = "prod"`, `network_id = "nonet"`), `site "gcp-euw1"`, `network "nonet"`, `does not exist`),
		step(withProvider(badAWS, e.GCP), `aws-use1`, `SignatureDoesNotMatch`),
		step(withProvider(e.AWS, badGCP), `gcp-euw1`, `401`),
		step(withProvider(downAWS, e.GCP), `aws-use1`, `connection refused`),
		step(withProvider(e.AWS, downGCP), `gcp-euw1`, `connection refused`),
	}
	// The last step applies for real: nothing was left in the way.
	steps = append(steps, resource.TestStep{Config: withProvider(e.AWS, e.GCP), Check: func(*terraformState) error {
		_, err := cloudenv.WaitUp(c, 4, 4, 30*time.Second)
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
