package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudenv"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
)

// TestAccCloudMeshFaults applies the 3-site mesh while both emulators
// throttle 20% of calls, fail 5% with a 5xx and drop 15% of mutating
// replies after applying the change (the apply makes about ten mutating
// AWS calls, so 5% would drop none): it converges, nothing is duplicated,
// and no throttling error reaches the user. Emulator only.
func TestAccCloudMeshFaults(t *testing.T) {
	const mesh = "faults"
	e := cloudenv.Setup(t, mesh)
	if e.Emu == nil {
		t.Skip("fault injection needs the emulator")
	}
	c := e.Clients(t)
	faults := emulator.Faults{ThrottleFraction: 0.2, ErrorRate5xx: 0.05, DropReplyRate: 0.15, Seed: 5}
	// The test's own reads run without faults: they check, they are not
	// under test.
	set := func(f emulator.Faults) {
		for _, cloud := range []string{"aws", "gcp"} {
			if err := e.Emu.SetFaults(cloud, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	set(faults)
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraformState) error {
			set(emulator.Faults{})
			owned, err := c.Owned(context.Background())
			if err != nil {
				return err
			}
			if len(owned) != 0 {
				return fmt.Errorf("left after destroy: %v", owned)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: e.Config(mesh, 3, ""),
			Check: func(*terraformState) error {
				// The emulator injects 5xx and drops by accumulated share,
				// so each cloud's few mutating calls get their share.
				for _, cloud := range []string{"aws", "gcp"} {
					n, err := e.Emu.Counters(cloud)
					if err != nil {
						return err
					}
					t.Logf("%s: %d calls, %d throttled, %d answered 5xx, %d replies dropped",
						cloud, n.Total.Requests, n.Total.Throttled, n.Total.Failed5xx, n.Total.DroppedReplies)
					if c := n.Total; c.Throttled == 0 || c.Failed5xx == 0 || c.DroppedReplies == 0 {
						return fmt.Errorf("%s: not every kind of fault was injected: %+v", cloud, c)
					}
				}
				set(emulator.Faults{})
				defer set(faults) // destroy runs under faults too
				if _, err := cloudenv.WaitUp(c, 8, 12, 30*time.Second); err != nil {
					return err
				}
				return cloudenv.NoDuplicates(c)
			},
		}},
		ErrorCheck: func(err error) error {
			if err != nil && regexp.MustCompile(`RequestLimitExceeded|rateLimitExceeded|Rate Limit Exceeded`).MatchString(err.Error()) {
				return fmt.Errorf("a throttling error reached the user: %w", err)
			}
			return err
		},
	})
}
