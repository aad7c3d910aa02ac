package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/bench/batchbench"
	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/internal/app"
	"github.com/sluice-gateway/sluice/oip"
)

func init() {
	benchmarks["batch"] = command{
		summary: "measure the batcher against the limit of one emulated GPU worker",
		run:     func(args []string) int { return benchBatchMain(args, os.Stdout, os.Stderr) },
	}
}

// batchFlags is what the batch benchmark's flags say.
type batchFlags struct {
	pool     benchPool
	levels   levelsFlag
	duration time.Duration
	seed     uint64
	timeout  time.Duration
	json     bool
	verbose  bool
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
		return benchBatch(ctx, f, stdout, log)
	})
}

// benchBatch starts one pool behind the gateway, offers each load level
// through the gateway's HTTP API and reports each level as it ends.
func benchBatch(ctx context.Context, f batchFlags, stdout io.Writer, log *slog.Logger) (err error) {
	cfg, err := f.pool.config()
	if err != nil {
		return err
	}
	sys, err := startBenchPool(ctx, cfg, app.Options{Logger: log, Workers: worker.InProcess{}.Start})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	body, err := sumRequest(1, 4)
	if err != nil {
		return err
	}
	report := batchReporter(stdout, f.json)
	if !f.json {
		fmt.Fprintf(stdout, "one worker, %v + %v per item, max batch %d, SLO %v: limit %.1f/s; %v per level\n\n",
			f.pool.curve.Base, f.pool.curve.PerItem, f.pool.maxBatch, f.pool.slo, batchbench.Limit(f.pool.curve, f.pool.maxBatch), f.duration)
		if err := batchbench.WriteTableHeader(stdout); err != nil {
			return err
		}
	}
	_, err = batchbench.Run(ctx, batchbench.Config{
		Target: &load.HTTPTarget{
			Client: load.NewHTTPClient(0),
			URL:    sys.url + "/v2/models/" + benchModel + "/infer",
			Body:   body,
		},
		Counts: func() batchbench.Counts {
			batches, items := sys.dispatched(ctx, benchPoolName)
			return batchbench.Counts{Batches: int64(batches), Items: int64(items)}
		},
		Curve: f.pool.curve, MaxBatch: f.pool.maxBatch, Levels: f.levels, Duration: f.duration, Seed: f.seed, Timeout: f.timeout,
		OnLevel: report,
	})
	return err
}

// batchReporter returns the function that writes each level, as a table
// row or a JSON line.
func batchReporter(w io.Writer, asJSON bool) func(batchbench.Level) {
	write := batchbench.WriteTableRow
	if asJSON {
		write = batchbench.WriteJSON
	}
	return func(lv batchbench.Level) {
		// A report that cannot be written has nowhere to say so either.
		_ = write(w, lv)
	}
}

// sumRequest returns the JSON body of a request to the model sum: one
// FP32 input x of shape [rows, n].
func sumRequest(rows, n int) ([]byte, error) {
	vals := make([]float32, rows*n)
	for i := range vals {
		vals[i] = float32(i + 1)
	}
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{int64(rows), int64(n)}, vals)}}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("bench: encoding the sum request: %w", err)
	}
	return body, nil
}

// parseBatchFlags parses the batch benchmark's flags, printing errors and
// help to stderr; it returns flag.ErrHelp for -h and --help.
func parseBatchFlags(args []string, stderr io.Writer) (batchFlags, error) {
	f := batchFlags{levels: levelsFlag{0.1, 0.5, 0.9, 1.2}}
	fs := flag.NewFlagSet("sluice bench batch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { batchUsage(fs) }
	fs.DurationVar(&f.pool.curve.Base, "base", 32*time.Millisecond, "fixed latency of every batch on the emulated worker")
	fs.DurationVar(&f.pool.curve.PerItem, "per-item", 4*time.Millisecond, "latency each item adds to a batch")
	fs.IntVar(&f.pool.maxBatch, "max-batch", 32, "largest batch the worker takes, in `items`")
	fs.DurationVar(&f.pool.slo, "slo", 500*time.Millisecond, "the model's latency target, which bounds the batcher's waits")
	fs.Var(&f.levels, "levels", "offered loads as `fractions` of the limit, comma-separated")
	fs.DurationVar(&f.duration, "duration", 20*time.Second, "how long each level offers load")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the Poisson arrivals; level i uses seed+i")
	fs.DurationVar(&f.timeout, "timeout", load.DefaultTimeout, "client timeout of each request, from its scheduled send time")
	fs.BoolVar(&f.json, "json", false, "write one JSON object per level instead of a table")
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
