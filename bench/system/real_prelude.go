package system

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
)

// defaultPrelude returns the prelude's least length in trace time for a
// configuration compressed speedup times: the time to overshoot, settle
// and scale back down, the scaler's stabilization window plus twice the
// slowest cold start, and then the router's stats window (which is not
// compressed), so that the latencies the scaler reads no longer remember
// the settling.
//
// The real run's scaler starts with serve and first sees no traffic
// while the starting fleet comes up; the step from nothing to the
// trace's rate then makes its forecast overshoot, and the process starts
// of the replicas it orders take the CPU the gateway needs on a small
// machine. So the real run replays a prelude first: the trace's first
// second, repeated, at the same compression, until the fleet is steady
// (settle). The prelude is neither measured nor billed, and the
// prediction starts the trace from the fleet the real run had when the
// prelude ended, warm, with the policy's memory fresh.
func defaultPrelude(cfg *configs.Config, speedup float64) time.Duration {
	slowest := time.Duration(0)
	for _, p := range cfg.Pools {
		slowest = max(slowest, p.ColdStart)
	}
	settle := cfg.Scaler.Stabilization + 2*slowest + router.DefaultStatsWindow
	return time.Duration(float64(settle) * speedup).Round(time.Second)
}

// preludeChunk is the real time the prelude is replayed for between two
// looks at the fleet.
const preludeChunk = 10 * time.Second

// prelude is what a real run's prelude took: its length in trace time,
// whether the fleet was steady at its end, and the fleet when the trace
// began.
type prelude struct {
	length time.Duration
	steady bool
	fleet  []adminPool
}

// settle replays the trace's first second, preludeChunk of real time
// after another, until at least r.prelude of trace time has passed and
// the fleet is steady: the same replicas at the start and the end of a
// chunk, none of them starting. After three times r.prelude it stops
// unsteady. With r.prelude 0 it replays nothing.
func (r *realRun) settle(ctx context.Context, o RealOptions, sys *benchApp, client *http.Client, log *slog.Logger) (prelude, error) {
	var pre prelude
	if r.prelude == 0 {
		return pre, nil
	}
	rows := max(int(math.Round(preludeChunk.Seconds()*r.speedup)), 1)
	chunk := withPrelude(sim.Trace{Seconds: r.trace.Seconds[:1]}, rows-1)
	reader := newPoolReader(sys.admin, time.Second)
	before, _ := reader.read(ctx) // a failed read only makes the first chunk unsteady
	for i := uint64(1); ; i++ {
		if err := r.replayChunk(ctx, o, chunk, o.Seed+i, sys.url, client); err != nil {
			return pre, err
		}
		pre.length += time.Duration(rows) * time.Second
		after, err := reader.read(ctx)
		pre.steady = err == nil && sameFleet(before, after)
		log.Info("prelude", "trace_time", pre.length, "steady", pre.steady, "fleet", fleetText(after))
		if pre.length >= r.prelude && (pre.steady || pre.length >= 3*r.prelude) {
			return pre, nil
		}
		before = after
	}
}

// replayChunk replays chunk, drawn with seed, and waits for its answers,
// which it does not count.
func (r *realRun) replayChunk(ctx context.Context, o RealOptions, chunk sim.Trace, seed uint64, base string, client *http.Client) error {
	tr, err := load.TraceSchedule(loadSeconds(chunk), load.TraceOptions{Compress: r.speedup, Seed: seed})
	if err != nil {
		return err
	}
	snd, err := newRealSender(client, base, o.Kinds, tr)
	if err != nil {
		return err
	}
	load.RunEach(ctx, tr.Schedule, snd, load.Options{}, nil)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bench: the run was stopped in its prelude: %w", err)
	}
	return nil
}

// sameFleet reports whether b has the replicas a had, pool by pool, none
// of them starting.
func sameFleet(a, b []adminPool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range b {
		if b[i].Name != a[i].Name || b[i].Starting != 0 || b[i].Ready != a[i].Ready+a[i].Starting {
			return false
		}
	}
	return true
}

// withPrelude returns t behind rows copies of its first second.
func withPrelude(t sim.Trace, rows int) sim.Trace {
	secs := make([]sim.Second, rows, rows+len(t.Seconds))
	for i := range secs {
		secs[i] = t.Seconds[0]
	}
	t.Seconds = append(secs, t.Seconds...)
	return t
}

// startWith is a policy that starts with a given fleet, warm, and
// otherwise decides as the policy it wraps.
type startWith struct {
	sim.Policy
	fleet []int // by pool
}

var _ sim.Policy = (*startWith)(nil)

// Start returns the given fleet.
func (p *startWith) Start(*sim.Observation) []int { return p.fleet }

// startFleetOf returns, in the order of pools, the replicas, ready or
// starting, of each in sample; 0 for a pool the sample lacks.
func startFleetOf(pools []sim.Pool, sample []adminPool) []int {
	out := make([]int, len(pools))
	for i, p := range pools {
		for _, s := range sample {
			if s.Name == p.Name {
				out[i] = s.Ready + s.Starting
			}
		}
	}
	return out
}

// predictionFrom returns the prediction's options for a run whose trace
// began with fleet: the policy starts there, warm, and the requests are
// those the real run sent, at the same times.
func (r *realRun) predictionFrom(fleet []int) sim.Options {
	o := r.opts
	o.Arrivals = simArrivals(r.schedule)
	o.NewPolicy = func(s sim.Setup) (sim.Policy, error) {
		p, err := sim.NewPolicy(r.opts.Policy, s)
		if err != nil {
			return nil, err
		}
		return &startWith{Policy: p, fleet: fleet}, nil
	}
	return o
}
