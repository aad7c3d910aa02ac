package system

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
)

// MatrixOptions configure Matrix.
type MatrixOptions struct {
	// Config is the fleet's configuration file; Scenarios the folder of
	// scenarios (NAME.trace.csv, with NAME.events.csv when present); Out
	// the folder results.md and the plots are written to.
	Config, Scenarios, Out string
	// Policies are the policies to run (see sim.MatrixPolicies).
	Policies []string
	// Seed seeds every run.
	Seed uint64
	// Parallel is how many runs at once; 0 means GOMAXPROCS.
	Parallel int
	// NoPlots writes results.md only.
	NoPlots bool
	// Kinds names the models of the traces' kinds.
	Kinds SimKinds
}

// Matrix simulates every scenario of o.Scenarios under every policy of
// o.Policies, as Simulate does, several at once; it writes
// o.Out/results.md, a table per scenario, and a timeline plot per run
// unless o.NoPlots, and shows progress on progress. It fails when a run
// fails, after writing the others.
func Matrix(o MatrixOptions, progress io.Writer) error {
	cfg, fleet, spec, err := loadSimFleet(o.Config, o.Kinds)
	if err != nil {
		return err
	}
	scenarios, err := sim.LoadScenarios(o.Scenarios)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	bar := newProgressBar(progress)
	cells := sim.RunMatrix(sim.MatrixOptions{
		Fleet: fleet, Scaler: spec, Scenarios: scenarios, Policies: o.Policies,
		Seed: o.Seed, Timeline: !o.NoPlots, Parallel: o.Parallel, Progress: bar.update,
	})
	bar.finish()
	return writeMatrix(o, cfg, fleet, cells)
}

// writeMatrix writes results.md and, unless turned off, the plots; it
// reports the runs that failed.
func writeMatrix(o MatrixOptions, cfg *configs.Config, fleet sim.Fleet, cells []sim.Cell) error {
	intro := fmt.Sprintf("Fleet %s, seed %d, scenarios from %s. Costs in USD; SLO attainment is the share of all requests answered within their SLO; latencies of served requests.",
		cfg.File, o.Seed, o.Scenarios)
	if err := writeFile(filepath.Join(o.Out, "results.md"), func(w io.Writer) error {
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
		if !o.NoPlots {
			path := filepath.Join(o.Out, c.Scenario+"-"+c.Policy+".png")
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
