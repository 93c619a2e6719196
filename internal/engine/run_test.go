package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

func ref(key, attr string) string { return "${" + key + "." + attr + "}" }

func object(cloud, site, kind, name string, deps []string, kv ...string) plan.Object {
	o := plan.Object{Key: plan.Key(cloud, site, cloud+"_"+kind, name), Kind: cloud + "_" + kind, Cloud: cloud, Site: site, Attrs: map[string]string{}, Deps: deps}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Attrs[kv[i]] = kv[i+1]
	}
	return o
}

// meshKeys names the objects of the test mesh.
type meshKeys struct {
	gw, router, tun, peer, cgw, vgw, conn, link, sess string
}

// mesh is a small three-cloud mesh with references across clouds: the AWS
// customer gateway takes the GCP gateway's address.
func mesh(epoch string, routerNetwork string) ([]plan.Object, meshKeys) {
	gw := object("gcp", "g", "ha_vpn_gateway", "main", nil, "network", "prod")
	router := object("gcp", "g", "router", "main", nil, "network", routerNetwork, "asn", "64512")
	tun := object("gcp", "g", "vpn_tunnel", "t0", []string{gw.Key, router.Key},
		"vpn_gateway", ref(gw.Key, "id"), "router", ref(router.Key, "id"), "psk_epoch", epoch)
	peer := object("gcp", "g", "router_bgp_peer", "t0", []string{router.Key, tun.Key},
		"vpn_tunnel", ref(tun.Key, "id"), "ip_range", "169.254.10.1/30", "advertised_route_priority", "100")
	cgw := object("aws", "a", "customer_gateway", "g-0", []string{gw.Key}, "ip_address", ref(gw.Key, "interface.0.ip"), "bgp_asn", "64512")
	vgw := object("aws", "a", "vpn_gateway", "main", nil, "amazon_side_asn", "64600")
	conn := object("aws", "a", "vpn_connection", "g-0", []string{cgw.Key, vgw.Key},
		"customer_gateway", ref(cgw.Key, "id"), "gateway", ref(vgw.Key, "id"), "psk_epoch", epoch)
	link := object("host", "h", "wireguard_link", "h2", nil, "endpoint", "198.51.100.8:51820")
	sess := object("host", "h", "bgp_session", "h2", []string{link.Key}, "peer_asn", "65002", "med", "100")
	objs := []plan.Object{gw, router, tun, peer, cgw, vgw, conn, link, sess}
	return objs, meshKeys{gw.Key, router.Key, tun.Key, peer.Key, cgw.Key, vgw.Key, conn.Key, link.Key, sess.Key}
}

// gatewayAddress is what the fake GCP assigns a new HA VPN gateway.
func gatewayAddress(o plan.Object, seq int) map[string]string {
	if o.Kind == "gcp_ha_vpn_gateway" {
		return map[string]string{"interface.0.ip": fmt.Sprintf("203.0.113.%d", seq)}
	}
	return nil
}

