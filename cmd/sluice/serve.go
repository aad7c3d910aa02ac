package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sluice-gateway/sluice/internal/app"
)

func init() {
	commands["serve"] = command{summary: "run the gateway in front of its pools of workers", run: runServe}
}

func runServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: sluice serve [--config FILE] [--insecure]\n\nServes the Open Inference Protocol v2 over HTTP and gRPC on the config's\nlisteners, in front of each pool's workers. Under scaler.driver local it\nstarts one child process per replica: `sluice worker`, the emulator, or\nthe pool's worker.command (any OIP v2 server: Triton, KServe, your own)\non free loopback ports; a pool's endpoints, or the addresses its dns name\nresolves to, it reaches without starting them; under the kubernetes\ndriver it resizes each pool's Deployment. A pool without a curve is\nmeasured as its first worker attaches (see the calibration section).\n\nOn SIGINT or SIGTERM it turns not ready and answers new requests 503, lets\nthe requests in progress finish within shutdown.drain_timeout (answering\nthe rest 503), then stops, taking its workers with it. On SIGHUP, or POST\n/admin/reload on the admin listener, it reloads the config file; a file\nwith problems is reported and the running configuration stays.\n\nWith auth.mode none, serve refuses HTTP or gRPC listeners that are not on\na loopback address, unless given --insecure.\n\nThe embedded scaler resizes the pools every scaler.interval; with\n--dry-run-scaler (or scaler.dry_run) it only logs and shows its plans.\n\nFlags:")
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "configs/quickstart.yaml", "configuration `file`")
	var logging logFlags
	logging.register(fs)
	insecure := fs.Bool("insecure", false, "serve with auth.mode none on listeners other machines can reach")
	dryRun := fs.Bool("dry-run-scaler", false, "log and show the scaler's plans without resizing pools or shedding")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	log := logging.logger(os.Stderr)
	cfg, err := app.Load(*configPath, app.LoadOptions{Insecure: *insecure})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg.Scaler.DryRun = cfg.Scaler.DryRun || *dryRun
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, app.Options{Logger: log, Hints: os.Stderr}); err != nil {
		log.Error("serve stopped", slog.Any("error", err))
		return 1
	}
	return 0
}

// exitUsage returns 0 for --help and 2 for a flag error.
func exitUsage(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
