package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

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
	worker  worker.Flags
	logging logFlags
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
	err = cfg.worker.Serve(ctx, stdin, stdout, cfg.logging.logger(stderr))
	switch {
	case err == nil:
		return 0
	case errors.Is(err, worker.ErrOptions):
		return 2
	default:
		return 1
	}
}

// parseWorkerFlags parses the worker command's flags, printing errors and
// help to stderr; it returns flag.ErrHelp for -h and --help.
func parseWorkerFlags(args []string, stderr io.Writer) (workerConfig, error) {
	var cfg workerConfig
	fs := flag.NewFlagSet("sluice worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { workerUsage(fs) }
	cfg.worker.Register(fs)
	cfg.logging.register(fs)
	if err := parseNoArgs(fs, args, stderr); err != nil {
		return workerConfig{}, err
	}
	return cfg, nil
}

func workerUsage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), `Usage: sluice worker [flags]

Run a model server that emulates one replica of a pool's hardware. It serves
the models "echo" and "sum" over the Open Inference Protocol v2 (HTTP and
gRPC), one batch at a time, each batch taking base + per-item × rows.
Once listening it prints one JSON line with the bound addresses to stdout,
{"http":"127.0.0.1:PORT","grpc":"127.0.0.1:PORT"}, and it stops gracefully
on SIGINT or SIGTERM. Logs go to stderr. --slowdown and --garbage make it
misbehave on purpose, for fault tests.

Flags:
`)
	fs.PrintDefaults()
}