// fast is the options every test starts from: no real sleeping.
func fast(p int) Options {
	return Options{
		Parallelism: p,
		Retry:       Retry{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 8 * time.Second},
		Sleep:       func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}

// apply diffs desired against the world and state and runs the plan,
// recording into state.
func apply(t *testing.T, w *world, drivers map[string]driver.Driver, desired []plan.Object, state map[string]plan.Object, opts Options) (*plan.Graph, Report, error) {
	t.Helper()
	known := map[string]bool{}
	for k := range state {
		known[k] = true
	}
	g, err := plan.Diff(desired, w.observe(t, drivers), known)
	if err != nil {
		t.Fatal(err)
	}
	progress := opts.Progress
	opts.Progress = func(d Done) {
		d.Record(state)
		if progress != nil {
			progress(d)
		}
	}
	rep, err := Run(context.Background(), g, drivers, secrets{}, opts)
	return g, rep, err
}

// converged checks that the world holds exactly the desired objects, once
// each, that state agrees with it, and that nothing broke dependency order.
func converged(t *testing.T, w *world, drivers map[string]driver.Driver, desired []plan.Object, state map[string]plan.Object) {
	t.Helper()
	if len(w.violations) > 0 {
		t.Fatalf("dependency order broken:\n%s", strings.Join(w.violations, "\n"))
	}
	known := map[string]bool{}
	for k := range state {
		known[k] = true
	}
	observed := w.observe(t, drivers)
	g, err := plan.Diff(desired, observed, known)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 0 {
		var left []string
		for _, a := range g.Actions() {
			left = append(left, a.String())
		}
		t.Fatalf("not converged, still to do: %s", strings.Join(left, "; "))
	}
	if len(observed) != len(desired) {
		t.Fatalf("world holds %d objects, want %d (duplicates?)", len(observed), len(desired))
	}
	for _, o := range observed {
		if state[o.Key].ID != o.ID {
			t.Errorf("state has %s as %q, the cloud as %q", o.Key, state[o.Key].ID, o.ID)
		}
	}
}

func TestRunFromNothing(t *testing.T) {
	w := newWorld()
	w.computed = gatewayAddress
	drivers := w.drivers("aws", "gcp", "host")
	desired, k := mesh("1", "prod")
	state := map[string]plan.Object{}

	var inProgress, calls atomic.Int32
	opts := fast(3)
	opts.Progress = func(d Done) {
		if inProgress.Add(1) != 1 {
			t.Error("Progress called concurrently")
		}
		time.Sleep(time.Millisecond)
		calls.Add(1)
		if d.Err != nil || d.Object.ID == "" {
			t.Errorf("%s: %v, ID %q", d.Action, d.Err, d.Object.ID)
		}
		inProgress.Add(-1)
	}
	g, rep, err := apply(t, w, drivers, desired, state, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Done) != g.Len() || int(calls.Load()) != g.Len() || len(rep.Failed)+len(rep.NotStarted) != 0 {
		t.Errorf("report: %d done, %d progress calls, of %d", len(rep.Done), calls.Load(), g.Len())
	}
	for c, n := range w.cloudMax {
		if n > 3 {
			t.Errorf("%d in flight for %s, parallelism 3 per driver", n, c)
		}
	}
	converged(t, w, drivers, desired, state)

	// References reached the drivers resolved, across clouds.
	if got, want := state[k.cgw].Attrs["ip_address"], state[k.gw].Attrs["interface.0.ip"]; got != want || got == "" {
		t.Errorf("customer gateway address %q, gateway's %q", got, want)
	}
	if got := state[k.conn].Attrs["customer_gateway"]; got != state[k.cgw].ID {
		t.Errorf("connection refers to %q, customer gateway is %q", got, state[k.cgw].ID)
	}
}

func TestRunParallelism(t *testing.T) {
	for _, p := range []int{1, 4, 0} {
		want := p
		if p == 0 {
			want = 32 // the default
		}
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			w := newWorld()
			w.hook = func(context.Context, plan.Op, plan.Object, int) error {
				time.Sleep(25 * time.Millisecond) // long enough for every launch to land
				return nil
			}
			var desired []plan.Object
			for i := range 3 * want {
				desired = append(desired, object("host", "h", "wireguard_link", fmt.Sprint(i), nil))
			}
			_, _, err := apply(t, w, w.drivers("host"), desired, map[string]plan.Object{}, fast(p))
			if err != nil {
				t.Fatal(err)
			}
			if w.maxInflight != want {
				t.Errorf("max in flight %d, want %d", w.maxInflight, want)
			}
		})
	}
}

