// Command labdemo applies examples/hosts to four Linux hosts made of network
// namespaces (acctest/lab), each running the crosslink agent: it shows the
// paths, pings every LAN from every other, cuts a link to show failover,
// destroys the mesh and removes the lab. `make demo` runs it as root; it
// needs the Terraform-compatible CLI and a CLI config that serves the local
// provider build (scripts/demo.sh makes both).
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
)

func main() {
	tf := flag.String("tf", "", "terraform or tofu binary")
	example := flag.String("example", "examples/hosts", "configuration to apply")
	agent := flag.String("agent", "bin/terraform-provider-crosslink", "binary whose agent subcommand runs on the hosts")
	flag.Parse()
	t := &demoT{}
	defer t.cleanup()
	if err := run(t, *tf, *example, *agent); err != nil {
		t.Fatalf("%v", err)
	}
}

func run(t *demoT, tf, example, agent string) error {
	if tf == "" {
		return fmt.Errorf("-tf is required")
	}
	agent, _ = filepath.Abs(agent)
	say("starting 4 lab hosts (network namespaces on a bridge, 198.51.100.0/24), each with a crosslink agent")
	var specs []lab.HostSpec
	for i := range 4 {
		specs = append(specs, lab.HostSpec{Name: fmt.Sprintf("h%d", i), CIDR: netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", 40+i))})
	}
	l := lab.Start(t, lab.Options{Hosts: specs, AgentBin: agent})
	work, err := os.MkdirTemp("", "crosslink-demo-")
	if err != nil {
		return err
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	if err := exec.Command("cp", "-r", example+"/.", work).Run(); err != nil {
		return fmt.Errorf("copying %s: %w", example, err)
	}
	secret := make([]byte, 24)
	rand.Read(secret)
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CROSSLINK_MESH_SECRET="+hex.EncodeToString(secret),
		"TF_VAR_ca_cert="+l.CA, "TF_VAR_client_cert="+l.ClientCert, "TF_VAR_client_key="+l.ClientKey)
	cli := func(args ...string) ([]byte, error) {
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err != nil {
			return out.Bytes(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(tf), args[0], err, out.String())
		}
		return out.Bytes(), nil
	}
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			cli("destroy", "-auto-approve", "-input=false", "-no-color")
		}
	})

	say("apply %s", example)
	start := time.Now()
	out, err := cli("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	fmt.Printf("    %s (%.1fs)\n", lastLine(out, "Apply complete"), time.Since(start).Seconds())

	if out, err = cli("output", "-json", "paths"); err != nil {
		return err
	}
	say("paths (each direction as BGP routes it, then where it goes once those tunnels fail):")
	printPaths(out)

	say("ping from every LAN to every other (through WireGuard, routed by BGP)")
	for _, a := range l.Hosts() {
		for _, b := range l.Hosts() {
			if a == b {
				continue
			}
			if err := l.Ping(a.Name, b.Name, 30*time.Second); err != nil {
				return fmt.Errorf("LAN %s → LAN %s: %w", a.Name, b.Name, err)
			}
			fmt.Printf("    %s (%s) → %s (%s): ok\n", a.Name, a.LANAddr, b.Name, b.LANAddr)
		}
	}

	h0, h1 := l.Host("h0"), l.Host("h1")
	say("failover: cut the h0–h1 link while h0's LAN sends to h1's every 10 ms")
	fmt.Printf("    before: h0 routes %s %s\n", h1.LANAddr, routeVia(l, h0, h1))
	p := l.Probe("h0", "h1", 10*time.Millisecond)
	time.Sleep(time.Second)
	if err := l.Cut("h0", "h1"); err != nil {
		return err
	}
	time.Sleep(4 * time.Second)
	fmt.Printf("    cut:    h0 routes %s %s\n", h1.LANAddr, routeVia(l, h0, h1))
	cutEnd := time.Now()
	if err := l.Restore("h0", "h1"); err != nil {
		return err
	}
	st := p.Stop()
	if !st.GapTo.Before(cutEnd) {
		return fmt.Errorf("traffic did not resume over the backup path")
	}
	fmt.Printf("    longest outage %d ms, then traffic went on over the backup path (%d of %d probes answered)\n",
		st.LongestGap.Milliseconds(), st.Received, st.Sent)
	if err := l.Ping("h0", "h1", 20*time.Second); err != nil {
		return err
	}
	time.Sleep(4 * time.Second)
	fmt.Printf("    restored: h0 routes %s %s\n", h1.LANAddr, routeVia(l, h0, h1))

	say("destroy")
	if _, err := cli("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	destroyed = true
	if err := l.CheckClean(); err != nil {
		return err
	}
	fmt.Println("    no WireGuard device, crosslink route or forwarding left on any host")
	say("removing the lab")
	return nil
}

// routeVia shows the device and next hop h uses toward to's LAN.
func routeVia(l *lab.Lab, h, to *lab.Host) string {
	out, err := l.Exec(h.NS, "ip", "-o", "route", "get", to.LANAddr.String())
	if err != nil {
		return "(no route)"
	}
	f := strings.Fields(out)
	for i, w := range f {
		if w == "via" && i+3 < len(f) {
			return strings.Join(f[i:i+4], " ")
		}
	}
	return strings.TrimSpace(out)
}

func printPaths(out []byte) {
	type sitePath struct {
		Sites []string `json:"sites"`
	}
	type forward struct {
		Selection       string     `json:"selection"`
		Paths           []sitePath `json:"paths"`
		BackupSelection string     `json:"backup_selection"`
		BackupPaths     []sitePath `json:"backup_paths"`
	}
	var paths []struct {
		A    string  `json:"a"`
		B    string  `json:"b"`
		AToB forward `json:"a_to_b"`
		BToA forward `json:"b_to_a"`
	}
	if err := json.Unmarshal(out, &paths); err != nil {
		fmt.Printf("    %s\n", out)
		return
	}
	join := func(ps []sitePath) string {
		var s []string
		for _, p := range ps {
			s = append(s, strings.Join(p.Sites, " → "))
		}
		return strings.Join(s, " | ")
	}
	for _, p := range paths {
		for _, d := range []struct {
			from, to string
			f        forward
		}{{p.A, p.B, p.AToB}, {p.B, p.A, p.BToA}} {
			line := fmt.Sprintf("    %s → %s: %s %s", d.from, d.to, d.f.Selection, join(d.f.Paths))
			if d.f.BackupSelection != "none" {
				line += ", then " + join(d.f.BackupPaths)
			}
			fmt.Println(line)
		}
	}
}

func lastLine(out []byte, prefix string) string {
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return "applied"
}

func say(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

// demoT lets the lab run outside go test: cleanups run on exit, a fatal
// error cleans up first.
type demoT struct {
	cleanups []func()
	failed   bool
}

func (t *demoT) Helper()             {}
func (t *demoT) Logf(string, ...any) {}
func (t *demoT) Errorf(format string, args ...any) {
	t.failed = true
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
func (t *demoT) Fatal(args ...any) { t.Fatalf("%s", fmt.Sprint(args...)) }
func (t *demoT) Fatalf(format string, args ...any) {
	t.failed = true
	fmt.Fprintf(os.Stderr, "demo: "+format+"\n", args...)
	t.cleanup()
	os.Exit(1)
}
func (t *demoT) Skip(args ...any) { fmt.Fprintln(os.Stderr, args...); t.cleanup(); os.Exit(0) }
func (t *demoT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *demoT) Failed() bool     { return t.failed }
func (t *demoT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}
