package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
)

func init() {
	benchmarks["matrix"] = command{
		summary: "simulate every scenario of a folder under every policy; write results.md and plots",
		run:     func(args []string) int { return benchMatrixMain(args, os.Stderr) },
	}
}

const benchMatrixUsage = `Usage: sluice bench matrix --scenarios DIR --out DIR [flags]

Simulates every scenario of DIR (each NAME.trace.csv, with NAME.events.csv
when present) under every policy, as 'sluice bench sim' does, several at
once. Writes OUT/results.md, a table per scenario, and a timeline plot
OUT/NAME-POLICY.png per run; shows progress on stderr.

Flags:
`

// matrixFlags is what the matrix benchmark's flags say.
type matrixFlags struct {
	config, scenarios, out string
	policies               string
	seed                   uint64
	parallel               int
	noPlots                bool
	kinds                  simKinds
}

// benchMatrixMain runs `sluice bench matrix` and returns its exit code: 0
// when every run succeeded or for help, 2 on bad flags, 1 otherwise.
func benchMatrixMain(args []string, stderr io.Writer) int {
	f, err := parseMatrixFlags(args, stderr)
	return benchExit("matrix", err, stderr, func() error { return benchMatrix(f, stderr) })
}

// parseMatrixFlags parses the matrix benchmark's flags.
func parseMatrixFlags(args []string, stderr io.Writer) (matrixFlags, error) {
	var f matrixFlags
	fs := flag.NewFlagSet("bench matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchMatrixUsage); fs.PrintDefaults() }
	fs.StringVar(&f.config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&f.scenarios, "scenarios", "", "the `folder` of scenarios; required")
	fs.StringVar(&f.out, "out", "", "the `folder` to write results.md and the plots to; required")
	fs.StringVar(&f.policies, "policies", strings.Join(sim.MatrixPolicies(), ","), "the comma-separated `policies`")
	fs.Uint64Var(&f.seed, "seed", 1, "the random `seed` of every run")
	fs.IntVar(&f.parallel, "parallel", 0, "how many runs at once (`n`); 0 means GOMAXPROCS")
	fs.BoolVar(&f.noPlots, "no-plots", false, "write results.md only")
	addKindFlags(fs, &f.kinds)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.scenarios == "" || f.out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "sluice bench matrix: --scenarios and --out are required and it takes no arguments")
		fs.Usage()
		return f, errors.New("bad usage")
	}
	return f, nil
}

// benchMatrix runs the matrix and writes its results.
func benchMatrix(f matrixFlags, stderr io.Writer) error {
	cfg, err := configs.Load(f.config)
	if err != nil {
		return err
	}
	fleet, err := simFleet(cfg, f.kinds)
	if err != nil {
		return err
	}
	spec, err := app.ScalerSpec(cfg)
	if err != nil {
		return err
	}
	scenarios, err := sim.LoadScenarios(f.scenarios)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	bar := newProgressBar(stderr)
	cells := sim.RunMatrix(sim.MatrixOptions{
		Fleet: fleet, Scaler: spec, Scenarios: scenarios, Policies: splitList(f.policies),
		Seed: f.seed, Timeline: !f.noPlots, Parallel: f.parallel, Progress: bar.update,
	})
	bar.finish()
	return writeMatrix(f, cfg, fleet, cells)
}

// writeMatrix writes results.md and, unless turned off, the plots; it
// reports the runs that failed.
func writeMatrix(f matrixFlags, cfg *configs.Config, fleet sim.Fleet, cells []sim.Cell) error {
	intro := fmt.Sprintf("Fleet %s, seed %d, scenarios from %s. Costs in USD; SLO attainment is the share of all requests answered within their SLO; latencies of served requests.",
		cfg.File, f.seed, f.scenarios)
	if err := writeFile(filepath.Join(f.out, "results.md"), func(w io.Writer) error {
		return sim.WriteResults(w, cells, intro)
	}); err != nil {
		return err
	}
	var errs []error
	for _, c := range cells {
		if c.Err != nil {
			errs = append(errs, fmt.Errorf("%s / %s: %w", c.Scenario, c.Policy, c.Err))
			continue
		}
		if !f.noPlots {
			path := filepath.Join(f.out, c.Scenario+"-"+c.Policy+".png")
			if err := writePlot(path, c.Result, fleet); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// writeFile creates path and writes it with fill.
func writeFile(path string, fill func(io.Writer) error) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	return fill(out)
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// progressBar draws the matrix's progress on one terminal line.
type progressBar struct {
	w io.Writer
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

// update redraws the bar after a run; RunMatrix calls it one at a time.
func (b *progressBar) update(done, total int, last sim.Cell) {
	const width = 30
	filled := width * done / max(total, 1)
	status := "ok"
	if last.Err != nil {
		status = "failed"
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d  %s / %s %s in %.1fs\033[K", strings.Repeat("#", filled),
		strings.Repeat(" ", width-filled), done, total, last.Scenario, last.Policy, status, last.Elapsed.Seconds())
}

// finish ends the bar's line.
func (b *progressBar) finish() { fmt.Fprintln(b.w) }
