package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/costmodel"
)

func init() {
	benchmarks["overhead"] = command{
		summary: "measure what the gateway adds to a request, against a bare proxy",
		run:     func(args []string) int { return benchOverheadMain(args, os.Stdout, os.Stderr) },
	}
}

const benchOverheadUsage = `Usage: sluice bench overhead [flags]

Measures what the gateway adds on the request path. A pool of emulated
workers whose batches take (almost) no time runs in this process on
loopback ports, and the same open-loop load of small sum requests (one row
of 4 elements) goes, at each rate in turn, through three paths:

  direct  to the workers' HTTP listeners, in turn
  proxy   through a bare httputil.ReverseProxy in front of them
  sluice  through the gateway as 'sluice serve' wires it: an API key, a
          tenant rate limit above every rate offered, the priority queue
          and the router's gRPC link to the workers, batching off

An emulated worker runs one batch at a time, and 'sluice serve' gives each
worker one at a time; here the router gives each --slots, and there are
--workers of them, so that the pool is not what limits the rates: the
benchmark measures the gateway. The router's health checks are off, as on
the other paths.

For each rate and path the report gives the served share, p50 and p99
latency (from each request's scheduled send time), what the proxy and
Sluice add to the direct path's p50 and p99, and the CPU time of the whole
process per request; then the highest rate each path sustains (serves at
least --min-served of the requests with p99 <= --p99-bound), searching on
above the listed rates by doubling up to --max-rate while a path sustains
the last rate it ran, and Sluice's sustained rate as a share of the
proxy's. Each rate is measured --repeat times on every path in turn, and
each figure is the median of a path's measurements, so that a machine
busy with other work slows the paths alike and one stall does not decide
a rate; compare numbers from the same run.

Flags:
`

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
)

// overheadFlags is what the overhead benchmark's flags say.
type overheadFlags struct {
	rates            ratesFlag
	duration, warmup time.Duration
	schedule         string
	workers, slots   int
	repeat           int
	perItem          time.Duration
	p99Bound         time.Duration
	minServed        float64
	maxRate          float64
	timeout          time.Duration
	seed             uint64
	paths            pathsFlag
	cpuProfile       string
	json, verbose    bool
}

// benchOverheadMain runs `sluice bench overhead` and returns its exit
// code: 0 when done or for help, 2 on bad flags, 1 otherwise.
func benchOverheadMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseOverheadFlags(args, stderr)
	return benchExit("overhead", err, stderr, func() error {
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelError)
		defer stop()
		return benchOverhead(ctx, f, stdout, log)
	})
}

// parseOverheadFlags parses the overhead benchmark's flags.
func parseOverheadFlags(args []string, stderr io.Writer) (overheadFlags, error) {
	f := overheadFlags{rates: ratesFlag{500, 1000, 2000, 4000}, paths: pathsFlag(overheadPaths)}
	fs := flag.NewFlagSet("sluice bench overhead", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchOverheadUsage); fs.PrintDefaults() }
	fs.Var(&f.rates, "rates", "offered `rates` in requests per second, comma-separated")
	fs.DurationVar(&f.duration, "duration", 3*time.Second, "how long each rate is measured on each path, each time")
	fs.DurationVar(&f.warmup, "warmup", 500*time.Millisecond, "unmeasured load before each measurement, at its rate")
	fs.IntVar(&f.repeat, "repeat", 3, "measure each rate on each path this many `times`, in turn, and report the medians")
	fs.StringVar(&f.schedule, "schedule", "poisson", "arrivals: `poisson` or constant")
	fs.IntVar(&f.workers, "workers", 8, "emulated workers in the pool")
	fs.IntVar(&f.slots, "slots", 8, "requests the router gives each worker at a time")
	fs.DurationVar(&f.perItem, "per-item", 0, "latency each item adds to a worker's batch (base 0)")
	fs.DurationVar(&f.p99Bound, "p99-bound", 50*time.Millisecond, "the p99 a sustained rate keeps under")
	fs.Float64Var(&f.minServed, "min-served", 0.99, "the `share` of requests a sustained rate serves")
	fs.Float64Var(&f.maxRate, "max-rate", 32000, "search no higher than this `rate`; at most the last listed rate disables the search")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "client timeout of each request, from its scheduled send time")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the Poisson arrivals")
	fs.Var(&f.paths, "paths", "the `paths` to measure, comma-separated: direct, proxy, sluice")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (load generator, proxy, gateway, workers) to `file`")
	fs.BoolVar(&f.json, "json", false, "print the report as one JSON object")
	fs.BoolVar(&f.verbose, "v", false, "log debug detail to stderr")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if err := checkOverheadFlags(f, fs.NArg()); err != nil {
		fmt.Fprintln(stderr, "sluice bench overhead:", err)
		fs.Usage()
		return f, err
	}
	slices.Sort(f.rates)
	return f, nil
}

