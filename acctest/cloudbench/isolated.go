package cloudbench

import (
	"context"
	"fmt"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
	awsdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/aws"
	gcpdriver "github.com/crosslink-net/terraform-provider-crosslink/internal/driver/gcp"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/engine"
)

// Isolated measures what each class of action takes alone, under the same
// faults and driver settings as a run: it applies the smallest mesh with
// every class of the benchmark mesh (one GCP hub, one AWS spoke) one
// action at a time, so no action waits for a pacer, a router commit or an
// engine slot that another holds. It returns the shortest Elapsed per
// class. The benchmark's lower bound takes each class's minimum within the
// big run instead; where every action of a class was held up there, that
// minimum is not an isolated duration, and this calibration shows by how
// much.
func Isolated(ctx context.Context, delay, opDelay time.Duration, aws, gcp store.Faults, ac awsdriver.Config, gc gcpdriver.Config) (map[Class]time.Duration, error) {
	c, err := Start(Full("calib", 1), delay, opDelay)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.Server.AWSFaults.Set(aws)
	c.Server.GCPFaults.Set(gcp)
	ds := c.Drivers(ac, gc)
	defer CloseDrivers(ds)
	t := c.Mesh.Topology()
	a, err := Converge(ctx, t, ds, Secrets{Mesh: t.Name, Epoch: 1}, false, engine.Options{MaxInFlight: 1})
	if err != nil {
		return nil, fmt.Errorf("calibration apply: %w", err)
	}
	out := map[Class]time.Duration{}
	for _, d := range a.Done {
		c := ClassOf(d.Action)
		if m, ok := out[c]; !ok || d.Elapsed < m {
			out[c] = d.Elapsed
		}
	}
	return out, nil
}