func TestRunRetries(t *testing.T) {
	desired, k := mesh("1", "prod")
	for _, c := range []struct {
		name      string
		failures  int // calls that fail before one succeeds
		retryable bool
		wantCalls int
		wantErr   string
	}{
		{"retryable, then success", 2, true, 3, ""},
		{"retryable, attempts exhausted", 10, true, 4, "after 4 attempts"},
		{"not retryable", 10, false, 1, "create gcp_router " + k.router + ": quota"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld()
			w.computed = gatewayAddress
			w.hook = func(_ context.Context, op plan.Op, o plan.Object, n int) error {
				if o.Key == k.router && n <= c.failures {
					if c.retryable {
						return retryableErr{"throttled"}
					}
					return errors.New("quota")
				}
				return nil
			}
			var mu sync.Mutex
			var slept []time.Duration
			opts := fast(4)
			opts.Sleep = func(_ context.Context, d time.Duration) error {
				mu.Lock()
				slept = append(slept, d)
				mu.Unlock()
				return nil
			}
			_, rep, err := apply(t, w, w.drivers("aws", "gcp", "host"), desired, map[string]plan.Object{}, opts)
			if got := w.calls["create "+k.router]; got != c.wantCalls {
				t.Errorf("%d calls, want %d", got, c.wantCalls)
			}
			for i, d := range slept {
				if ceiling := time.Second << i; d < 0 || d > ceiling {
					t.Errorf("retry %d waited %v, over %v", i+1, d, ceiling)
				}
			}
			if len(slept) != min(c.wantCalls-1, 3) {
				t.Errorf("slept %d times", len(slept))
			}
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(rep.Done, func(d Done) bool { return d.Action.Key == k.router })
				if rep.Done[i].Attempts != c.wantCalls {
					t.Errorf("Done.Attempts = %d", rep.Done[i].Attempts)
				}
				return
			}
			var ae *ActionError
			if !errors.As(err, &ae) || ae.Attempts != c.wantCalls || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want %q after %d attempts", err, c.wantErr, c.wantCalls)
			}
		})
	}
}

func TestRunPermanentFailureStopsDependents(t *testing.T) {
	w := newWorld()
	w.computed = gatewayAddress
	drivers := w.drivers("aws", "gcp", "host")
	desired, k := mesh("1", "prod")
	state := map[string]plan.Object{}

	failed := make(chan struct{})
	w.hook = func(ctx context.Context, op plan.Op, o plan.Object, n int) error {
		switch o.Key {
		case k.tun:
			return errors.New("invalid argument")
		case k.link: // still running when the tunnel fails
			<-failed
		}
		return nil
	}
	var progressed []string
	opts := fast(8)
	opts.Progress = func(d Done) {
		progressed = append(progressed, d.Action.ID)
		if d.Err != nil {
			close(failed)
		}
	}
	_, rep, err := apply(t, w, drivers, desired, state, opts)
	if err == nil || !strings.Contains(err.Error(), "create gcp_vpn_tunnel "+k.tun+": invalid argument") {
		t.Fatalf("error %v", err)
	}
	if len(rep.Failed) != 1 || len(progressed) != len(rep.Done)+len(rep.Failed) {
		t.Errorf("%d failed; progress for %d of %d finished", len(rep.Failed), len(progressed), len(rep.Done)+len(rep.Failed))
	}
	notStarted := map[string]bool{}
	for _, a := range rep.NotStarted {
		notStarted[a.Key] = true
	}
	// The tunnel's dependents never started; the link that was running when
	// it failed finished and is in state; its session did not start.
	if !notStarted[k.peer] || !notStarted[k.sess] {
		t.Errorf("not started: %v", notStarted)
	}
	if _, ok := state[k.link]; !ok {
		t.Error("the running link's result was lost")
	}
	if _, ok := state[k.tun]; ok {
		t.Error("the failed tunnel is in state")
	}

	// Fixed, a re-run converges from what the failed one left.
	w.hook = nil
	if _, _, err := apply(t, w, drivers, desired, state, fast(8)); err != nil {
		t.Fatal(err)
	}
	converged(t, w, drivers, desired, state)
}

