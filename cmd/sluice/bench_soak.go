package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/bench/system"
)

func init() {
	benchmarks["soak"] = command{
		summary: "run steady load for a long time and check that memory and goroutines stay flat",
		run:     func(args []string) int { return benchSoakMain(args, os.Stdout, os.Stderr) },
	}
}

const benchSoakUsage = `Usage: sluice bench soak [flags]

Runs 'sluice serve' in this process on a free loopback port, its pools'
workers as local child processes, and offers it a steady open-loop load
of small sum requests (one row of 4 elements; to the model sum, or to
the configuration's first model) at --rate, once its workers are ready:
for --warmup, unsampled, then for --duration. Every --interval after the
warm-up it samples this process — the gateway and the load generator —
and prints a row: resident set size (VmRSS, Linux only), Go heap in use,
goroutines, and the window's served and failed requests and p99
latency.

At the end it gives a verdict: flat when the last sample exceeds the
first by at most --tolerance (a share) plus a floor: 16 MiB for RSS and
for the heap, 25 goroutines; and the last window's p99 exceeds the
first's by at most --p99-tolerance plus 10 ms. The exit code is 1 when
the run is not flat.

Without --config the system is one pool of two workers (2 ms + 1 ms per
item, batches of up to 16) serving sum, at a fixed size; a configuration
of your own has its listeners moved to loopback and must use auth.mode
none.

Flags:
`

// soakFlags is what the soak benchmark's flags say.
type soakFlags struct {
	system.SoakOptions
	verbose bool
}

// benchSoakMain runs `sluice bench soak` and returns its exit code: 0
// when flat or for help, 2 on bad flags, 1 otherwise.
func benchSoakMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseSoakFlags(args, stderr)
	return benchExit("soak", err, stderr, func() error {
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelWarn)
		defer stop()
		return system.Soak(ctx, f.SoakOptions, stdout, log)
	})
}

// parseSoakFlags parses the soak benchmark's flags.
func parseSoakFlags(args []string, stderr io.Writer) (soakFlags, error) {
	var f soakFlags
	fs := flag.NewFlagSet("sluice bench soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchSoakUsage); fs.PrintDefaults() }
	fs.DurationVar(&f.Duration, "duration", 10*time.Minute, "how long the load runs after the warm-up, sampled")
	fs.DurationVar(&f.Warmup, "warmup", 30*time.Second, "how long the load runs first, unsampled")
	fs.Float64Var(&f.Rate, "rate", 200, "offered `rate` in requests per second (Poisson arrivals)")
	fs.DurationVar(&f.Interval, "interval", 10*time.Second, "time between two samples")
	fs.Float64Var(&f.Tolerance, "tolerance", system.DefaultSoakTolerance.Growth, "the `share` the end may exceed the start by, beyond the floors, and be flat")
	fs.Float64Var(&f.P99Tolerance, "p99-tolerance", system.DefaultSoakTolerance.P99Growth, "the `share` the last window's p99 may exceed the first's by, beyond 10 ms, and be flat")
	fs.StringVar(&f.Config, "config", "", "serve this configuration `file` instead of the built-in pool")
	fs.DurationVar(&f.Timeout, "timeout", 5*time.Second, "client timeout of each request, from its scheduled send time")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed of the Poisson arrivals")
	fs.BoolVar(&f.JSON, "json", false, "print the samples and the verdict as one JSON object")
	fs.BoolVar(&f.verbose, "v", false, "log debug detail to stderr")
	if err := parseNoArgs(fs, args, stderr); err != nil {
		return f, err
	}
	if err := checkSoakFlags(f); err != nil {
		fmt.Fprintln(stderr, "sluice bench soak:", err)
		fs.Usage()
		return f, err
	}
	return f, nil
}

// checkSoakFlags checks what the flag package cannot.
func checkSoakFlags(f soakFlags) error {
	switch {
	case f.Duration <= 0 || f.Interval <= 0 || f.Timeout <= 0 || f.Warmup < 0:
		return fmt.Errorf("--duration %v, --interval %v and --timeout %v must be positive, --warmup %v not negative", f.Duration, f.Interval, f.Timeout, f.Warmup)
	case f.Interval > f.Duration/2:
		return fmt.Errorf("--interval %v: want at most half of --duration %v, for two samples", f.Interval, f.Duration)
	case !(f.Rate > 0) || f.Rate > 1e6:
		return fmt.Errorf("--rate %g: want a rate in (0, 1e6]", f.Rate)
	case !(f.Tolerance >= 0) || f.Tolerance > 100 || !(f.P99Tolerance >= 0) || f.P99Tolerance > 100:
		return fmt.Errorf("--tolerance %g, --p99-tolerance %g: want shares in [0, 100]", f.Tolerance, f.P99Tolerance)
	}
	return nil
}
