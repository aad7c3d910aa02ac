package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sluice-gateway/sluice/bench/worker"
)

func init() {
	commands["worker"] = command{
		summary: "run an emulated model server (OIP v2 over HTTP and gRPC)",
		run:     runWorker,
	}
}

// workerConfig is what the worker command's flags say.
type workerConfig struct {
	opts             worker.Options
	listenHTTP       string
	listenGRPC       string
	exitOnStdinClose bool
	logging          logFlags
}

func runWorker(args []string) int {
	return workerMain(args, os.Stdin, os.Stdout, os.Stderr)
}

// workerMain runs the worker until SIGINT or SIGTERM (or the end of stdin,
// when asked), announcing its ports on stdout and logging to stderr. It
// returns the exit code: 0 after a clean stop or help, 2 on bad flags, 1
// otherwise.
func workerMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseWorkerFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = runWorkerConfig(ctx, cfg, stdin, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, worker.ErrOptions):
		return 2
	default:
		return 1
	}
}

// runWorkerConfig serves as cfg says until ctx is done (or stdin ends,
// when cfg asks), announcing its ports on stdout and logging to stderr,
// the outcome included. It returns nil after a clean stop.
func runWorkerConfig(ctx context.Context, cfg workerConfig, stdin io.Reader, stdout, stderr io.Writer) error {
	logger := cfg.logging.logger(stderr)
	cfg.opts.Logger = logger
	if cfg.exitOnStdinClose {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go stopAtEOF(stdin, cancel, logger)
	}
	err := worker.Run(ctx, cfg.opts, cfg.listenHTTP, cfg.listenGRPC, stdout)
	switch {
	case err == nil:
	case errors.Is(err, worker.ErrOptions):
		logger.Error("worker: bad flags", "err", err)
	default:
		logger.Error("worker stopped", "err", err)
	}
	return err
}

// stopAtEOF reads r to its end, then calls stop.
func stopAtEOF(r io.Reader, stop context.CancelFunc, logger *slog.Logger) {
	_, err := io.Copy(io.Discard, r)
	logger.Info("worker: stdin closed, stopping", "err", err)
	stop()
}

// parseWorkerFlags parses the worker command's flags, printing errors and
// help to stderr; it returns flag.ErrHelp for -h and --help.
func parseWorkerFlags(args []string, stderr io.Writer) (workerConfig, error) {
	var cfg workerConfig
	fs := flag.NewFlagSet("sluice worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { workerUsage(fs) }
	fs.StringVar(&cfg.opts.Name, "name", worker.DefaultName, "worker `name`, reported by server metadata and logs")
	fs.StringVar(&cfg.listenHTTP, "http", "127.0.0.1:0", "`address` for OIP v2 over HTTP; port 0 picks a free port")
	fs.StringVar(&cfg.listenGRPC, "grpc", "127.0.0.1:0", "`address` for OIP v2 over gRPC; port 0 picks a free port")
	fs.DurationVar(&cfg.opts.Base, "base", 5*time.Millisecond, "fixed latency of every batch on the emulated device")
	fs.DurationVar(&cfg.opts.PerItem, "per-item", time.Millisecond, "latency each row adds to a batch")
	fs.IntVar(&cfg.opts.MaxBatch, "max-batch", 0, "most `rows` one request may carry, more is rejected; 0 means unlimited")
	fs.DurationVar(&cfg.opts.ColdStart, "cold-start", 0, "time after start during which the worker is live but not ready")
	fs.Float64Var(&cfg.opts.Slowdown, "slowdown", 1, "fault mode: multiply every batch's latency by this `factor`, a replica slower than its curve")
	fs.BoolVar(&cfg.opts.Garbage, "garbage", false, "fault mode: answer every inference with a malformed response (wrong shape, truncated, not JSON) in turn")
	fs.BoolVar(&cfg.exitOnStdinClose, "exit-on-stdin-close", false, "stop gracefully when stdin reaches end of file, so a supervisor's death stops the worker")
	cfg.logging.register(fs)
	if err := parseNoArgs(fs, args, stderr); err != nil {
		return workerConfig{}, err
	}
	return cfg, nil
}

func workerUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintln(w, "Usage: sluice worker [flags]")
	fmt.Fprintln(w, "\nRun a model server that emulates one replica of a pool's hardware. It serves")
	fmt.Fprintln(w, "the models \"echo\" and \"sum\" over the Open Inference Protocol v2 (HTTP and")
	fmt.Fprintln(w, "gRPC), one batch at a time, each batch taking base + per-item × rows.")
	fmt.Fprintln(w, "Once listening it prints one JSON line with the bound addresses to stdout,")
	fmt.Fprintln(w, `{"http":"127.0.0.1:PORT","grpc":"127.0.0.1:PORT"}, and it stops gracefully`)
	fmt.Fprintln(w, "on SIGINT or SIGTERM. Logs go to stderr. --slowdown and --garbage make it")
	fmt.Fprintln(w, "misbehave on purpose, for fault tests.\n\nFlags:")
	fs.PrintDefaults()
}
