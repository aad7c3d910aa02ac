package system

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/sluice-gateway/sluice/bench/pareto"
	"github.com/sluice-gateway/sluice/bench/sim"
)

// ParetoOptions configure Pareto.
type ParetoOptions struct {
	// Config is the fleet's configuration file; Scenarios the folder of
	// scenarios (NAME.trace.csv, with NAME.events.csv when present); Out
	// the folder pareto.json, pareto.md and the plots are written to.
	Config, Scenarios, Out string
	// Families names the policy families to sweep (see sim.FamilyNames),
	// in the order given.
	Families []string
	// Seeds is how many seeds, 1 to Seeds, each configuration runs with;
	// 0 means pareto.DefaultSeeds.
	Seeds int
	// Levels are the SLO levels to report, each in (0, 1); nil means
	// pareto.DefaultLevels.
	Levels []float64
	// Parallel is how many runs at once; 0 means GOMAXPROCS.
	Parallel int
	// Kinds names the models of the traces' kinds.
	Kinds SimKinds
}

// Pareto sweeps every family of o.Families over its grid on every
// scenario of o.Scenarios (pareto.Sweep), on the fleet of o.Config as
// serve's scaler would plan it (app.ScalerSpec), and writes its outputs
// to o.Out (pareto.Write); it shows progress on progress. It fails when a
// run fails, after writing what the others found.
func Pareto(o ParetoOptions, progress io.Writer) error {
	cfg, fleet, spec, err := loadSimFleet(o.Config, o.Kinds)
	if err != nil {
		return err
	}
	fams, err := pickFamilies(sim.Families(spec), o.Families)
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
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // the router's picker allocates per request: trade memory for a third less CPU
	}
	res, runErr := pareto.Sweep(pareto.Options{Fleet: fleet, Scaler: spec, Scenarios: scenarios, Families: fams,
		Seeds: o.Seeds, Levels: o.Levels, Parallel: o.Parallel, Progress: paretoProgress(progress)})
	fmt.Fprintln(progress)
	if res == nil {
		return runErr
	}
	intro := fmt.Sprintf("Fleet %s, scenarios from %s.", cfg.File, o.Scenarios)
	return errors.Join(runErr, pareto.Write(o.Out, res, intro))
}

// pickFamilies returns the families named, in the order given.
func pickFamilies(all []sim.Family, names []string) ([]sim.Family, error) {
	var out []sim.Family
	for _, name := range names {
		i := slices.IndexFunc(all, func(f sim.Family) bool { return f.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("no policy family %q (want some of %s)", name, strings.Join(sim.FamilyNames(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// paretoProgress returns a progress line for the sweep's runs.
func paretoProgress(w io.Writer) func(done, queued int, last pareto.Job) {
	return func(done, queued int, last pareto.Job) {
		status := "ok"
		if last.Err != nil {
			status = "failed"
		}
		fmt.Fprintf(w, "\r%d/%d runs  %s / %s (%s) seed %d %s in %.1fs\033[K", done, queued,
			last.Scenario, last.Family, last.Config, last.Seed, status, last.Elapsed.Seconds())
	}
}
