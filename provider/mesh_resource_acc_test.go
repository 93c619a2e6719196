package provider

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest"
)

// siteHCL renders one site block.
func siteHCL(name, cloud, cidr string) string {
	switch cloud {
	case "aws":
		return fmt.Sprintf(`site {
  name = %q
  cloud = "aws"
  region = "us-east-1"
  network_id = "vpc-0a1b2c3d4e5f67890"
  cidrs = [%q]
}
`, name, cidr)
	case "gcp":
		return fmt.Sprintf("site {\n  name = %q\n  cloud = \"gcp\"\n  region = \"europe-west1\"\n  network_id = \"prod\"\n  cidrs = [%q]\n}\n", name, cidr)
	case "azure":
		return fmt.Sprintf("site {\n  name = %q\n  cloud = \"azure\"\n  region = \"westeurope\"\n  network_id = \"/subscriptions/0/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/prod\"\n  cidrs = [%q]\n}\n", name, cidr)
	default:
		return fmt.Sprintf("site {\n  name = %q\n  cloud = \"host\"\n  agent = \"https://198.51.100.%d:7443\"\n  cidrs = [%q]\n}\n", name, len(name)+10, cidr)
	}
}

func meshHCL(extra string, sites ...string) string {
	return fmt.Sprintf("resource \"crosslink_mesh\" \"test\" {\n  name = \"acc\"\n%s\n%s}\n", extra, strings.Join(sites, ""))
}

var fourClouds = []string{
	siteHCL("aws-use1", "aws", "10.10.0.0/16"),
	siteHCL("gcp-euw1", "gcp", "10.20.0.0/16"),
	siteHCL("az-weu", "azure", "10.30.0.0/16"),
	siteHCL("dc1", "host", "10.40.0.0/16"),
}

