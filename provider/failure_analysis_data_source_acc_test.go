package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func analysisHCL(remove string) string {
	return `data "crosslink_failure_analysis" "test" {
  name   = "acc"
  remove = [` + remove + `]
` + siteHCL("dc1", "host", "10.1.0.0/16") + siteHCL("dc2", "host", "10.2.0.0/16") + siteHCL("dc3", "host", "10.3.0.0/16") + "}\n"
}

// TestAccFailureAnalysis removes elements of a three-host full mesh and
// checks which pairs survive and by which path.
func TestAccFailureAnalysis(t *testing.T) {
	ds := "data.crosslink_failure_analysis.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				// Losing the direct tunnel reroutes dc1–dc2 through dc3.
				Config: analysisHCL(`"tunnel:dc1~dc2#0"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("disconnected"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pairs").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"a": knownvalue.StringExact("dc1"), "b": knownvalue.StringExact("dc2"),
						"a_to_b": knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"selection": knownvalue.StringExact("single"),
							"paths": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
								"sites":   knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("dc1"), knownvalue.StringExact("dc3"), knownvalue.StringExact("dc2")}),
								"tunnels": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("dc1~dc3#0"), knownvalue.StringExact("dc2~dc3#0")}),
							})}),
							"backup_selection": knownvalue.StringExact("none"),
						}),
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("weak_points"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				// Losing two tunnels isolates dc1.
				Config: analysisHCL(`"tunnel:dc1~dc2#0", "tunnel:dc1~dc3#0"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("disconnected"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("dc1~dc2"), knownvalue.StringExact("dc1~dc3")})),
				},
			},
			{
				Config:      analysisHCL(`"tunnel:dc1~dc9#0"`),
				ExpectError: regexp.MustCompile(`(?s)Cannot remove these elements.*dc1~dc9`),
			},
			{
				Config:      analysisHCL(`"router:dc1"`),
				ExpectError: regexp.MustCompile(`Invalid element`),
			},
		},
	})
}
