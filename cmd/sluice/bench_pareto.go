package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sluice-gateway/sluice/bench/pareto"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/system"
)

func init() {
	benchmarks["pareto"] = command{
		summary: "sweep every policy family's knobs over every scenario; write cost at each SLO level, bounds and plots",
		run:     func(args []string) int { return benchParetoMain(args, os.Stderr) },
	}
}

const benchParetoUsage = `Usage: sluice bench pareto --out DIR [--scenarios DIR] [flags]

At the SLO a user needs, what does each approach cost? For every scenario of
DIR (each NAME.trace.csv, with NAME.events.csv when present; by default
bench/scenarios, the ones the repository ships) it simulates every policy
family at every point of its grid of knobs, each over --seeds seeds, every
run under the same budget cap (the config's budget.per_hour: the simulator
refuses any replica start over it). It brackets the cheapest
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

// benchParetoMain runs `sluice bench pareto` and returns its exit code:
// 0 when every run succeeded or for help, 2 on bad flags, 1 otherwise.
func benchParetoMain(args []string, stderr io.Writer) int {
	o, err := parseParetoFlags(args, stderr)
	return benchExit("pareto", err, stderr, func() error { return system.Pareto(o, stderr) })
}

// parseParetoFlags parses the pareto benchmark's flags.
func parseParetoFlags(args []string, stderr io.Writer) (system.ParetoOptions, error) {
	o := system.ParetoOptions{Levels: pareto.DefaultLevels()}
	fs := flag.NewFlagSet("bench pareto", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, benchParetoUsage, sim.FamiliesText()); fs.PrintDefaults() }
	fs.StringVar(&o.Config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&o.Scenarios, "scenarios", "bench/scenarios", "the `folder` of scenarios")
	fs.StringVar(&o.Out, "out", "", "the `folder` to write pareto.json, pareto.md and the plots to; required")
	families := fs.String("families", strings.Join(sim.FamilyNames(), ","), "the comma-separated policy `families`")
	fs.IntVar(&o.Seeds, "seeds", pareto.DefaultSeeds, "how many seeds (`n`, seeds 1 to n) every configuration runs with")
	fs.Func("levels", "the comma-separated SLO `levels` to report, each in (0, 1) (default "+formatFloats(o.Levels)+")", func(s string) (err error) {
		if o.Levels, err = parseFloats(s, "level", 1); err == nil && slices.Contains(o.Levels, 1) {
			err = errors.New("a level of 1 cannot be told from a lucky run; want levels below 1")
		}
		return err
	})
	fs.IntVar(&o.Parallel, "parallel", 0, "how many runs at once (`n`); 0 means GOMAXPROCS")
	addKindFlags(fs, &o.Kinds)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.Families = splitList(*families)
	if o.Out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "sluice bench pareto: --out is required and it takes no arguments")
		fs.Usage()
		return o, errors.New("bad usage")
	}
	return o, nil
}