func TestRunLostReplyIsAdoptedOnRerun(t *testing.T) {
	w := newWorld()
	w.computed = gatewayAddress
	drivers := w.drivers("aws", "gcp", "host")
	desired, k := mesh("1", "prod")
	state := map[string]plan.Object{}
	w.hook = func(_ context.Context, op plan.Op, o plan.Object, n int) error {
		if o.Key == k.cgw {
			return lostReply{errors.New("connection reset")}
		}
		return nil
	}
	if _, _, err := apply(t, w, drivers, desired, state, fast(8)); err == nil {
		t.Fatal("no error")
	}
	if _, ok := state[k.cgw]; ok || w.countKey(k.cgw) != 1 {
		t.Fatal("the customer gateway should exist but not be in state")
	}
	w.hook = nil
	g, _, err := apply(t, w, drivers, desired, state, fast(8))
	if err != nil {
		t.Fatal(err)
	}
	if g.Changes()[k.cgw] != plan.OpAdopt {
		t.Errorf("re-run does %q to the customer gateway, want adopt", g.Changes()[k.cgw])
	}
	if w.calls["create "+k.cgw] != 1 {
		t.Errorf("customer gateway created %d times", w.calls["create "+k.cgw])
	}
	converged(t, w, drivers, desired, state)
}

func TestRunChangesConverge(t *testing.T) {
	w := newWorld()
	w.computed = gatewayAddress
	drivers := w.drivers("aws", "gcp", "host")
	desired, k := mesh("1", "prod")
	state := map[string]plan.Object{}
	if _, _, err := apply(t, w, drivers, desired, state, fast(4)); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for key, o := range state {
		before[key] = o.ID
	}

	// Rotate PSKs (AWS in place, GCP by replacement under the tunnel's
	// stable name), move the router to another network (a replacement its
	// dependents follow), and drop the host session.
	desired, _ = mesh("2", "prod2")
	desired = slices.DeleteFunc(desired, func(o plan.Object) bool { return o.Key == k.sess })
	g, _, err := apply(t, w, drivers, desired, state, fast(4))
	if err != nil {
		t.Fatal(err)
	}
	ch := g.Changes()
	for key, want := range map[string]plan.Op{
		k.conn: plan.OpUpdate, k.router: plan.OpReplace, k.tun: plan.OpReplace,
		k.peer: plan.OpReplace, k.sess: plan.OpDelete,
	} {
		if ch[key] != want {
			t.Errorf("%s: %q, want %q", key, ch[key], want)
		}
	}
	if state[k.conn].ID != before[k.conn] || state[k.router].ID == before[k.router] {
		t.Error("update changed an ID, or a replacement kept one")
	}
	if state[k.tun].ID != before[k.tun] {
		t.Error("the tunnel's stable ID changed with its replacement")
	}
	converged(t, w, drivers, desired, state)
}

