package hostbench

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	hostdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/host"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Specs names n lab hosts h0… with site i at 10.(40+i).0.0/16.
func Specs(n int) []lab.HostSpec {
	out := make([]lab.HostSpec, n)
	for i := range out {
		out[i] = lab.HostSpec{Name: fmt.Sprintf("h%d", i), CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(40 + i), 0, 0}), 16)}
	}
	return out
}

// Mesh is a full mesh of the lab's hosts at redundancy 2.
func Mesh(l *lab.Lab) *topology.Mesh {
	m := &topology.Mesh{Name: "bench", Topology: topology.Full, Redundancy: 2, PSKEpoch: 1, KeyEpoch: 1}
	for _, h := range l.Hosts() {
		m.Sites = append(m.Sites, topology.Site{Name: h.Name, Cloud: topology.Host, Agent: h.AgentURL, CIDRs: []string{h.CIDR.String()}})
	}
	return m
}

// Converge runs the provider's apply pipeline without Terraform: build the
// desired objects, observe the agents, diff, execute. With destroy the
// desired set is empty. It returns the number of actions run.
func Converge(ctx context.Context, l *lab.Lab, m *topology.Mesh, destroy bool) (int, error) {
	return ConvergeWith(ctx, l, m, destroy, engine.Options{})
}

// ConvergeWith is Converge with engine options (progress, parallelism).
func ConvergeWith(ctx context.Context, l *lab.Lab, m *topology.Mesh, destroy bool, o engine.Options) (int, error) {
	d, ps := plan.Build(m, nil)
	if len(ps) > 0 {
		return 0, fmt.Errorf("mesh: %v", ps)
	}
	agents := map[string]string{}
	var sites []string
	for _, s := range m.Sites {
		agents[s.Name], sites = s.Agent, append(sites, s.Name)
	}
	drv := hostdriver.New(m.Name, agents, hostdriver.Credentials{CACert: l.CA, ClientCert: l.ClientCert, ClientKey: l.ClientKey}, hostdriver.Options{})
	observed, err := drv.Observe(ctx, driver.Scope{Mesh: m.Name, Sites: sites})
	if err != nil {
		return 0, err
	}
	desired := d.Objects
	if destroy {
		desired = nil
	}
	g, err := plan.Diff(desired, observed, nil)
	if err != nil {
		return 0, err
	}
	_, err = engine.Run(ctx, g, map[string]driver.Driver{"host": drv}, nil, o)
	return g.Len(), err
}
