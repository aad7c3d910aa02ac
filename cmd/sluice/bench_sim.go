package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/sim/simplot"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
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
	config, trace, events string
	policy                string
	seed                  uint64
	json                  bool
	plot                  string
	kinds                 simKinds
}

// benchSimMain runs `sluice bench sim` and returns its exit code: 0 when
// done or for help, 2 on bad flags, 1 otherwise.
func benchSimMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseSimFlags(args, stderr)
	return benchExit("sim", err, stderr, func() error { return benchSim(f, stdout) })
}

// parseSimFlags parses the sim benchmark's flags.
func parseSimFlags(args []string, stderr io.Writer) (simFlags, error) {
	var f simFlags
	fs := flag.NewFlagSet("bench sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchSimUsage); fs.PrintDefaults() }
	fs.StringVar(&f.config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&f.trace, "trace", "", "the scenario's trace `file` (second,rps,heavy_fraction); required")
	fs.StringVar(&f.events, "events", "", "the scenario's scripted events `file` (second,event,pool,value)")
	fs.StringVar(&f.policy, "policy", "costaware", fmt.Sprintf("the scaling `policy`: one of %v", sim.Policies()))
	fs.Uint64Var(&f.seed, "seed", 1, "the random `seed`")
	fs.BoolVar(&f.json, "json", false, "print the report as one JSON object")
	fs.StringVar(&f.plot, "plot", "", "write the timeline as a PNG `file`")
	addKindFlags(fs, &f.kinds)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.trace == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "sluice bench sim: --trace is required and takes no arguments")
		fs.Usage()
		return f, errors.New("bad usage")
	}
	return f, nil
}

// addKindFlags declares the flags that map a trace's kinds to models.
func addKindFlags(fs *flag.FlagSet, k *simKinds) {
	fs.StringVar(&k.light, "light-model", "", "the `model` of light requests (default: the config's first model)")
	fs.StringVar(&k.heavy, "heavy-model", "", "the `model` of heavy requests (default: the config's second model)")
	fs.Int64Var(&k.heavyRows, "heavy-rows", 2, "the `rows` a heavy request weighs in a batch")
}

// benchSim runs one simulation and reports it.
func benchSim(f simFlags, stdout io.Writer) error {
	cfg, err := configs.Load(f.config)
	if err != nil {
		return err
	}
	fleet, err := simFleet(cfg, f.kinds)
	if err != nil {
		return err
	}
	trace, err := sim.LoadTrace(f.trace)
	if err != nil {
		return err
	}
	var events []sim.Event
	if f.events != "" {
		if events, err = sim.LoadEvents(f.events); err != nil {
			return err
		}
	}
	spec, err := app.ScalerSpec(cfg)
	if err != nil {
		return err
	}
	res, err := sim.Run(sim.Options{Fleet: fleet, Trace: trace, Events: events, Policy: f.policy,
		Scaler: spec, Seed: f.seed, Timeline: f.plot != ""})
	if err != nil {
		return err
	}
	if f.plot != "" {
		if err := writePlot(f.plot, res, fleet); err != nil {
			return err
		}
	}
	if f.json {
		return json.NewEncoder(stdout).Encode(res.Report)
	}
	return printSimReport(stdout, res.Report)
}

// writePlot writes the run's timeline as a PNG file.
func writePlot(path string, res *sim.Result, fleet sim.Fleet) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	title := fmt.Sprintf("%s / %s", res.Report.Scenario, res.Report.Policy)
	slos := []time.Duration{fleet.Kinds[sim.Light].SLO, fleet.Kinds[sim.Heavy].SLO}
	return simplot.WritePNG(out, res.Timeline, simplot.Options{Title: title, SLOs: slos})
}

// printSimReport writes the report for people.
func printSimReport(w io.Writer, r sim.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\npolicy\t%s\nseed\t%d\n", r.Scenario, r.Policy, r.Seed)
	fmt.Fprintf(tw, "requests\t%d (served %d, lost %d, retried %d)\n", r.Requests, r.Served, r.Lost, r.Retried)
	fmt.Fprintf(tw, "rejected\t%v\n", r.Rejected)
	fmt.Fprintf(tw, "cost\t$%.2f ($%.3f per million served, at most $%.2f/h)\n", r.CostUSD, r.CostPerMillionUSD, r.MaxCostPerHourUSD)
	a := r.SLOAttainment
	fmt.Fprintf(tw, "SLO attainment\tall %.4f  light %.4f  heavy %.4f  high %.4f  normal %.4f  low %.4f\n",
		a.All, a.Light, a.Heavy, a.High, a.Normal, a.Low)
	fmt.Fprintf(tw, "latency\tp50 %.1f ms  p95 %.1f ms  p99 %.1f ms\n", r.LatencyMS.P50, r.LatencyMS.P95, r.LatencyMS.P99)
	fmt.Fprintf(tw, "replica seconds\t%v\n", r.ReplicaSeconds)
	return tw.Flush()
}
