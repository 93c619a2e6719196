package provider

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	hostdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/host"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// hostLab starts a lab of n host sites h0…h(n-1), site i at 10.(40+i).0.0/16,
// each with a real agent. It skips (printing why) where namespaces cannot be
// made, and only runs as an acceptance test.
func hostLab(t *testing.T, n int) *lab.Lab {
	t.Helper()
	if os.Getenv(acctest.EnvAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	if os.Geteuid() != 0 {
		t.Skip("host-site acceptance tests need root for network namespaces")
	}
	specs := make([]lab.HostSpec, n)
	for i := range specs {
		specs[i] = labSpec(i)
	}
	return lab.Start(t, lab.Options{Hosts: specs, AgentBin: lab.BuildAgent(t)})
}

func labSpec(i int) lab.HostSpec {
	return lab.HostSpec{Name: fmt.Sprintf("h%d", i), CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(40 + i), 0, 0}), 16)}
}

// hostProvider is the provider block with the lab's agent credentials.
func hostProvider(l *lab.Lab, ca, cert, key string) string {
	return fmt.Sprintf(`provider "crosslink" {
  mesh_secret = %q
  hosts {
    ca_cert     = <<-EOT
%s
EOT
    client_cert = <<-EOT
%s
EOT
    client_key  = <<-EOT
%s
EOT
  }
}
`, acctest.TestMeshSecret, strings.TrimSpace(ca), strings.TrimSpace(cert), strings.TrimSpace(key))
}

// hostMesh renders a mesh of the named lab hosts.
func hostMesh(l *lab.Lab, extra string, names ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"crosslink_mesh\" \"lab\" {\n  name = \"lab\"\n  redundancy = 2\n%s\n", extra)
	for _, n := range names {
		// Hosts added later have no lab entry yet when configs are built:
		// the lab numbers hosts in order of creation.
		var i int
		fmt.Sscanf(n, "h%d", &i)
		spec := labSpec(i)
		url := fmt.Sprintf("https://198.51.100.%d:%d", 10+i, lab.AgentPort)
		fmt.Fprintf(&b, "  site {\n    name = %q\n    cloud = \"host\"\n    agent = %q\n    cidrs = [%q]\n  }\n", n, url, spec.CIDR)
	}
	b.WriteString("}\n")
	return b.String()
}

func labConfig(l *lab.Lab, extra string, names ...string) string {
	return hostProvider(l, l.CA, l.ClientCert, l.ClientKey) + hostMesh(l, extra, names...)
}

func hostNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("h%d", i)
	}
	return out
}

// reachAll checks that every LAN reaches every other one: ICMP and a TCP
// stream. BGP needs a few seconds after apply, so the first pings wait.
func reachAll(l *lab.Lab, names []string) error {
	for _, a := range names {
		for _, b := range names {
			if a == b {
				continue
			}
			if err := l.Ping(a, b, 30*time.Second); err != nil {
				return fmt.Errorf("LAN %s → LAN %s: %w\n%s", a, b, err, l.AgentLogTail(a, 20))
			}
			if err := l.TCPStream(a, b, 1<<20, 20*time.Second); err != nil {
				return fmt.Errorf("TCP LAN %s → LAN %s: %w", a, b, err)
			}
		}
	}
	return nil
}

// agentObjects lists what the agents report through the host driver.
func agentObjects(l *lab.Lab, names []string) (map[string]string, error) {
	agents := map[string]string{}
	for _, n := range names {
		agents[n] = l.Host(n).AgentURL
	}
	d := hostdriver.New("lab", agents, hostdriver.Credentials{CACert: l.CA, ClientCert: l.ClientCert, ClientKey: l.ClientKey}, hostdriver.Options{})
	objs, err := d.Observe(context.Background(), driver.Scope{Mesh: "lab", Sites: names})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, o := range objs {
		out[o.Key] = o.ID
	}
	return out, nil
}

// objectsMatchAgents is a state check: the objects map in state holds
// exactly the objects the agents report, with the same IDs.
type objectsMatchAgents struct {
	l     *lab.Lab
	names []string
}

func (c objectsMatchAgents) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	got, err := agentObjects(c.l, c.names)
	if err != nil {
		resp.Error = err
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != "crosslink_mesh.lab" {
			continue
		}
		objs, _ := r.AttributeValues["objects"].(map[string]any)
		var diff []string
		for k, v := range objs {
			id, _ := v.(map[string]any)["id"].(string)
			if got[k] != id {
				diff = append(diff, fmt.Sprintf("%s: state id %q, agent %q", k, id, got[k]))
			}
		}
		for k := range got {
			if _, ok := objs[k]; !ok {
				diff = append(diff, k+": on an agent, not in state")
			}
		}
		sort.Strings(diff)
		if len(diff) > 0 || len(objs) == 0 {
			resp.Error = fmt.Errorf("state and agents differ (%d in state):\n%s", len(objs), strings.Join(diff, "\n"))
		}
		return
	}
	resp.Error = fmt.Errorf("crosslink_mesh.lab not in state")
}

