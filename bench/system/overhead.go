package system

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/costmodel"
)

// OverheadOptions configure Overhead.
type OverheadOptions struct {
	// Rates are the offered rates, requests per second, ascending.
	Rates []float64
	// Duration is how long each rate is measured on each path, each
	// time; Warmup the unmeasured load before each measurement.
	Duration, Warmup time.Duration
	// Repeat is how many times each rate is measured on each path; the
	// report gives the medians. >= 1.
	Repeat int
	// Schedule is the arrivals: "poisson" or "constant".
	Schedule string
	// Workers is the pool's emulated workers, each given Slots requests
	// at a time by the router; >= 1 each.
	Workers, Slots int
	// PerItem is the latency each item adds to a worker's batch (base 0).
	PerItem time.Duration
	// P99Bound and MinServed say when a path sustains a rate: it serves
	// at least MinServed of the requests with p99 at most P99Bound.
	P99Bound  time.Duration
	MinServed float64
	// MaxRate bounds the search above the last rate, by doubling.
	MaxRate float64
	// Timeout bounds each request, from its scheduled send time.
	Timeout time.Duration
	// Seed seeds the Poisson arrivals.
	Seed uint64
	// Paths are the paths to measure, a subset of OverheadPaths in its
	// order.
	Paths []string
	// CPUProfile, if not empty, is the file a CPU profile of the whole
	// run is written to.
	CPUProfile string
	// JSON prints the report as one JSON object instead of a table.
	JSON bool
}

// overheadSLO is the model's SLO in the gateway under test: long enough
// that the router's SLO guard, which learns the workers' latency from
// batches timed inside this busy process, never refuses a request; the
// benchmark measures the request path, not admission.
const overheadSLO = time.Minute

// Targets the report checks.
const (
	overheadTargetRate    = 1000
	overheadMaxAddedP99   = time.Millisecond
	overheadMinProxyRatio = 0.6
	overheadMaxCPUToProxy = 0.8
)

// Overhead measures what the gateway adds on the request path: the same
// open-loop load of small sum requests goes, at each rate in turn, to a
// pool of emulated workers directly, through a bare reverse proxy, and
// through Sluice as serve runs it (an API key, a tenant rate limit,
// queueing, batching off); the report goes to stdout. pre: o passes the
// flags' checks (see `sluice bench overhead --help`).
func Overhead(ctx context.Context, o OverheadOptions, stdout io.Writer, log *slog.Logger) (err error) {
	pool := overheadPool{
		benchPool: benchPool{curve: costmodel.Curve{PerItem: o.PerItem}, maxBatch: 1, slo: overheadSLO},
		n:         o.Workers, slots: o.Slots,
	}
	top := max(o.MaxRate, o.Rates[len(o.Rates)-1])
	sys, err := startOverheadSystem(ctx, pool, 4*top, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	body, err := sumRequest(1, 4)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(o.CPUProfile)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopProfile()) }()
	rep := newOverheadReport(o)
	var row func(OverheadRun)
	if !o.JSON {
		printOverheadIntro(stdout, rep)
		row = func(r OverheadRun) { printOverheadRow(stdout, r) }
	}
	m := overheadMeter{o: o, sys: sys, client: load.NewHTTPClient(overheadMaxConns), body: body}
	if err := m.search(ctx, &rep, row); err != nil {
		return err
	}
	rep.conclude()
	if o.JSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	return printOverheadSummary(stdout, rep)
}

// overheadMeter runs the measurements of one overhead benchmark.
type overheadMeter struct {
	o      OverheadOptions
	sys    *overheadSystem
	client *http.Client
	body   []byte
	runs   int // measurements so far, which seeds the next
}

// search measures the listed rates on every path, then doubles the rate
// on the paths that sustained the last one, up to the maximum. Each rate
// is measured repeat times on every path in turn, and each path's median
// goes to rep and, if not nil, to row. It stops early when ctx ends.
func (m *overheadMeter) search(ctx context.Context, rep *OverheadReport, row func(OverheadRun)) error {
	rates := slices.Clone(m.o.Rates)
	for r := rates[len(rates)-1] * 2; r <= m.o.MaxRate; r *= 2 {
		rates = append(rates, r)
	}
	listed := len(m.o.Rates)
	for i, rate := range rates {
		paths := m.o.Paths
		if i >= listed {
			if paths = rep.stillSustaining(); len(paths) == 0 {
				return nil
			}
		}
		runs, err := m.repeat(ctx, paths, rate)
		if err != nil || ctx.Err() != nil {
			return err
		}
		for _, path := range paths {
			rep.add(medianRun(runs[path], m.o))
			if row != nil {
				row(rep.Runs[len(rep.Runs)-1])
			}
		}
	}
	return nil
}

// repeat measures rate on each path in turn, m.o.Repeat times over, and
// returns the runs by path.
func (m *overheadMeter) repeat(ctx context.Context, paths []string, rate float64) (map[string][]OverheadRun, error) {
	runs := map[string][]OverheadRun{}
	for range m.o.Repeat {
		for _, path := range paths {
			run, err := m.measure(ctx, path, rate)
			if err != nil || ctx.Err() != nil {
				return nil, err
			}
			runs[path] = append(runs[path], run)
		}
	}
	return runs, nil
}

// measure offers rate on path for the warm-up, then measures it.
func (m *overheadMeter) measure(ctx context.Context, path string, rate float64) (OverheadRun, error) {
	t := m.sys.target(path, m.client, m.body)
	if m.o.Warmup > 0 {
		s, err := m.schedule(rate, m.o.Warmup)
		if err != nil {
			return OverheadRun{}, err
		}
		load.Run(ctx, s, t, load.Options{Timeout: m.o.Timeout})
	}
	s, err := m.schedule(rate, m.o.Duration)
	if err != nil {
		return OverheadRun{}, err
	}
	cpu := processCPU()
	res := load.Run(ctx, s, t, load.Options{Timeout: m.o.Timeout})
	run := newOverheadRun(path, rate, res, m.o)
	if res.Sent > 0 {
		run.CPUPerRequestUS = benchRound(float64(processCPU()-cpu)/float64(time.Microsecond)/float64(res.Sent), 1)
	}
	return run, nil
}

// schedule returns the arrivals of one measurement at rate over d.
func (m *overheadMeter) schedule(rate float64, d time.Duration) (load.Schedule, error) {
	m.runs++
	if m.o.Schedule == "constant" {
		return load.Constant(rate, d)
	}
	return load.Poisson(rate, d, m.o.Seed+uint64(m.runs))
}

// startCPUProfile starts writing a CPU profile to path and returns the
// function that ends it; nothing for an empty path.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		return nil, errors.Join(fmt.Errorf("bench: CPU profile: %w", err), out.Close())
	}
	return func() error { pprof.StopCPUProfile(); return out.Close() }, nil
}
