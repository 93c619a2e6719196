package cloudbench

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Calls are one cloud's API calls per operation (EC2 Action, Compute
// method), as the emulator counted them.
type Calls map[string]store.Counters

// Snapshot reads both clouds' counters.
func (c *Clouds) Snapshot() (aws, gcp Calls) {
	return c.Server.AWSFaults.Ops(), c.Server.GCPFaults.Ops()
}

// ResetCounters zeroes both clouds' counters (not their token buckets).
func (c *Clouds) ResetCounters() {
	c.Server.AWSFaults.ResetCounters()
	c.Server.GCPFaults.ResetCounters()
}

// Total is the number of requests over all operations.
func (c Calls) Total() int64 {
	var n int64
	for _, v := range c {
		n += v.Requests
	}
	return n
}

// Throttled is the number of requests answered with throttling.
func (c Calls) Throttled() int64 {
	var n int64
	for _, v := range c {
		n += v.Throttled
	}
	return n
}

// String lists the operations and their request counts, sorted.
func (c Calls) String() string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(c)) {
		s := fmt.Sprintf("%s=%d", op, c[op].Requests)
		if c[op].Throttled > 0 {
			s += fmt.Sprintf(" (%d throttled)", c[op].Throttled)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// listOp is one list call Observe makes per scope (an AWS region, a GCP
// project): what it lists and how many items a page holds (0: the call
// is not paginated, one page holds everything).
type listOp struct {
	op       string
	count    func(scope []plan.Object, sites int) int
	pageSize int
}

func ofKind(kind string) func([]plan.Object, int) int {
	return func(objs []plan.Object, _ int) int {
		n := 0
		for _, o := range objs {
			if o.Kind == kind {
				n++
			}
		}
		return n
	}
}

// perSite counts one listed item per site: a VPC (with its one route
// table) or a network.
func perSite(_ []plan.Object, sites int) int { return sites }

// The AWS driver's paginators send no MaxResults, and the emulator then
// answers pages of 1000, as EC2 does; the GCP driver asks for 500.
var (
	awsLists = []listOp{
		{"DescribeVpcs", perSite, 1000},
		{"DescribeRouteTables", perSite, 1000},
		{"DescribeVpnGateways", ofKind("aws_vpn_gateway"), 0},
		{"DescribeCustomerGateways", ofKind("aws_customer_gateway"), 0},
		{"DescribeVpnConnections", ofKind("aws_vpn_connection"), 0},
		{"DescribeTransitGateways", ofKind("aws_transit_gateway"), 1000},
		{"DescribeTransitGatewayVpcAttachments", ofKind("aws_transit_gateway_vpc_attachment"), 1000},
	}
	gcpLists = []listOp{
		{"networks.list", perSite, 500},
		{"vpnGateways.aggregatedList", ofKind("gcp_ha_vpn_gateway"), 500},
		{"vpnTunnels.aggregatedList", ofKind("gcp_vpn_tunnel"), 500},
		{"routers.aggregatedList", ofKind("gcp_router"), 500},
		{"externalVpnGateways.list", ofKind("gcp_external_vpn_gateway"), 500},
	}
)

func pages(n, size int) int {
	if size == 0 || n <= size {
		return 1
	}
	return (n + size - 1) / size
}

// ListBudget is, per cloud and operation, the most calls `passes` observes
// of the mesh may make at one list call per object kind, scope and page:
// AWS scopes are regions, GCP's the one project (aggregated lists).
func ListBudget(m Mesh, passes int) (aws, gcp map[string]int64) {
	d, ps := plan.Build(m.Topology(), nil)
	if len(ps) > 0 {
		panic(fmt.Sprintf("benchmark mesh: %v", ps))
	}
	budget := func(lists []listOp, scopes map[string][]plan.Object, sites map[string]int) map[string]int64 {
		out := map[string]int64{}
		for _, l := range lists {
			for s, objs := range scopes {
				out[l.op] += int64(pages(l.count(objs, sites[s]), l.pageSize) * passes)
			}
		}
		return out
	}
	awsScopes, gcpScopes := map[string][]plan.Object{}, map[string][]plan.Object{Project: nil}
	awsSites, gcpSites := map[string]int{}, map[string]int{}
	region := map[string]string{}
	for _, s := range m.Sites {
		region[s.Name] = s.Region
		if s.Cloud == "aws" {
			awsSites[s.Region]++
			if _, ok := awsScopes[s.Region]; !ok {
				awsScopes[s.Region] = nil // a region is listed even when it holds nothing yet
			}
		} else {
			gcpSites[Project]++
		}
	}
	for _, o := range d.Objects {
		if o.Cloud == "aws" {
			awsScopes[region[o.Site]] = append(awsScopes[region[o.Site]], o)
		} else {
			gcpScopes[Project] = append(gcpScopes[Project], o)
		}
	}
	return budget(awsLists, awsScopes, awsSites), budget(gcpLists, gcpScopes, gcpSites)
}

// CheckBudget reports every operation called more often than its budget
// allows, and every operation outside the budget (a per-object read, a
// mutation), sorted.
func CheckBudget(cloud string, got Calls, budget map[string]int64) error {
	var bad []string
	for _, op := range slices.Sorted(maps.Keys(got)) {
		n := got[op].Requests
		switch b, ok := budget[op]; {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s %s: %d calls, and it is not a list of the observe", cloud, op, n))
		case n > b:
			bad = append(bad, fmt.Sprintf("%s %s: %d calls, budget %d", cloud, op, n, b))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("observe call budget exceeded:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}
