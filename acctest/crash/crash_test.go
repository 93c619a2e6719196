package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudcheck"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/cloudenv"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/tfcli"
)

// stage is one change of the configuration, applied by attempts that are
// killed after the given numbers of mutating cloud calls, then by one that
// runs to the end.
type stage struct {
	name    string
	sites   int    // 2 or 3 (see cloudenv.MeshHCL)
	extra   string // mesh attributes
	destroy bool
	kills   []int64
	// aws and gcp are the tunnels the SDKs must report up after the stage.
	aws, gcp int
}

func TestAccCloudCrash(t *testing.T) {
	const mesh = "crash"
	e := cloudenv.Setup(t, mesh)
	if e.Emu == nil {
		t.Skip("the crash test stops the provider after counted cloud calls, which needs the emulator's counters")
	}
	c := e.Clients(t)
	w := tfcli.New(t)
	t.Cleanup(func() {
		if t.Failed() {
			_, _ = w.Destroy()
		}
	})
	stages := []stage{
		{name: "create", sites: 2, kills: []int64{1, 5, 5}, aws: 4, gcp: 4},
		{name: "add a site", sites: 3, kills: []int64{2, 6}, aws: 8, gcp: 12},
		{name: "rotate PSKs", sites: 3, extra: "  psk_epoch = 2", kills: []int64{2, 5}, aws: 8, gcp: 12},
		{name: "destroy", sites: 3, extra: "  psk_epoch = 2", destroy: true, kills: []int64{3, 6}},
	}
	var before cloudcheck.Tunnels
	for _, s := range stages {
		w.Write(e.ProviderHCL(e.AWS, e.GCP) + e.MeshHCL(mesh, s.sites, s.extra))
		args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
		if s.destroy {
			args = []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
		}
		for i, n := range s.kills {
			killAfter(t, e, w, args, n)
			if err := cloudenv.NoDuplicates(c); err != nil {
				t.Fatalf("%s, after kill %d: %v", s.name, i+1, err)
			}
		}
		resetCounters(t, e)
		if _, err := w.Run(args...); err != nil {
			t.Fatalf("%s: the apply after %d kills: %v", s.name, len(s.kills), err)
		}
		t.Logf("%s: the last attempt made %d changes", s.name, mutations(t, e))
		if s.destroy {
			owned, err := c.Owned(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(owned) > 0 {
				t.Fatalf("left after destroy: %v", owned)
			}
			continue
		}
		now, err := cloudenv.WaitUp(c, s.aws, s.gcp, 30*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkConverged(t, w, c, s.name)
		if s.extra != "" { // the PSK rotation: in place on AWS
			checkRotated(t, before, now)
		}
		before = now
	}
}

// killAfter runs the CLI and kills the provider once the clouds have
// received n mutating calls; the command must then fail.
func killAfter(t *testing.T, e *cloudenv.Env, w *tfcli.Workdir, args []string, n int64) {
	t.Helper()
	resetCounters(t, e)
	var out bytes.Buffer
	cmd := w.Command(&out, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			t.Fatalf("%s finished (err %v) before %d changes were made, so nothing was killed; it made %d:\n%s",
				args[0], err, n, mutations(t, e), out.String())
		case <-tick.C:
		}
		if mutations(t, e) < n {
			continue
		}
		killed, err := w.KillProvider(cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		if killed == 0 {
			continue // between provider processes: try at the next tick
		}
		err = <-done
		if err == nil {
			t.Fatalf("%s succeeded although its provider was killed:\n%s", args[0], out.String())
		}
		if !strings.Contains(strings.ToLower(out.String()), "plugin") {
			t.Fatalf("%s failed without reporting the lost provider:\n%s", args[0], out.String())
		}
		t.Logf("%s: provider killed after %d changes (asked %d)", args[0], mutations(t, e), n)
		return
	}
}

func resetCounters(t *testing.T, e *cloudenv.Env) {
	t.Helper()
	for _, cloud := range []string{"aws", "gcp"} {
		if err := e.Emu.ResetCounters(cloud); err != nil {
			t.Fatal(err)
		}
	}
}

// mutations is the number of mutating calls both clouds received since
// the last reset.
func mutations(t *testing.T, e *cloudenv.Env) int64 {
	t.Helper()
	var n int64
	for _, cloud := range []string{"aws", "gcp"} {
		c, err := e.Emu.Counters(cloud)
		if err != nil {
			t.Fatal(err)
		}
		n += c.Total.Mutating
	}
	return n
}

// checkConverged: every object the clouds hold for the mesh is held once
// and recorded in state (nothing orphaned), and a new plan is empty.
func checkConverged(t *testing.T, w *tfcli.Workdir, c *cloudcheck.Clients, stage string) {
	t.Helper()
	if err := cloudenv.NoDuplicates(c); err != nil {
		t.Fatalf("%s: %v", stage, err)
	}
	owned, err := c.Owned(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	recorded := stateKeys(t, w)
	for _, k := range slices.Sorted(maps.Keys(owned)) {
		if !recorded[k] {
			t.Errorf("%s: %s exists in the cloud but not in state", stage, k)
		}
	}
	empty, out, err := w.PlanEmpty()
	if err != nil {
		t.Fatal(err)
	}
	if !empty {
		t.Fatalf("%s: the plan after the apply is not empty:\n%s", stage, out)
	}
}

// checkRotated: AWS rotated every PSK in place (same connections).
func checkRotated(t *testing.T, before, now cloudcheck.Tunnels) {
	t.Helper()
	if !slices.Equal(slices.Sorted(maps.Keys(before.AWSConnections)), slices.Sorted(maps.Keys(now.AWSConnections))) {
		t.Fatalf("VPN connections were replaced: %v before, %v after",
			slices.Sorted(maps.Keys(before.AWSConnections)), slices.Sorted(maps.Keys(now.AWSConnections)))
	}
	for id, psks := range now.AWSConnections {
		for i, p := range psks {
			if p == before.AWSConnections[id][i] {
				t.Fatalf("VPN connection %s tunnel %d kept its PSK", id, i+1)
			}
		}
	}
}

// stateKeys reads the keys of the mesh's recorded objects from the CLI's
// JSON state.
func stateKeys(t *testing.T, w *tfcli.Workdir) map[string]bool {
	t.Helper()
	out, err := w.Run("show", "-json", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string `json:"type"`
					Values struct {
						Objects map[string]json.RawMessage `json:"objects"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("reading show -json: %v", err)
	}
	keys := map[string]bool{}
	for _, r := range st.Values.RootModule.Resources {
		if r.Type == "crosslink_mesh" {
			for k := range r.Values.Objects {
				keys[k] = true
			}
		}
	}
	if len(keys) == 0 {
		t.Fatal(fmt.Errorf("state records no object"))
	}
	return keys
}
