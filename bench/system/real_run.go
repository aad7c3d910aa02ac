package system

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/internal/app"
)

// realMeasured is what a real run measured: the load generator's report
// with the fleet's replica time and cost per pool, and how late the
// generator sent its requests.
type realMeasured struct {
	LoadReport
	// ReplicaSeconds is the ready and starting replica time per pool;
	// CostByPoolUSD its price.
	ReplicaSeconds map[string]float64 `json:"replica_seconds"`
	CostByPoolUSD  map[string]float64 `json:"cost_by_pool_usd"`
	// SendLagP50MS and SendLagMaxMS complete SendLagP99MS: how late the
	// generator sent its requests, in milliseconds.
	SendLagP50MS float64 `json:"send_lag_p50_ms"`
	SendLagMaxMS float64 `json:"send_lag_max_ms"`
	// Workers says how the local workers ran: in-process or process.
	Workers string `json:"workers"`
	// CPUCores is the CPU time this process used per second of the
	// trace: the gateway and the load generator, and the workers when
	// they run in-process; 0 where the system cannot tell.
	CPUCores float64 `json:"cpu_cores"`
	// MachineBusy is the share of the machine's CPU time, all processors
	// and processes, spent busy during the trace; 0 where the system
	// cannot tell. Near 1, the gateway and the load generator waited
	// for CPU, and measured latencies include that wait.
	MachineBusy float64 `json:"machine_busy"`
}

// measure starts the system with the run's starting fleet, waits until
// it is warm, replays the prelude until the fleet is steady (see
// real_prelude.go), then the trace, billing its fleet from the
// trace's start, and stops it. It also returns the fleet at the trace's
// start and the prelude it took.
func (r *realRun) measure(ctx context.Context, o RealOptions, log *slog.Logger) (_ realMeasured, _ prelude, err error) {
	tr := r.schedule
	want := r.startingFleet()
	sys, err := startBenchApp(ctx, r.cfg, app.Options{Logger: log, Workers: workerStarter(o.Workers)})
	if err != nil {
		return realMeasured{}, prelude{}, err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	if err := sys.waitWarm(ctx, want, r.slowestColdStart()+realWarmSlack); err != nil {
		return realMeasured{}, prelude{}, err
	}
	client := load.NewHTTPClient(0)
	pre, err := r.settle(ctx, o, sys, client, log)
	if err != nil {
		return realMeasured{}, prelude{}, err
	}
	snd, err := newRealSender(client, sys.url, o.Kinds, tr)
	if err != nil {
		return realMeasured{}, prelude{}, err
	}
	log.Info("replaying", "trace", o.Trace, "requests", len(tr.Offsets), "window", tr.Duration, "prelude", pre.length, "steady", pre.steady)
	m, start, err := r.replay(ctx, o, tr, snd, sys.admin, log)
	pre.fleet = start
	return m, pre, err
}

// replay sends tr through snd and measures the requests' outcomes, the
// fleet behind the admin base URL and the CPU time. It also returns the
// fleet when it began.
func (r *realRun) replay(ctx context.Context, o RealOptions, tr load.Traced, snd load.Sender, admin string, log *slog.Logger) (realMeasured, []adminPool, error) {
	tally := newLoadTally(tr, r.slos())
	cpu := processCPU()
	busy, total, _ := machineTicks()
	meter := startFleetPoller(admin, nil, realSampleInterval, log)
	span := load.RunEach(ctx, tr.Schedule, snd, load.Options{Grace: o.Grace}, tally.add)
	out := tally.measured(r.trace.Name, o.Seed, r.speedup, span, meter.stop())
	out.Workers = o.Workers
	if err := ctx.Err(); err != nil {
		return realMeasured{}, nil, fmt.Errorf("bench: the run was stopped: %w", err)
	}
	if span.Elapsed > 0 {
		out.CPUCores = benchRound((processCPU()-cpu).Seconds()/span.Elapsed.Seconds(), 3)
	}
	if busy1, total1, ok := machineTicks(); ok {
		out.MachineBusy = busyShare(busy, total, busy1, total1)
	}
	return out, meter.first, nil
}

// startingFleet sets each pool's initial size to the run's starting
// fleet, and returns it by pool.
func (r *realRun) startingFleet() map[string]int {
	want := map[string]int{}
	for i := range r.cfg.Pools {
		p := &r.cfg.Pools[i]
		p.Replicas.Initial = r.initial[i]
		want[p.Name] = r.initial[i]
	}
	return want
}

// slowestColdStart returns the longest cold start of the pools.
func (r *realRun) slowestColdStart() time.Duration {
	var d time.Duration
	for _, p := range r.cfg.Pools {
		d = max(d, p.ColdStart)
	}
	return d
}

// slos returns the SLO of the light and the heavy requests: their
// models', which the simulator's kinds carry.
func (r *realRun) slos() [2]time.Duration {
	k := r.opts.Fleet.Kinds
	return [2]time.Duration{k[sim.Light].SLO, k[sim.Heavy].SLO}
}

// measured closes the books of a real run named scenario.
func (t *loadTally) measured(scenario string, seed uint64, speedup float64, span load.Span, u fleetUsage) realMeasured {
	m := realMeasured{
		LoadReport:     t.report(scenario, seed, speedup, span),
		ReplicaSeconds: u.ReplicaSeconds, CostByPoolUSD: u.CostByPoolUSD,
	}
	m.setCost(u.cost(), true)
	t.mu.Lock()
	defer t.mu.Unlock()
	m.SendLagP50MS, m.SendLagMaxMS = benchMillis(t.lag.Quantile(0.5)), benchMillis(t.lag.Max())
	return m
}

// simArrivals returns the requests of tr as the simulator replays them:
// the same times, kinds and classes.
func simArrivals(tr load.Traced) []sim.Arrival {
	out := make([]sim.Arrival, len(tr.Arrivals))
	for i, a := range tr.Arrivals {
		out[i] = sim.Arrival{At: tr.Offsets[i], Kind: kindOf(a), Priority: priorityOf(a.Class)}
	}
	return out
}

// priorityOf returns the batcher's class of a load class.
func priorityOf(c load.Class) batcher.Priority {
	switch c {
	case load.High:
		return batcher.High
	case load.Low:
		return batcher.Low
	}
	return batcher.Normal
}

// newRealSender returns the sender of a traced schedule against the
// gateway at base through client: one fixed request per kind and class,
// its class in the priority header.
func newRealSender(client *http.Client, base string, kinds [2]RequestKind, tr load.Traced) (load.Sender, error) {
	var targets [2][load.NumClasses]*load.HTTPTarget
	for k, kind := range kinds {
		body, err := kind.body()
		if err != nil {
			return nil, err
		}
		u := base + "/v2/models/" + url.PathEscape(kind.Model) + "/infer"
		for c := range load.NumClasses {
			targets[k][c] = &load.HTTPTarget{Client: client, URL: u, Body: body, Header: classHeader(load.Class(c), "")}
		}
	}
	return load.SenderFunc(func(ctx context.Context, i int) error {
		a := tr.Arrivals[i]
		return targets[kindOf(a)][a.Class].Do(ctx)
	}), nil
}