// failover cuts the link a–b while traffic flows from a's LAN to b's and
// returns the outage: the longest gap between answered probes.
func failover(t *testing.T, l *lab.Lab, a, b string) (time.Duration, error) {
	p := l.Probe(a, b, 20*time.Millisecond)
	time.Sleep(time.Second)
	if err := l.Cut(a, b); err != nil {
		p.Stop()
		return 0, err
	}
	time.Sleep(6 * time.Second)
	cutUntil := time.Now()
	if err := l.Restore(a, b); err != nil {
		p.Stop()
		return 0, err
	}
	st := p.Stop()
	t.Logf("failover %s→%s after a cut: longest gap %v (sent %d, answered %d)", a, b, st.LongestGap, st.Sent, st.Received)
	// The outage must end while the link is still cut: traffic went on
	// over the backup path.
	if !st.GapTo.Before(cutUntil) {
		return st.LongestGap, fmt.Errorf("traffic did not resume over the backup path: no answer from %v until the link came back", st.GapFrom)
	}
	return st.LongestGap, nil
}

// TestAccHostMesh applies a full mesh of lab hosts with real agents and real
// WireGuard and checks packets, failover, growth, key rotation and destroy.
func TestAccHostMesh(t *testing.T) {
	l := hostLab(t, 4)
	four, five := hostNames(4), hostNames(5)
	res := "crosslink_mesh.lab"
	first := &tunnelSnapshot{res: res}
	second := &tunnelSnapshot{res: res, baseline: first}
	var keys1 map[string]string
	var rotation *lab.Prober
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraformState) error {
			objs, err := agentObjects(l, five)
			if err != nil {
				return err
			}
			if len(objs) != 0 {
				return fmt.Errorf("%d objects left on agents after destroy", len(objs))
			}
			for _, n := range five {
				if st, err := l.Status(n); err != nil || len(st.Sessions) != 0 || len(st.Routes) != 0 {
					return fmt.Errorf("%s after destroy: %+v, %v", n, st, err)
				}
			}
			if out, _ := l.Exec(l.Host("h0").NS, "ip", "route", "show", "203.0.113.0/24"); !strings.Contains(out, "lan0") {
				return fmt.Errorf("destroy touched a route crosslink did not make (now %q)", out)
			}
			return l.CheckClean()
		},
		Steps: []resource.TestStep{
			{
				// A route of the host's own, which nothing may touch.
				PreConfig: func() {
					if _, err := l.Exec(l.Host("h0").NS, "ip", "route", "add", "203.0.113.0/24", "dev", "lan0", "proto", "static"); err != nil {
						t.Fatal(err)
					}
				},
				Config: labConfig(l, "", four...),
				ConfigStateChecks: []statecheck.StateCheck{
					first, objectsMatchAgents{l, four},
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tunnels"), knownvalue.ListSizeExact(6)),
				},
				Check: func(*terraformState) error {
					if err := reachAll(l, four); err != nil {
						return err
					}
					gap, err := failover(t, l, "h0", "h1")
					if err != nil {
						return err
					}
					keys1 = publicKeys(l, four)
					return assertBelow("failover", gap, 3*time.Second)
				},
			},
			{
				// Refresh reads the agents: nothing to do.
				Config:   labConfig(l, "", four...),
				PlanOnly: true,
			},
			{
				PreConfig: func() { l.AddHost(t, labSpec(4)) },
				Config:    labConfig(l, "", five...),
				ConfigStateChecks: []statecheck.StateCheck{
					second, objectsMatchAgents{l, five},
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tunnels"), knownvalue.ListSizeExact(10)),
				},
				Check: func(*terraformState) error {
					for dev, k := range keys1 {
						if now := publicKeys(l, four)[dev]; now != k {
							return fmt.Errorf("adding a site changed the key of %s", dev)
						}
					}
					return reachAll(l, five)
				},
			},
			{
				PreConfig: func() { rotation = l.Probe("h0", "h2", 20*time.Millisecond) },
				Config:    labConfig(l, "  key_epoch = 2", five...),
				Check: func(*terraformState) error {
					if err := reachAll(l, []string{"h0", "h2"}); err != nil {
						return err
					}
					st := rotation.Stop()
					t.Logf("key rotation: longest gap h0→h2 %v (sent %d, answered %d)", st.LongestGap, st.Sent, st.Received)
					now := publicKeys(l, four)
					for dev, k := range keys1 {
						if now[dev] == k {
							return fmt.Errorf("key_epoch bump left the key of %s as it was", dev)
						}
					}
					if err := reachAll(l, five); err != nil {
						return err
					}
					return assertBelow("outage during key rotation", st.LongestGap, 3*time.Second)
				},
			},
		},
	})
}