// checkOverheadFlags checks what the flag package cannot.
func checkOverheadFlags(f overheadFlags, nargs int) error {
	switch {
	case nargs > 0:
		return errors.New("unexpected arguments")
	case f.duration <= 0 || f.warmup < 0 || f.timeout <= 0 || f.p99Bound <= 0 || f.perItem < 0:
		return errors.New("--duration, --timeout and --p99-bound must be positive, --warmup and --per-item not negative")
	case f.schedule != "poisson" && f.schedule != "constant":
		return fmt.Errorf("--schedule %q: want poisson or constant", f.schedule)
	case f.workers < 1 || f.slots < 1 || f.repeat < 1:
		return fmt.Errorf("--workers %d, --slots %d, --repeat %d: want at least 1 each", f.workers, f.slots, f.repeat)
	case !(f.minServed > 0 && f.minServed <= 1):
		return fmt.Errorf("--min-served %g: want a share in (0, 1]", f.minServed)
	case len(f.rates) == 0 || len(f.paths) == 0:
		return errors.New("--rates and --paths: want at least one each")
	}
	return nil
}

// benchOverhead runs every rate on every path and reports.
func benchOverhead(ctx context.Context, f overheadFlags, stdout io.Writer, log *slog.Logger) (err error) {
	pool := overheadPool{
		benchPool: benchPool{curve: costmodel.Curve{PerItem: f.perItem}, maxBatch: 1, slo: overheadSLO},
		n:         f.workers, slots: f.slots,
	}
	top := max(f.maxRate, f.rates[len(f.rates)-1])
	sys, err := startOverheadSystem(ctx, pool, 4*top, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	body, err := sumRequest(1, 4)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopProfile()) }()
	rep := newOverheadReport(f)
	var row func(overheadRun)
	if !f.json {
		printOverheadIntro(stdout, rep)
		row = func(r overheadRun) { printOverheadRow(stdout, r) }
	}
	m := overheadMeter{f: f, sys: sys, client: load.NewHTTPClient(overheadMaxConns), body: body}
	if err := m.search(ctx, &rep, row); err != nil {
		return err
	}
	rep.conclude()
	if f.json {
		return json.NewEncoder(stdout).Encode(rep)
	}
	return printOverheadSummary(stdout, rep)
}

// overheadMeter runs the measurements of one overhead benchmark.
type overheadMeter struct {
	f      overheadFlags
	sys    *overheadSystem
	client *http.Client
	body   []byte
	runs   int // measurements so far, which seeds the next
}

// search measures the listed rates on every path, then doubles the rate
// on the paths that sustained the last one, up to the maximum. Each rate
// is measured repeat times on every path in turn, and each path's median
// goes to rep and, if not nil, to row. It stops early when ctx ends.
func (m *overheadMeter) search(ctx context.Context, rep *overheadReport, row func(overheadRun)) error {
	rates := slices.Clone(m.f.rates)
	for r := rates[len(rates)-1] * 2; r <= m.f.maxRate; r *= 2 {
		rates = append(rates, r)
	}
	listed := len(m.f.rates)
	for i, rate := range rates {
		paths := []string(m.f.paths)
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
			rep.add(medianRun(runs[path], m.f))
			if row != nil {
				row(rep.Runs[len(rep.Runs)-1])
			}
		}
	}
	return nil
}

// repeat measures rate on each path in turn, m.f.repeat times over, and
// returns the runs by path.
func (m *overheadMeter) repeat(ctx context.Context, paths []string, rate float64) (map[string][]overheadRun, error) {
	runs := map[string][]overheadRun{}
	for range m.f.repeat {
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
func (m *overheadMeter) measure(ctx context.Context, path string, rate float64) (overheadRun, error) {
	t := m.sys.target(path, m.client, m.body)
	if m.f.warmup > 0 {
		s, err := m.schedule(rate, m.f.warmup)
		if err != nil {
			return overheadRun{}, err
		}
		load.Run(ctx, s, t, load.Options{Timeout: m.f.timeout})
	}
	s, err := m.schedule(rate, m.f.duration)
	if err != nil {
		return overheadRun{}, err
	}
	cpu := processCPU()
	res := load.Run(ctx, s, t, load.Options{Timeout: m.f.timeout})
	run := newOverheadRun(path, rate, res, m.f)
	if res.Sent > 0 {
		run.CPUPerRequestUS = benchRound(float64(processCPU()-cpu)/float64(time.Microsecond)/float64(res.Sent), 1)
	}
	return run, nil
}

// schedule returns the arrivals of one measurement at rate over d.
func (m *overheadMeter) schedule(rate float64, d time.Duration) (load.Schedule, error) {
	m.runs++
	if m.f.schedule == "constant" {
		return load.Constant(rate, d)
	}
	return load.Poisson(rate, d, m.f.seed+uint64(m.runs))
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

// pathsFlag is a comma-separated list of paths, each at most once, kept
// in the order the benchmark runs them.
type pathsFlag []string

var _ flag.Value = (*pathsFlag)(nil)

func (p *pathsFlag) String() string {
	if p == nil {
		return ""
	}
	return strings.Join(*p, ",")
}

func (p *pathsFlag) Set(s string) error {
	want := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		name := strings.TrimSpace(part)
		if !slices.Contains(overheadPaths, name) {
			return fmt.Errorf("path %q: want direct, proxy or sluice", name)
		}
		want[name] = true
	}
	var out pathsFlag
	for _, name := range overheadPaths {
		if want[name] {
			out = append(out, name)
		}
	}
	*p = out
	return nil
}

// ratesFlag is a comma-separated list of rates in requests per second.
type ratesFlag []float64

var _ flag.Value = (*ratesFlag)(nil)

func (r *ratesFlag) String() string { return formatFloats(*r) }

func (r *ratesFlag) Set(s string) error {
	v, err := parseFloats(s, "rate", load.MaxRequests)
	if err == nil {
		*r = v
	}
	return err
}