// TestAccMeshPlanFourClouds plans a four-cloud mesh with no drivers and no
// secret: every computed value is known at plan time.
func TestAccMeshPlanFourClouds(t *testing.T) {
	res := "crosslink_mesh.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:             meshHCL("  redundancy = 2", fourClouds...),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				// aws-gcp 4, aws-azure 4, aws-host 2, gcp-azure 2, gcp-host 2, azure-host 2.
				plancheck.ExpectKnownValue(res, tfjsonpath.New("tunnels"), knownvalue.ListSizeExact(16)),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("bgp_sessions"), knownvalue.ListSizeExact(32)),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("paths"), knownvalue.ListSizeExact(6)),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("weak_points"), knownvalue.ListSizeExact(0)),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("tunnels").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"key":         knownvalue.StringExact("aws-use1~az-weu#0"),
					"transport":   knownvalue.StringExact("ipsec"),
					"a_site":      knownvalue.StringExact("aws-use1"),
					"b_site":      knownvalue.StringExact("az-weu"),
					"inside_cidr": knownvalue.StringRegexp(regexp.MustCompile(`^169\.254\.2[12]\.\d+/30$`)),
					// AWS takes the first host of the /30.
					"a_address": knownvalue.StringFunc(func(v string) error {
						a, err := netip.ParseAddr(v)
						if err != nil || a.As4()[3]%4 != 1 {
							return fmt.Errorf("%q is not the first host of a /30", v)
						}
						return nil
					}),
				})),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("objects").AtMapKey("aws/aws-use1/vpn_gateway/main"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"kind": knownvalue.StringExact("aws_vpn_gateway"), "cloud": knownvalue.StringExact("aws"),
					"digest": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{16}$`)),
				})),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("objects").AtMapKey("gcp/gcp-euw1/external_vpn_gateway/aws-use1"), knownvalue.NotNull()),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("objects").AtMapKey("host/dc1/bgp_session/dc1~gcp-euw1#1"), knownvalue.NotNull()),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("asns").AtMapKey("dc1"), knownvalue.NotNull()),
			}},
		}},
	})
}

// TestAccMeshApplyNeedsDriver: this build has no Azure driver yet, so apply
// must stop before touching anything, naming the site; a GCP site whose
// network names no project, with no project in the provider, is refused
// too, as are the host's links to clouds; all at once.
func TestAccMeshApplyNeedsDriver(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: "provider \"crosslink\" {\n  mesh_secret = \"s3cret-for-acceptance-tests\"\n}\n" + meshHCL("", fourClouds...),
			ExpectError: wrapped(`Host ↔ cloud links cannot be applied yet`, `No GCP project`, `Site "gcp-euw1" names network "prod" without a project`,
				`No driver for this cloud`, `Site "az-weu" is in azure`),
		}},
	})
}

// TestAccMeshHostCloudLinks: a host linked to a cloud plans, with a
// warning naming the pair, and apply refuses it before any cloud is
// touched (the agent does not speak IPsec yet): nothing is created.
func TestAccMeshHostCloudLinks(t *testing.T) {
	mem := newMemCloud()
	cfg := acctest.ProviderConfig + meshHCL("", siteHCL("aws-use1", "aws", "10.10.0.0/16"), siteHCL("dc1", "host", "10.40.0.0/16"))
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: memFactories(mem),
		Steps: []resource.TestStep{
			{
				// It plans (the warning names the pair; the CLI prints it).
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      cfg,
				ExpectError: wrapped(`Host ↔ cloud links cannot be applied yet`, `1 pair\(s\): dc1–aws-use1`, `Apply stopped before changing anything`),
			},
		},
		CheckDestroy: func(*terraformState) error {
			mem.mu.Lock()
			defer mem.mu.Unlock()
			if len(mem.objs) != 0 || mem.creates != 0 {
				return fmt.Errorf("%d objects exist, %d were created", len(mem.objs), mem.creates)
			}
			return nil
		},
	})
}

// TestAccMeshApplyNeedsAgentCredentials: host sites are applied through
// their agents, which need the provider's hosts block; without it apply
// stops before anything, on the site's agent attribute. A hosts block with
// bad PEM is refused on the attribute at fault.
func TestAccMeshApplyNeedsAgentCredentials(t *testing.T) {
	hosts := []string{siteHCL("dc1", "host", "10.40.0.0/16"), siteHCL("dc2", "host", "10.41.0.0/16")}
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderConfig + meshHCL("", hosts...),
				ExpectError: regexp.MustCompile(`(?s)No agent credentials.*Site\s+"dc1"\s+is\s+a\s+host\s+site`),
			},
			{
				Config:      "provider \"crosslink\" {\n  hosts {\n    ca_cert = \"nope\"\n    client_cert = \"nope\"\n    client_key = \"nope\"\n  }\n}\n" + meshHCL("", hosts...),
				ExpectError: regexp.MustCompile(`(?s)Invalid CA certificate.*Invalid client certificate`),
			},
		},
	})
}

// TestAccMeshApplyNeedsSecret: IPsec tunnels cannot be applied without the
// mesh secret their PSKs derive from.
func TestAccMeshApplyNeedsSecret(t *testing.T) {
	t.Setenv("CROSSLINK_MESH_SECRET", "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: memFactories(newMemCloud()),
		Steps: []resource.TestStep{{
			Config:      meshHCL("", fourClouds[:2]...),
			ExpectError: regexp.MustCompile(`Missing mesh secret`),
		}},
	})
}

// tunnelSnapshot records every tunnel's values by key in one step, and
// checks in a later one that those still present are unchanged.
type tunnelSnapshot struct {
	res   string
	saved map[string]any
	// baseline, when set, is the earlier snapshot this one must preserve.
	baseline *tunnelSnapshot
}

func (s *tunnelSnapshot) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != s.res {
			continue
		}
		tunnels, _ := r.AttributeValues["tunnels"].([]any)
		now := map[string]any{}
		for _, tv := range tunnels {
			m := tv.(map[string]any)
			now[m["key"].(string)] = fmt.Sprint(m)
		}
		s.saved = now
		if s.baseline == nil {
			return
		}
		kept := 0
		for k, v := range s.baseline.saved {
			if now[k] != v {
				resp.Error = fmt.Errorf("tunnel %s changed:\n was %v\n now %v", k, v, now[k])
				return
			}
			kept++
		}
		if kept == 0 || len(now) <= kept {
			resp.Error = fmt.Errorf("expected the old %d tunnels kept and new ones added, have %d", kept, len(now))
		}
		return
	}
	resp.Error = fmt.Errorf("%s not in state", s.res)
}

// TestAccMeshLifecycle applies through in-memory clouds: apply, an empty
// second plan, adding a site keeps every existing tunnel, a PSK rotation
// updates in place, and destroy removes every object. Cloud sites only:
// apply refuses host ↔ cloud links (TestAccMeshHostCloudLinks).
func TestAccMeshLifecycle(t *testing.T) {
	t.Setenv("CROSSLINK_MESH_SECRET", "acceptance-secret")
	cloud := newMemCloud()
	res := "crosslink_mesh.test"
	first := &tunnelSnapshot{res: res}
	second := &tunnelSnapshot{res: res, baseline: first}
	three := []string{fourClouds[0], fourClouds[1], siteHCL("gcp-euw1-b", "gcp", "10.50.0.0/16")}
	four := append(slices.Clone(three), fourClouds[2])
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: memFactories(cloud),
		CheckDestroy: func(*terraformState) error {
			if n := len(cloud.objs); n != 0 {
				return fmt.Errorf("%d objects left after destroy", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: meshHCL("  redundancy = 2", three...),
				ConfigStateChecks: []statecheck.StateCheck{
					first,
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tunnels"), knownvalue.ListSizeExact(10)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("objects").AtMapKey("aws/aws-use1/vpn_gateway/main").AtMapKey("id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^aws-\d+$`))),
				},
			},
			{
				Config:   meshHCL("  redundancy = 2", three...),
				PlanOnly: true, // refresh reads the clouds: nothing to do
			},
			{
				Config: meshHCL("  redundancy = 2", four...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{second,
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tunnels"), knownvalue.ListSizeExact(18))},
			},
			{
				PreConfig: func() { cloud.creates, cloud.deletes, cloud.updates = 0, 0, 0 },
				Config:    meshHCL("  redundancy = 2\n  psk_epoch = 2", four...),
				Check: func(*terraformState) error {
					// Every IPsec object rotates its key in place, except GCP
					// tunnels, whose secret can only change by replacement.
					if cloud.updates == 0 {
						return fmt.Errorf("psk_epoch bump made no in-place updates")
					}
					if cloud.deletes != cloud.creates {
						return fmt.Errorf("rotation created %d and deleted %d objects", cloud.creates, cloud.deletes)
					}
					return nil
				},
			},
		},
	})
}
