package system

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// RealOptions configure Real.
type RealOptions struct {
	// Config is the fleet's configuration file; its auth.mode must be
	// none. Trace is the scenario's trace file.
	Config, Trace string
	// Speedup compresses time: trace second i is replayed during
	// [i/Speedup, (i+1)/Speedup) s; > 0.
	Speedup float64
	// Seed seeds the arrivals, here and in the simulator.
	Seed uint64
	// Duration caps the trace time replayed (before Speedup), in whole
	// seconds; 0 means all of it.
	Duration time.Duration
	// Prelude is the trace time of the first second replayed before the
	// trace, unmeasured; negative means the default (see defaultPrelude).
	Prelude time.Duration
	// Grace is how long after the trace's end answers still count.
	Grace time.Duration
	// Workers is how local workers run: WorkersInProcess or
	// WorkersProcess.
	Workers string
	// Kinds holds the light requests at sim.Light and the heavy ones at
	// sim.Heavy.
	Kinds [2]RequestKind
	// Events is refused: the real run cannot replay scripted events.
	Events string
}

// How Real runs the local workers.
const (
	// WorkersInProcess serves each worker from goroutines of this
	// process, on its own loopback ports (worker.InProcess).
	WorkersInProcess = "in-process"
	// WorkersProcess runs each worker as a child process, as serve does.
	WorkersProcess = "process"
)

// workerStarter returns the local driver's Starter for a Workers value;
// nil means child processes.
func workerStarter(workers string) local.Starter {
	if workers == WorkersInProcess {
		return worker.InProcess{}.Start
	}
	return nil
}

// realRun is a real run and its prediction, prepared: the compressed
// configuration, the trace, the simulator's options and the fleet both
// start with.
type realRun struct {
	cfg     *configs.Config
	trace   sim.Trace
	opts    sim.Options
	initial []int // per pool of cfg, in order
	speedup float64
	// schedule is the requests the real run sends, which the
	// prediction replays.
	schedule load.Traced
	// prelude is the least trace time of the first second replayed
	// before the trace, in whole seconds.
	prelude time.Duration
}

// prepareReal loads and compresses the configuration, reads the trace,
// and sets up the prediction and the starting fleet.
func prepareReal(o RealOptions) (*realRun, error) {
	if o.Events != "" {
		return nil, ErrRealEvents
	}
	cfg, err := configs.Load(o.Config)
	if err != nil {
		return nil, err
	}
	if err := checkRealAuth(cfg); err != nil {
		return nil, err
	}
	if err := compressTime(cfg, o.Speedup); err != nil {
		return nil, err
	}
	r := &realRun{cfg: cfg, speedup: o.Speedup}
	if r.trace, err = loadTraceFor(o.Trace, o.Duration); err != nil {
		return nil, err
	}
	if r.schedule, err = load.TraceSchedule(loadSeconds(r.trace), load.TraceOptions{Compress: r.speedup, Seed: o.Seed}); err != nil {
		return nil, err
	}
	fleet, err := realFleet(cfg, o.Kinds)
	if err != nil {
		return nil, err
	}
	spec, err := app.ScalerSpec(cfg)
	if err != nil {
		return nil, err
	}
	row := time.Duration(float64(time.Second) / o.Speedup)
	r.opts = sim.Options{Fleet: fleet, Trace: r.trace, Policy: "costaware", Scaler: spec, Seed: o.Seed, Row: row}
	if r.initial, err = sim.Initial(r.opts); err != nil {
		return nil, err
	}
	r.prelude = o.Prelude
	if o.Prelude < 0 {
		r.prelude = defaultPrelude(cfg, o.Speedup)
	}
	r.prelude = r.prelude.Truncate(time.Second)
	return r, nil
}

// loadTraceFor reads the trace at path and keeps its whole seconds
// within d; all of them for d = 0.
func loadTraceFor(path string, d time.Duration) (sim.Trace, error) {
	t, err := sim.LoadTrace(path)
	if err != nil {
		return sim.Trace{}, err
	}
	if n := int(d / time.Second); d > 0 && n < len(t.Seconds) {
		if n == 0 {
			return sim.Trace{}, fmt.Errorf("bench: --duration %v: shorter than one trace second", d)
		}
		t.Seconds = t.Seconds[:n]
	}
	return t, nil
}

// Real runs the gateway of o.Config in this process as serve runs it,
// with its pools' local workers and the embedded scaler acting, replays
// the trace against it open loop, and reports what it measured next to
// what the simulator predicts for the same run: the same configuration
// and time compression, and the very requests the real run sent. It
// fails when the configuration, the trace or the options are refused,
// when the system does not start, and when ctx ends the run.
func Real(ctx context.Context, o RealOptions, log *slog.Logger) (RealReport, error) {
	r, err := prepareReal(o)
	if err != nil {
		return RealReport{}, err
	}
	meas, pre, err := r.measure(ctx, o, log)
	if err != nil {
		return RealReport{}, err
	}
	fleet := startFleetOf(r.opts.Fleet.Pools, pre.fleet)
	pred, err := sim.Run(r.predictionFrom(fleet))
	if err != nil {
		return RealReport{}, err
	}
	byPool := map[string]int{}
	for i, p := range r.opts.Fleet.Pools {
		byPool[p.Name] = fleet[i]
	}
	return newRealReport(meas, pred.Report, r.speedup, pre, byPool), nil
}
