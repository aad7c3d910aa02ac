package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/system"
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
Sluice add to the direct path's p50 and p99, the CPU time of the whole
process per request, its excess over the direct path's (the path's own
CPU per request: the direct path's carries the load generator and the
workers) and, for Sluice, its own CPU as a share of the proxy's; then the highest rate each path sustains (serves at
least --min-served of the requests with p99 <= --p99-bound), searching on
above the listed rates by doubling up to --max-rate while a path sustains
the last rate it ran, and Sluice's sustained rate as a share of the
proxy's. Each rate is measured --repeat times on every path in turn, and
each figure is the median of a path's measurements, so that a machine
busy with other work slows the paths alike and one stall does not decide
a rate; compare numbers from the same run.

Flags:
`

// overheadFlags is what the overhead benchmark's flags say.
type overheadFlags struct {
	system.OverheadOptions
	verbose bool
}

// benchOverheadMain runs `sluice bench overhead` and returns its exit
// code: 0 when done or for help, 2 on bad flags, 1 otherwise.
func benchOverheadMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseOverheadFlags(args, stderr)
	return benchExit("overhead", err, stderr, func() error {
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelError)
		defer stop()
		return system.Overhead(ctx, f.OverheadOptions, stdout, log)
	})
}

// parseOverheadFlags parses the overhead benchmark's flags.
func parseOverheadFlags(args []string, stderr io.Writer) (overheadFlags, error) {
	f := overheadFlags{OverheadOptions: system.OverheadOptions{Rates: []float64{500, 1000, 2000, 4000}, Paths: system.OverheadPaths()}}
	fs := flag.NewFlagSet("sluice bench overhead", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchOverheadUsage); fs.PrintDefaults() }
	fs.Var((*ratesFlag)(&f.Rates), "rates", "offered `rates` in requests per second, comma-separated")
	fs.DurationVar(&f.Duration, "duration", 3*time.Second, "how long each rate is measured on each path, each time")
	fs.DurationVar(&f.Warmup, "warmup", 500*time.Millisecond, "unmeasured load before each measurement, at its rate")
	fs.IntVar(&f.Repeat, "repeat", 3, "measure each rate on each path this many `times`, in turn, and report the medians")
	fs.StringVar(&f.Schedule, "schedule", "poisson", "arrivals: `poisson` or constant")
	fs.IntVar(&f.Workers, "workers", 8, "emulated workers in the pool")
	fs.IntVar(&f.Slots, "slots", 8, "requests the router gives each worker at a time")
	fs.DurationVar(&f.PerItem, "per-item", 0, "latency each item adds to a worker's batch (base 0)")
	fs.DurationVar(&f.P99Bound, "p99-bound", 50*time.Millisecond, "the p99 a sustained rate keeps under")
	fs.Float64Var(&f.MinServed, "min-served", 0.99, "the `share` of requests a sustained rate serves")
	fs.Float64Var(&f.MaxRate, "max-rate", 32000, "search no higher than this `rate`; at most the last listed rate disables the search")
	fs.DurationVar(&f.Timeout, "timeout", 5*time.Second, "client timeout of each request, from its scheduled send time")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed of the Poisson arrivals")
	fs.Var((*pathsFlag)(&f.Paths), "paths", "the `paths` to measure, comma-separated: direct, proxy, sluice")
	fs.StringVar(&f.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run (load generator, proxy, gateway, workers) to `file`")
	fs.BoolVar(&f.JSON, "json", false, "print the report as one JSON object")
	fs.BoolVar(&f.verbose, "v", false, "log debug detail to stderr")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if err := checkOverheadFlags(f, fs.NArg()); err != nil {
		fmt.Fprintln(stderr, "sluice bench overhead:", err)
		fs.Usage()
		return f, err
	}
	slices.Sort(f.Rates)
	return f, nil
}

// checkOverheadFlags checks what the flag package cannot.
func checkOverheadFlags(f overheadFlags, nargs int) error {
	switch {
	case nargs > 0:
		return errors.New("unexpected arguments")
	case f.Duration <= 0 || f.Warmup < 0 || f.Timeout <= 0 || f.P99Bound <= 0 || f.PerItem < 0:
		return errors.New("--duration, --timeout and --p99-bound must be positive, --warmup and --per-item not negative")
	case f.Schedule != "poisson" && f.Schedule != "constant":
		return fmt.Errorf("--schedule %q: want poisson or constant", f.Schedule)
	case f.Workers < 1 || f.Slots < 1 || f.Repeat < 1:
		return fmt.Errorf("--workers %d, --slots %d, --repeat %d: want at least 1 each", f.Workers, f.Slots, f.Repeat)
	case !(f.MinServed > 0 && f.MinServed <= 1):
		return fmt.Errorf("--min-served %g: want a share in (0, 1]", f.MinServed)
	case len(f.Rates) == 0 || len(f.Paths) == 0:
		return errors.New("--rates and --paths: want at least one each")
	}
	return nil
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
		if !slices.Contains(system.OverheadPaths(), name) {
			return fmt.Errorf("path %q: want direct, proxy or sluice", name)
		}
		want[name] = true
	}
	var out pathsFlag
	for _, name := range system.OverheadPaths() {
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