// publicKeys maps "host/device" to its public key, from the agents.
func publicKeys(l *lab.Lab, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		st, err := l.Status(n)
		if err != nil {
			continue
		}
		for _, d := range st.Devices {
			out[n+"/"+d.Name] = d.PublicKey
		}
	}
	return out
}

func assertBelow(what string, got, limit time.Duration) error {
	if got >= limit {
		return fmt.Errorf("%s took %v, the goal is under %v", what, got, limit)
	}
	return nil
}

// TestAccHostMeshErrors: agents that cannot be used give a diagnostic naming
// the site, and a half-finished apply is converged by the next one.
func TestAccHostMeshErrors(t *testing.T) {
	l := hostLab(t, 3)
	three := hostNames(3)
	garbage := l.GarbageAgent(t)
	withAgent := func(site, url string) string {
		c := labConfig(l, "", three...)
		return strings.Replace(c, fmt.Sprintf("agent = %q", l.Host(site).AgentURL), fmt.Sprintf("agent = %q", url), 1)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 preCheck(t),
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraformState) error {
			objs, err := agentObjects(l, three)
			if err != nil {
				return err
			}
			if len(objs) != 0 {
				return fmt.Errorf("%d objects left on agents after destroy", len(objs))
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      withAgent("h2", "198.51.100.12"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid agent endpoint`),
			},
			{
				Config:      withAgent("h2", "https://198.51.100.12:7999"),
				ExpectError: wrapped(`host site "h2"`, `refused`),
			},
			{
				Config:      withAgent("h2", garbage),
				ExpectError: wrapped(`host site "h2"`, `not crosslink agent JSON`),
			},
			{
				Config:      hostProvider(l, l.WrongCA, l.ClientCert, l.ClientKey) + hostMesh(l, "", three...),
				ExpectError: wrapped(`host site "h\d"`, `not signed by hosts.ca_cert`),
			},
			{
				Config:      hostProvider(l, l.CA, l.WrongClientCert, l.WrongClientKey) + hostMesh(l, "", three...),
				ExpectError: wrapped(`host site "h\d"`, `refused the client certificate`, `not signed by the CA this agent trusts`),
			},
			{
				// Another mesh holds h2's first device name: the apply fails
				// on that object, naming the site, after others were made.
				PreConfig:   func() { intruder(t, l, "h2", true) },
				Config:      labConfig(l, "", three...),
				ExpectError: wrapped(`host site "h2"`, `already used`),
			},
			{
				// Once it is gone the next apply converges, nothing duplicated.
				PreConfig:         func() { intruder(t, l, "h2", false) },
				Config:            labConfig(l, "", three...),
				ConfigStateChecks: []statecheck.StateCheck{objectsMatchAgents{l, three}},
				Check:             func(*terraformState) error { return reachAll(l, three) },
			},
			{
				// An agent restart loses its embedded devices with the
				// process; it makes them again from what it stored, with the
				// same keys, so there is nothing to apply and traffic flows.
				PreConfig: func() {
					if err := l.StopAgent("h1"); err != nil {
						t.Fatal(err)
					}
					l.StartAgent(t, "h1")
				},
				Config: labConfig(l, "", three...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: func(*terraformState) error { return reachAll(l, three) },
			},
		},
	})
}

// intruder puts (or removes) a device named xl0 on a host's agent under
// another mesh, so that this mesh's own xl0 there is refused.
func intruder(t *testing.T, l *lab.Lab, site string, put bool) {
	t.Helper()
	d := hostdriver.New("intruder", map[string]string{site: l.Host(site).AgentURL},
		hostdriver.Credentials{CACert: l.CA, ClientCert: l.ClientCert, ClientKey: l.ClientKey}, hostdriver.Options{})
	o := plan.Object{Key: "host/" + site + "/wireguard_device/intruder", Kind: "host_wireguard_device", Cloud: "host", Site: site,
		Attrs: map[string]string{"device": "xl0", "listen_port": "52000", "address": "169.254.250.1/30", "key_epoch": "1"}}
	var err error
	if put {
		_, err = d.Create(context.Background(), o, nil)
	} else {
		err = d.Delete(context.Background(), o)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// wrapped matches the given phrases in order in a diagnostic that the CLI
// may have wrapped at any space.
func wrapped(phrases ...string) *regexp.Regexp {
	for i, p := range phrases {
		phrases[i] = strings.ReplaceAll(p, " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(phrases, ".*"))
}
