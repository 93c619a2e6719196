package cloudbench

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Applied is one run of the provider's apply pipeline.
type Applied struct {
	Graph *plan.Graph
	// Done is every finished action in finishing order, failures included.
	Done []engine.Done
	// Start is when engine.Run began; Makespan is its wall time.
	Start    time.Time
	Makespan time.Duration
	// Observe is the wall time of the observe before the diff.
	Observe time.Duration
}

// Converge runs what provider/mesh_apply.go runs for an apply: build the
// desired objects, observe every cloud in parallel, plan.Diff, engine.Run
// with the given options, and records every Done. With destroy the desired
// set is empty. The error is engine.Run's (or the pipeline's before it).
func Converge(ctx context.Context, m *topology.Mesh, ds map[string]driver.Driver, sec driver.Secrets, destroy bool, o engine.Options) (*Applied, error) {
	d, ps := plan.Build(m, nil)
	if len(ps) > 0 {
		return nil, fmt.Errorf("mesh: %v", ps)
	}
	t0 := time.Now()
	observed, err := observe(ctx, m, ds)
	if err != nil {
		return nil, err
	}
	a := &Applied{Observe: time.Since(t0)}
	desired := d.Objects
	if destroy {
		desired = nil
	}
	if a.Graph, err = plan.Diff(desired, observed, nil); err != nil {
		return nil, err
	}
	progress := o.Progress
	o.Progress = func(d engine.Done) {
		a.Done = append(a.Done, d)
		if progress != nil {
			progress(d)
		}
	}
	a.Start = time.Now()
	_, err = engine.Run(ctx, a.Graph, ds, sec, o)
	a.Makespan = time.Since(a.Start)
	return a, err
}

// observe is provider/mesh_apply.go's observe: every cloud's driver lists
// the mesh's objects at that cloud's sites, all clouds at once.
func observe(ctx context.Context, m *topology.Mesh, ds map[string]driver.Driver) ([]plan.Object, error) {
	sites := map[string][]string{}
	for _, s := range m.Sites {
		sites[string(s.Cloud)] = append(sites[string(s.Cloud)], s.Name)
	}
	clouds := slices.Sorted(maps.Keys(ds))
	found := make([][]plan.Object, len(clouds))
	g, gctx := errgroup.WithContext(ctx)
	for i, c := range clouds {
		g.Go(func() (err error) {
			found[i], err = ds[c].Observe(gctx, driver.Scope{Mesh: m.Name, Sites: sites[c]})
			if err != nil {
				err = fmt.Errorf("observing %s: %w", c, err)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}
