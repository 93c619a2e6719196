package hostbench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
)

func startLab(b *testing.B, n int) *lab.Lab {
	b.Helper()
	return lab.Start(b, lab.Options{Hosts: Specs(n), AgentBin: lab.BuildAgent(b)})
}

// reachAll waits until every LAN answers a ping from every other one.
func reachAll(l *lab.Lab, timeout time.Duration) error {
	hs := l.Hosts()
	for _, a := range hs {
		for _, c := range hs {
			if a != c {
				if err := l.Ping(a.Name, c.Name, timeout); err != nil {
					return fmt.Errorf("%s → %s: %w", a.Name, c.Name, err)
				}
			}
		}
	}
	return nil
}

// BenchmarkHostApply times applying a full mesh (redundancy 2) of 4 and of
// 12 hosts from nothing, through real agents: ns/op is the apply; the
// converge-s metric adds the time until every LAN reaches every other.
func BenchmarkHostApply(b *testing.B) {
	for _, n := range []int{4, 12} {
		b.Run(fmt.Sprintf("sites=%d", n), func(b *testing.B) {
			l := startLab(b, n)
			m := Mesh(l)
			ctx := context.Background()
			var converge time.Duration
			actions := 0
			for b.Loop() {
				start := time.Now()
				k, err := Converge(ctx, l, m, false)
				if err != nil {
					b.Fatal(err)
				}
				actions = k
				b.StopTimer()
				if err := reachAll(l, 30*time.Second); err != nil {
					b.Fatal(err)
				}
				converge += time.Since(start)
				if _, err := Converge(ctx, l, m, true); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(converge.Seconds()/float64(b.N), "converge-s")
			b.ReportMetric(float64(actions), "actions")
		})
	}
}

// BenchmarkFailover cuts the h0–h1 link of a 4-host mesh while h0's LAN
// sends to h1's every 10 ms, and reports the longest gap in answers: from
// the cut to the first packet through the backup path.
func BenchmarkFailover(b *testing.B) {
	l := startLab(b, 4)
	ctx := context.Background()
	if _, err := Converge(ctx, l, Mesh(l), false); err != nil {
		b.Fatal(err)
	}
	if err := reachAll(l, 30*time.Second); err != nil {
		b.Fatal(err)
	}
	var worst, total time.Duration
	b.ResetTimer()
	for b.Loop() {
		p := l.Probe("h0", "h1", 10*time.Millisecond)
		time.Sleep(500 * time.Millisecond)
		if err := l.Cut("h0", "h1"); err != nil {
			b.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		st := p.Stop()
		if err := l.Restore("h0", "h1"); err != nil {
			b.Fatal(err)
		}
		if !st.GapTo.Before(st.End) {
			b.Fatalf("traffic did not resume over the backup path (longest gap %v)", st.LongestGap)
		}
		total += st.LongestGap
		worst = max(worst, st.LongestGap)
		// Let the direct path come back before the next cut.
		if err := l.Ping("h0", "h1", 20*time.Second); err != nil {
			b.Fatal(err)
		}
		time.Sleep(3 * time.Second)
	}
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "failover-ms")
	b.ReportMetric(worst.Seconds()*1000, "worst-ms")
}

// BenchmarkThroughput measures TCP from h0's LAN to h1's for 3 s over plain
// routes (veth and bridge, no tunnel), then through the mesh (WireGuard),
// in one run, and reports both and their ratio.
func BenchmarkThroughput(b *testing.B) {
	l := startLab(b, 2)
	ctx := context.Background()
	var plain, wg float64
	for b.Loop() {
		if err := l.PlainRoutes(true); err != nil {
			b.Fatal(err)
		}
		p, err := l.Throughput("h0", "h1", 3*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.PlainRoutes(false); err != nil {
			b.Fatal(err)
		}
		m := Mesh(l)
		m.Redundancy = 1 // two hosts have one link
		if _, err := Converge(ctx, l, m, false); err != nil {
			b.Fatal(err)
		}
		if err := reachAll(l, 30*time.Second); err != nil {
			b.Fatal(err)
		}
		w, err := l.Throughput("h0", "h1", 3*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Converge(ctx, l, m, true); err != nil {
			b.Fatal(err)
		}
		plain, wg = plain+p, wg+w
	}
	b.ReportMetric(plain/1e6/float64(b.N), "plain-Mbit/s")
	b.ReportMetric(wg/1e6/float64(b.N), "wireguard-Mbit/s")
	b.ReportMetric(wg/plain, "ratio")
}

// BenchmarkIdleAgents applies a 12-host mesh (11 links per host) and
// reports the CPU its agents use while nothing changes: link probes, BGP
// keepalives, the route loop and the periodic resync.
func BenchmarkIdleAgents(b *testing.B) {
	l := startLab(b, 12)
	if _, err := Converge(context.Background(), l, Mesh(l), false); err != nil {
		b.Fatal(err)
	}
	if err := reachAll(l, 30*time.Second); err != nil {
		b.Fatal(err)
	}
	var ticks, secs float64
	for b.Loop() {
		before := agentTicks(b, l)
		time.Sleep(10 * time.Second)
		ticks += agentTicks(b, l) - before
		secs += 10
	}
	// Ticks are 1/100 s (USER_HZ); per agent, as a share of one core.
	b.ReportMetric(ticks/100/secs/12*100, "cpu%/agent")
}

// agentTicks sums user and system CPU ticks of every agent process.
func agentTicks(b *testing.B, l *lab.Lab) float64 {
	total := 0
	for _, h := range l.Hosts() {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", l.AgentPID(h.Name)))
		if err != nil {
			b.Fatal(err)
		}
		// Fields after the command name, which is in parentheses.
		f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+2:]))
		u, _ := strconv.Atoi(f[11])
		s, _ := strconv.Atoi(f[12])
		total += u + s
	}
	return float64(total)
}
