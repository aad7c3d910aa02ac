package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/sluice-gateway/sluice/bench/pareto"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
)

func init() {
	benchmarks["pareto"] = command{
		summary: "sweep every policy family's knobs over every scenario; write cost at each SLO level, bounds and plots",
		run:     func(args []string) int { return benchParetoMain(args, os.Stderr) },
	}
}

const benchParetoUsage = `Usage: sluice bench pareto --scenarios DIR --out DIR [flags]

At the SLO a user needs, what does each approach cost? For every scenario of
DIR (each NAME.trace.csv, with NAME.events.csv when present) it simulates
every policy family at every point of its grid of knobs, each over --seeds
seeds, every run under the same budget cap (the config's budget.per_hour:
the simulator refuses any replica start over it). It brackets the cheapest
cost at each level between a lower bound and oracle@level, the hindsight
plan at the largest utilization cap whose run reaches the level.

Writes OUT/pareto.json (every run and the bounds), OUT/pareto.md (per
scenario and level, each family's cheapest configuration reaching SLO-all
>= level with high-priority >= 0.995 and nothing lost) and a plot of cost
against attainment OUT/NAME.png per scenario; shows progress on stderr.

Families and their grids (the product of the knobs' values, plus the
default):
%s
Flags:
`

// paretoFlags is what the pareto benchmark's flags say.
type paretoFlags struct {
	config, scenarios, out string
	families               string
	seeds                  int
	levels                 []float64
	parallel               int
	kinds                  simKinds
}

// benchParetoMain runs `sluice bench pareto` and returns its exit code:
// 0 when every run succeeded or for help, 2 on bad flags, 1 otherwise.
func benchParetoMain(args []string, stderr io.Writer) int {
	f, err := parseParetoFlags(args, stderr)
	return benchExit("pareto", err, stderr, func() error { return benchPareto(f, stderr) })
}

// parseParetoFlags parses the pareto benchmark's flags.
func parseParetoFlags(args []string, stderr io.Writer) (paretoFlags, error) {
	f := paretoFlags{levels: pareto.DefaultLevels()}
	fs := flag.NewFlagSet("bench pareto", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, benchParetoUsage, familiesHelp()); fs.PrintDefaults() }
	fs.StringVar(&f.config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&f.scenarios, "scenarios", "", "the `folder` of scenarios; required")
	fs.StringVar(&f.out, "out", "", "the `folder` to write pareto.json, pareto.md and the plots to; required")
	fs.StringVar(&f.families, "families", strings.Join(familyNames(), ","), "the comma-separated policy `families`")
	fs.IntVar(&f.seeds, "seeds", pareto.DefaultSeeds, "how many seeds (`n`, seeds 1 to n) every configuration runs with")
	fs.Func("levels", "the comma-separated SLO `levels` to report, each in (0, 1) (default "+formatFloats(f.levels)+")", func(s string) error {
		v, err := parseFloats(s, "level", 1)
		if err == nil && slices.Contains(v, 1) {
			err = errors.New("a level of 1 cannot be told from a lucky run; want levels below 1")
		}
		f.levels = v
		return err
	})
	fs.IntVar(&f.parallel, "parallel", 0, "how many runs at once (`n`); 0 means GOMAXPROCS")
	addKindFlags(fs, &f.kinds)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.scenarios == "" || f.out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "sluice bench pareto: --scenarios and --out are required and it takes no arguments")
		fs.Usage()
		return f, errors.New("bad usage")
	}
	return f, nil
}

// familiesHelp describes every family and its grid.
func familiesHelp() string {
	var b strings.Builder
	for _, fam := range sim.Families(nil) {
		fmt.Fprintf(&b, "  %s: %s\n", fam.Name, fam.Doc)
		for line := range strings.SplitSeq(fam.GridText(), "\n") {
			fmt.Fprintf(&b, "      %s\n", line)
		}
	}
	b.WriteString("  (costaware's defaults are the configuration's scaler settings)\n")
	return b.String()
}

// familyNames returns the names of the families, in order.
func familyNames() []string {
	var names []string
	for _, fam := range sim.Families(nil) {
		names = append(names, fam.Name)
	}
	return names
}

// benchPareto runs the sweep and writes its outputs.
func benchPareto(f paretoFlags, stderr io.Writer) error {
	cfg, err := configs.Load(f.config)
	if err != nil {
		return err
	}
	fleet, err := simFleet(cfg, f.kinds)
	if err != nil {
		return err
	}
	spec, err := scalerSpec(cfg)
	if err != nil {
		return err
	}
	fams, err := pickFamilies(sim.Families(spec), splitList(f.families))
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
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // the router's picker allocates per request: trade memory for a third less CPU
	}
	res, runErr := pareto.Sweep(pareto.Options{Fleet: fleet, Scaler: spec, Scenarios: scenarios, Families: fams,
		Seeds: f.seeds, Levels: f.levels, Parallel: f.parallel, Progress: paretoProgress(stderr)})
	fmt.Fprintln(stderr)
	if res == nil {
		return runErr
	}
	intro := fmt.Sprintf("Fleet %s, scenarios from %s.", cfg.File, f.scenarios)
	return errors.Join(runErr, pareto.Write(f.out, res, intro))
}

// pickFamilies returns the families named, in the order given.
func pickFamilies(all []sim.Family, names []string) ([]sim.Family, error) {
	var out []sim.Family
	for _, name := range names {
		i := slices.IndexFunc(all, func(f sim.Family) bool { return f.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("no policy family %q (want some of %s)", name, strings.Join(familyNames(), ", "))
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
