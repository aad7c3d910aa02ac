package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
)

// SoakOptions configure Soak.
type SoakOptions struct {
	// Duration is how long the load runs after the warm-up, sampled;
	// Warmup how long it runs first, unsampled.
	Duration, Warmup time.Duration
	// Interval is the time between two samples; at most Duration/2.
	Interval time.Duration
	// Timeout bounds each request, from its scheduled send time.
	Timeout time.Duration
	// Rate is the offered rate, requests per second (Poisson arrivals).
	Rate float64
	// Tolerance and P99Tolerance are the shares the end may exceed the
	// start by, beyond the floors, and be flat (see SoakTolerance).
	Tolerance, P99Tolerance float64
	// Config, if not empty, is the configuration file to serve instead of
	// the built-in pool; its auth.mode must be none.
	Config string
	// Seed seeds the Poisson arrivals.
	Seed uint64
	// JSON prints the samples and the verdict as one JSON object.
	JSON bool
}

// soakConfigYAML is the system a soak runs without --config: a fixed
// pool, so that the scaler changes nothing during the run.
const soakConfigYAML = `
models: [{name: sum, tier: default, slo: 500ms}]
tiers: [{name: default, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 2ms, per_item: 1ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 2, initial: 2, max: 2}}
`

// Soak runs Sluice in this process on a free loopback port, its pools'
// workers as child processes as serve runs them, offers it a steady
// open-loop load of small sum requests once its workers are ready, and
// samples this process every o.Interval: memory, goroutines, and the
// window's requests and p99. It writes the samples and a verdict to
// stdout, and fails, wrapping ErrNotFlat, when the end exceeds the start
// beyond the tolerance.
func Soak(ctx context.Context, o SoakOptions, stdout io.Writer, log *slog.Logger) (err error) {
	cfg, err := soakConfig(o.Config)
	if err != nil {
		return err
	}
	sys, err := startBenchPool(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	rep := SoakReport{
		Model: soakModel(cfg), Rate: o.Rate,
		WarmupS: o.Warmup.Seconds(), DurationS: o.Duration.Seconds(), IntervalS: o.Interval.Seconds(),
	}
	row := func(SoakSample) {}
	if !o.JSON {
		printSoakHeader(stdout, rep)
		row = func(s SoakSample) { printSoakRow(stdout, s) }
	}
	if rep.Samples, err = runSoakLoad(ctx, o, sys.url+"/v2/models/"+rep.Model+"/infer", row); err != nil {
		return err
	}
	tol := DefaultSoakTolerance
	tol.Growth, tol.P99Growth = o.Tolerance, o.P99Tolerance
	rep.Verdict = judgeSoak(rep.Samples, tol)
	if err := writeSoakVerdict(stdout, rep, o.JSON); err != nil {
		return err
	}
	if !rep.Verdict.Flat {
		return fmt.Errorf("bench: %w: %v", ErrNotFlat, rep.Verdict.Problems)
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
