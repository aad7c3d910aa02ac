package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/system"
)

func init() {
	benchmarks["matrix"] = command{
		summary: "simulate every scenario of a folder under every policy; write results.md and plots",
		run:     func(args []string) int { return benchMatrixMain(args, os.Stderr) },
	}
}

const benchMatrixUsage = `Usage: sluice bench matrix --out DIR [--scenarios DIR] [flags]

Simulates every scenario of DIR (each NAME.trace.csv, with NAME.events.csv
when present; by default bench/scenarios, the ones the repository ships)
under every policy, as 'sluice bench sim' does, several at once. Writes OUT/results.md, a table per scenario, and a timeline plot
OUT/NAME-POLICY.png per run; shows progress on stderr.

Flags:
`

// matrixFlags is what the matrix benchmark's flags say.
type matrixFlags struct {
	system.MatrixOptions
	// policies is --policies, split into MatrixOptions.Policies.
	policies string
}

// benchMatrixMain runs `sluice bench matrix` and returns its exit code: 0
// when every run succeeded or for help, 2 on bad flags, 1 otherwise.
func benchMatrixMain(args []string, stderr io.Writer) int {
	f, err := parseMatrixFlags(args, stderr)
	return benchExit("matrix", err, stderr, func() error { return system.Matrix(f.MatrixOptions, stderr) })
}

// parseMatrixFlags parses the matrix benchmark's flags.
func parseMatrixFlags(args []string, stderr io.Writer) (matrixFlags, error) {
	var f matrixFlags
	fs := flag.NewFlagSet("bench matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchMatrixUsage); fs.PrintDefaults() }
	fs.StringVar(&f.Config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&f.Scenarios, "scenarios", "bench/scenarios", "the `folder` of scenarios")
	fs.StringVar(&f.Out, "out", "", "the `folder` to write results.md and the plots to; required")
	fs.StringVar(&f.policies, "policies", strings.Join(sim.MatrixPolicies(), ","), "the comma-separated `policies`")
	fs.Uint64Var(&f.Seed, "seed", 1, "the random `seed` of every run")
	fs.IntVar(&f.Parallel, "parallel", 0, "how many runs at once (`n`); 0 means GOMAXPROCS")
	fs.BoolVar(&f.NoPlots, "no-plots", false, "write results.md only")
	addKindFlags(fs, &f.Kinds)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	f.Policies = splitList(f.policies)
	if f.Out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "sluice bench matrix: --out is required and it takes no arguments")
		fs.Usage()
		return f, errors.New("bad usage")
	}
	return f, nil
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
