package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/system"
)

func init() {
	benchmarks["batch"] = command{
		summary: "measure the batcher against the limit of one emulated GPU worker",
		run:     func(args []string) int { return benchBatchMain(args, os.Stdout, os.Stderr) },
	}
}

// batchFlags is what the batch benchmark's flags say.
type batchFlags struct {
	system.BatchOptions
	verbose bool
}

// benchBatchMain runs the batch benchmark until it ends or SIGINT or
// SIGTERM stops it, writing its report to stdout and logs to stderr. It
// returns the exit code: 0 when done or for help, 2 on bad flags, 1
// otherwise.
func benchBatchMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseBatchFlags(args, stderr)
	return benchExit("batch", err, stderr, func() error {
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelError)
		defer stop()
		return system.Batch(ctx, f.BatchOptions, stdout, log)
	})
}

// parseBatchFlags parses the batch benchmark's flags, printing errors and
// help to stderr; it returns flag.ErrHelp for -h and --help.
func parseBatchFlags(args []string, stderr io.Writer) (batchFlags, error) {
	f := batchFlags{BatchOptions: system.BatchOptions{Levels: []float64{0.1, 0.5, 0.9, 1.2}}}
	fs := flag.NewFlagSet("sluice bench batch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { batchUsage(fs) }
	fs.DurationVar(&f.Curve.Base, "base", 32*time.Millisecond, "fixed latency of every batch on the emulated worker")
	fs.DurationVar(&f.Curve.PerItem, "per-item", 4*time.Millisecond, "latency each item adds to a batch")
	fs.IntVar(&f.MaxBatch, "max-batch", 32, "largest batch the worker takes, in `items`")
	fs.DurationVar(&f.SLO, "slo", 500*time.Millisecond, "the model's latency target, which bounds the batcher's waits")
	fs.Var((*levelsFlag)(&f.Levels), "levels", "offered loads as `fractions` of the limit, comma-separated")
	fs.DurationVar(&f.Duration, "duration", 20*time.Second, "how long each level offers load")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed of the Poisson arrivals; level i uses seed+i")
	fs.DurationVar(&f.Timeout, "timeout", load.DefaultTimeout, "client timeout of each request, from its scheduled send time")
	fs.BoolVar(&f.JSON, "json", false, "write one JSON object per level instead of a table")
	fs.BoolVar(&f.verbose, "v", false, "log debug detail, failed requests included, to stderr")
	if err := parseNoArgs(fs, args, stderr); err != nil {
		return batchFlags{}, err
	}
	return f, nil
}

func batchUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintln(w, "Usage: sluice bench batch [flags]")
	fmt.Fprintln(w, "\nMeasure the batcher against the physical limit of one emulated worker. One")
	fmt.Fprintln(w, "worker runs one batch at a time, each taking base + per-item × items, so it")
	fmt.Fprintln(w, "serves at most max-batch / (base + per-item × max-batch) requests per second.")
	fmt.Fprintln(w, "The worker, a router wired as `sluice serve` wires it and the gateway run in")
	fmt.Fprintln(w, "this process on loopback ports. For each level, open-loop Poisson arrivals of")
	fmt.Fprintln(w, "one-row requests to the model sum go through the gateway over HTTP; the report")
	fmt.Fprintln(w, "gives the offered and served rates, the served share of the limit, latency")
	fmt.Fprintln(w, "quantiles from each request's scheduled send time, the mean batch and errors.")
	fmt.Fprintln(w, "\nFlags:")
	fs.PrintDefaults()
}

// levelsFlag is a comma-separated list of positive numbers.
type levelsFlag []float64

var _ flag.Value = (*levelsFlag)(nil)

func (l *levelsFlag) String() string { return formatFloats(*l) }

func (l *levelsFlag) Set(s string) error {
	v, err := parseFloats(s, "level", 100)
	if err == nil {
		*l = v
	}
	return err
}
