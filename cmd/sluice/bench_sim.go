package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/system"
)

func init() {
	benchmarks["sim"] = command{
		summary: "simulate a scenario under a scaling policy on a simulated clock",
		run:     func(args []string) int { return benchSimMain(args, os.Stdout, os.Stderr) },
	}
}

const benchSimUsage = `Usage: sluice bench sim --trace FILE [flags]

Runs a discrete-event simulation of the fleet in the configuration: the
trace's Poisson arrivals (light and heavy, 20/70/10 % high/normal/low
priority), the production batch forming, router choice and scaling policy
on a simulated clock, cold starts, spot interruptions and the scripted
events. Prints a report; the same seed gives the same report.

Flags:
`

// simFlags is what the sim benchmark's flags say.
type simFlags struct {
	system.SimOptions
}

// benchSimMain runs `sluice bench sim` and returns its exit code: 0 when
// done or for help, 2 on bad flags, 1 otherwise.
func benchSimMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseSimFlags(args, stderr)
	return benchExit("sim", err, stderr, func() error { return system.Simulate(f.SimOptions, stdout) })
}

// parseSimFlags parses the sim benchmark's flags.
func parseSimFlags(args []string, stderr io.Writer) (simFlags, error) {
	var f simFlags
	fs := flag.NewFlagSet("bench sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchSimUsage); fs.PrintDefaults() }
	fs.StringVar(&f.Config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&f.Trace, "trace", "", "the scenario's trace `file` (second,rps,heavy_fraction); required")
	fs.StringVar(&f.Events, "events", "", "the scenario's scripted events `file` (second,event,pool,value)")
	fs.StringVar(&f.Policy, "policy", "costaware", fmt.Sprintf("the scaling `policy`: one of %v", sim.Policies()))
	fs.Uint64Var(&f.Seed, "seed", 1, "the random `seed`")
	fs.BoolVar(&f.JSON, "json", false, "print the report as one JSON object")
	fs.StringVar(&f.Plot, "plot", "", "write the timeline as a PNG `file`")
	addKindFlags(fs, &f.Kinds)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.Trace == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "sluice bench sim: --trace is required and takes no arguments")
		fs.Usage()
		return f, errors.New("bad usage")
	}
	return f, nil
}

// addKindFlags declares the flags that map a trace's kinds to models.
func addKindFlags(fs *flag.FlagSet, k *system.SimKinds) {
	fs.StringVar(&k.Light, "light-model", "", "the `model` of light requests (default: the config's first model)")
	fs.StringVar(&k.Heavy, "heavy-model", "", "the `model` of heavy requests (default: the config's second model)")
	fs.Int64Var(&k.HeavyRows, "heavy-rows", 2, "the `rows` a heavy request weighs in a batch")
}