func TestRunCancellation(t *testing.T) {
	w := newWorld()
	var desired []plan.Object
	for i := range 10 {
		desired = append(desired, object("host", "h", "wireguard_link", fmt.Sprint(i), nil))
	}
	first := desired[0].Key
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.hook = func(ctx context.Context, _ plan.Op, o plan.Object, _ int) error {
		if o.Key == first {
			return nil
		}
		<-ctx.Done() // a slow call that honours cancellation
		return ctx.Err()
	}
	g, err := plan.Diff(desired, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := fast(2)
	opts.Progress = func(d Done) { cancel() }
	rep, err := Run(ctx, g, w.drivers("host"), secrets{}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if len(w.log) != 2 || len(rep.Done) != 1 || len(rep.Failed) != 1 || len(rep.NotStarted) != 8 {
		t.Errorf("%d calls, %d done, %d failed, %d not started", len(w.log), len(rep.Done), len(rep.Failed), len(rep.NotStarted))
	}

	// Cancelled before it starts: nothing runs.
	w2 := newWorld()
	rep, err = Run(ctx, g, w2.drivers("host"), secrets{}, fast(2))
	if !errors.Is(err, context.Canceled) || len(w2.log) != 0 || len(rep.NotStarted) != g.Len() {
		t.Errorf("after cancel: %v, %d calls", err, len(w2.log))
	}
}

func TestRunRefusesBeforeStarting(t *testing.T) {
	desired, _ := mesh("1", "prod")
	g, err := plan.Diff(desired, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld()
	if _, err := Run(context.Background(), g, w.drivers("gcp"), secrets{}, fast(2)); err == nil ||
		!strings.Contains(err.Error(), `no driver for cloud "aws", "host"`) {
		t.Errorf("missing drivers: %v", err)
	}
	cyc := plan.NewGraph()
	for _, id := range []string{"a", "b"} {
		if err := cyc.Add(plan.Action{ID: id, Op: plan.OpCreate, Key: id, Desired: object("host", "h", "wireguard_link", id, nil)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = cyc.AddDep("a", "b")
	_ = cyc.AddDep("b", "a")
	if _, err := Run(context.Background(), cyc, w.drivers("host"), secrets{}, fast(2)); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cyclic graph: %v", err)
	}
	if len(w.log) != 0 {
		t.Errorf("%d driver calls", len(w.log))
	}
}

func TestRunDriverPanicIsAFailure(t *testing.T) {
	w := newWorld()
	desired := []plan.Object{object("host", "h", "wireguard_link", "0", nil)}
	w.hook = func(context.Context, plan.Op, plan.Object, int) error { panic("nil map") }
	_, rep, err := apply(t, w, w.drivers("host"), desired, map[string]plan.Object{}, fast(2))
	if err == nil || !strings.Contains(err.Error(), "driver panicked: nil map") || len(rep.Failed) != 1 || rep.Failed[0].Attempts != 1 {
		t.Fatalf("error %v, report %+v", err, rep)
	}
}

func TestRunUnresolvedReferenceFailsTheAction(t *testing.T) {
	// A plan bug: a reference to an object this run has not produced.
	g := plan.NewGraph()
	o := object("host", "h", "wireguard_link", "0", nil, "endpoint", ref("host/h/host_wireguard_link/ghost", "ip"))
	if err := g.Add(plan.Action{ID: "create:" + o.Key, Op: plan.OpCreate, Key: o.Key, Desired: o}); err != nil {
		t.Fatal(err)
	}
	w := newWorld()
	rep, err := Run(context.Background(), g, w.drivers("host"), secrets{}, fast(1))
	if err == nil || !strings.Contains(err.Error(), "unresolved references: endpoint=${host/h/host_wireguard_link/ghost.ip}") {
		t.Fatalf("error %v", err)
	}
	if len(w.log) != 0 || len(rep.Failed) != 1 {
		t.Errorf("%d driver calls, %d failed", len(w.log), len(rep.Failed))
	}
}

func TestRunPerDriverParallelism(t *testing.T) {
	kinds := map[string]string{"aws": "vpn_gateway", "gcp": "router", "host": "wireguard_link"}
	for _, c := range []struct {
		name        string
		aws, gcp    int // the drivers' own Parallelism(); host has none
		opts        func(*Options)
		want        map[string]int
		wantOverall int // 0: the sum of want
	}{
		{"drivers' own, default for the rest", 5, 2, nil, map[string]int{"aws": 5, "gcp": 2, "host": 3}, 0},
		{"zero from a driver means the default", 5, 0, nil, map[string]int{"aws": 5, "gcp": 3, "host": 3}, 0},
		{"PerDriver overrides", 5, 2, func(o *Options) { o.PerDriver = map[string]int{"aws": 1, "host": 4} },
			map[string]int{"aws": 1, "gcp": 2, "host": 4}, 0},
		{"MaxInFlight bounds them together", 5, 2, func(o *Options) { o.MaxInFlight = 4 },
			map[string]int{"aws": 4, "gcp": 2, "host": 3}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld()
			w.hook = func(context.Context, plan.Op, plan.Object, int) error {
				time.Sleep(25 * time.Millisecond) // long enough for every launch to land
				return nil
			}
			drivers := w.drivers("aws", "gcp", "host")
			drivers["aws"] = parallelDriver{drivers["aws"].(*memDriver), c.aws}
			drivers["gcp"] = parallelDriver{drivers["gcp"].(*memDriver), c.gcp}
			// Every cloud has more ready work than its slots; aws's actions
			// sort first, so a full aws must not hold up the others.
			var desired []plan.Object
			for _, cloud := range []string{"aws", "gcp", "host"} {
				for i := range 15 {
					desired = append(desired, object(cloud, "s", kinds[cloud], fmt.Sprint(i), nil))
				}
			}
			opts := fast(3)
			if c.opts != nil {
				c.opts(&opts)
			}
			_, _, err := apply(t, w, drivers, desired, map[string]plan.Object{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			overall := c.wantOverall
			for cloud, n := range c.want {
				if got := w.cloudMax[cloud]; got != n && c.wantOverall == 0 || got > n {
					t.Errorf("%s: max in flight %d, want %d", cloud, got, n)
				}
				if c.wantOverall == 0 {
					overall += n
				}
			}
			if w.maxInflight != overall {
				t.Errorf("max in flight overall %d, want %d", w.maxInflight, overall)
			}
		})
	}
}

// orderGraph builds create actions named by their IDs; deps maps an action to
// those it waits for.
func orderGraph(t *testing.T, clouds map[string]string, deps map[string][]string) *plan.Graph {
	t.Helper()
	kinds := map[string]string{"gcp": "router", "host": "wireguard_link"}
	g := plan.NewGraph()
	for _, id := range slices.Sorted(maps.Keys(clouds)) {
		o := object(clouds[id], "s", kinds[clouds[id]], id, nil)
		if err := g.Add(plan.Action{ID: id, Op: plan.OpCreate, Key: o.Key, Desired: o}); err != nil {
			t.Fatal(err)
		}
	}
	for id, ds := range deps {
		for _, d := range ds {
			if err := g.AddDep(id, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	return g
}

func TestRunLongestChainFirst(t *testing.T) {
	host := map[string]string{"a0": "host", "a1": "host", "a2": "host", "b0": "host", "b1": "host", "z0": "host", "z1": "host", "z2": "host"}
	mixed := map[string]string{"a0": "host", "a1": "host", "a2": "host", "b0": "host", "b1": "host", "z0": "gcp", "z1": "gcp", "z2": "gcp"}
	// Chains z0 ← z1 ← z2 and b0 ← b1; the a's stand alone. By smallest ID
	// the a's went first and the longest chain last.
	deps := map[string][]string{"z1": {"z0"}, "z2": {"z1"}, "b1": {"b0"}}
	costB0 := func(a plan.Action) time.Duration {
		if a.ID == "b0" {
			return 10
		}
		return 1
	}
	for _, c := range []struct {
		name   string
		clouds map[string]string
		opts   func(*Options)
		want   string
	}{
		// Ties (equal heights) go by ID: z2 after the a's and b1.
		{"one slot for the driver", host, nil, "z0 b0 z1 a0 a1 a2 b1 z2"},
		{"one slot across drivers", mixed, func(o *Options) { o.MaxInFlight = 1; o.Parallelism = 8 }, "z0 b0 z1 a0 a1 a2 b1 z2"},
		// b0 heads the costliest chain (11 against 3).
		{"by cost", host, func(o *Options) { o.Cost = costB0 }, "b0 z0 z1 a0 a1 a2 b1 z2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The same run twice launches in the same order.
			for range 2 {
				w := newWorld()
				opts := fast(1)
				if c.opts != nil {
					c.opts(&opts)
				}
				g := orderGraph(t, c.clouds, deps)
				if _, err := Run(context.Background(), g, w.drivers("gcp", "host"), secrets{}, opts); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, call := range w.log {
					got = append(got, call[strings.LastIndex(call, "/")+1:])
				}
				if strings.Join(got, " ") != c.want {
					t.Fatalf("launch order %q, want %q", strings.Join(got, " "), c.want)
				}
			}
		})
	}
}
