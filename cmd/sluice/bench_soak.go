package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
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

// soakConfigYAML is the system a soak runs without --config: a fixed
// pool, so that the scaler changes nothing during the run.
const soakConfigYAML = `
models: [{name: sum, tier: default, slo: 500ms}]
tiers: [{name: default, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 2ms, per_item: 1ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 2, initial: 2, max: 2}}
`

// soakFlags is what the soak benchmark's flags say.
type soakFlags struct {
	duration, warmup        time.Duration
	interval, timeout       time.Duration
	rate                    float64
	tolerance, p99Tolerance float64
	config                  string
	seed                    uint64
	json, verbose           bool
}

// benchSoakMain runs `sluice bench soak` and returns its exit code: 0
// when flat or for help, 2 on bad flags, 1 otherwise.
func benchSoakMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseSoakFlags(args, stderr)
	return benchExit("soak", err, stderr, func() error {
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelWarn)
		defer stop()
		return benchSoak(ctx, f, stdout, log)
	})
}

// parseSoakFlags parses the soak benchmark's flags.
func parseSoakFlags(args []string, stderr io.Writer) (soakFlags, error) {
	var f soakFlags
	fs := flag.NewFlagSet("sluice bench soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchSoakUsage); fs.PrintDefaults() }
	fs.DurationVar(&f.duration, "duration", 10*time.Minute, "how long the load runs after the warm-up, sampled")
	fs.DurationVar(&f.warmup, "warmup", 30*time.Second, "how long the load runs first, unsampled")
	fs.Float64Var(&f.rate, "rate", 200, "offered `rate` in requests per second (Poisson arrivals)")
	fs.DurationVar(&f.interval, "interval", 10*time.Second, "time between two samples")
	fs.Float64Var(&f.tolerance, "tolerance", defaultSoakTolerance.Growth, "the `share` the end may exceed the start by, beyond the floors, and be flat")
	fs.Float64Var(&f.p99Tolerance, "p99-tolerance", defaultSoakTolerance.P99Growth, "the `share` the last window's p99 may exceed the first's by, beyond 10 ms, and be flat")
	fs.StringVar(&f.config, "config", "", "serve this configuration `file` instead of the built-in pool")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "client timeout of each request, from its scheduled send time")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the Poisson arrivals")
	fs.BoolVar(&f.json, "json", false, "print the samples and the verdict as one JSON object")
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
	case f.duration <= 0 || f.interval <= 0 || f.timeout <= 0 || f.warmup < 0:
		return fmt.Errorf("--duration %v, --interval %v and --timeout %v must be positive, --warmup %v not negative", f.duration, f.interval, f.timeout, f.warmup)
	case f.interval > f.duration/2:
		return fmt.Errorf("--interval %v: want at most half of --duration %v, for two samples", f.interval, f.duration)
	case !(f.rate > 0) || f.rate > 1e6:
		return fmt.Errorf("--rate %g: want a rate in (0, 1e6]", f.rate)
	case !(f.tolerance >= 0) || f.tolerance > 100 || !(f.p99Tolerance >= 0) || f.p99Tolerance > 100:
		return fmt.Errorf("--tolerance %g, --p99-tolerance %g: want shares in [0, 100]", f.tolerance, f.p99Tolerance)
	}
	return nil
}

// errNotFlat is returned by a soak whose end exceeds its start.
var errNotFlat = errors.New("not flat")

// benchSoak runs the soak and reports it on stdout.
func benchSoak(ctx context.Context, f soakFlags, stdout io.Writer, log *slog.Logger) (err error) {
	cfg, err := soakConfig(f.config)
	if err != nil {
		return err
	}
	sys, err := startBenchPool(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	rep := soakReport{
		Model: soakModel(cfg), Rate: f.rate,
		WarmupS: f.warmup.Seconds(), DurationS: f.duration.Seconds(), IntervalS: f.interval.Seconds(),
	}
	row := func(soakSample) {}
	if !f.json {
		printSoakHeader(stdout, rep)
		row = func(s soakSample) { printSoakRow(stdout, s) }
	}
	if rep.Samples, err = runSoakLoad(ctx, f, sys.url+"/v2/models/"+rep.Model+"/infer", row); err != nil {
		return err
	}
	tol := defaultSoakTolerance
	tol.Growth, tol.P99Growth = f.tolerance, f.p99Tolerance
	rep.Verdict = judgeSoak(rep.Samples, tol)
	if err := writeSoakVerdict(stdout, rep, f.json); err != nil {
		return err
	}
	if !rep.Verdict.Flat {
		return fmt.Errorf("bench: %w: %v", errNotFlat, rep.Verdict.Problems)
	}
	return nil
}

// soakConfig loads path, or the built-in configuration when path is
// empty, and refuses a configuration the load cannot call.
func soakConfig(path string) (*configs.Config, error) {
	var cfg *configs.Config
	var err error
	if path == "" {
		cfg, err = configs.Parse("soak.yaml", []byte(soakConfigYAML))
	} else {
		cfg, err = configs.Load(path)
	}
	if err != nil {
		return nil, err
	}
	if cfg.Auth.Mode != configs.AuthNone {
		return nil, fmt.Errorf("bench: %s: auth.mode %q: the soak sends no key and needs auth.mode none", cfg.File, cfg.Auth.Mode)
	}
	return cfg, nil
}

// soakModel is the model the soak calls: sum if served, else the first.
func soakModel(cfg *configs.Config) string {
	for _, m := range cfg.Models {
		if m.Name == benchModel {
			return m.Name
		}
	}
	return cfg.Models[0].Name
}
