package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

func init() {
	commands["serve"] = command{summary: "run the gateway and its local worker pools", run: runServe}
}

// shutdownGrace bounds how long serve waits for requests in flight when it
// stops.
const shutdownGrace = 10 * time.Second

func runServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: sluice serve [--config FILE] [--insecure]\n\nServes the Open Inference Protocol v2 over HTTP and gRPC on the config's\nlisteners and runs each pool's workers as local child processes.\nStops on SIGINT or SIGTERM, taking its workers with it.\n\nWith auth.mode none, serve refuses HTTP or gRPC listeners that are not on\na loopback address, unless given --insecure.\n\nThe embedded scaler resizes the pools every scaler.interval; with\n--dry-run-scaler (or scaler.dry_run) it only logs and shows its plans.\n\nFlags:")
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "configs/quickstart.yaml", "configuration `file`")
	verbose := fs.Bool("v", false, "log debug detail")
	insecure := fs.Bool("insecure", false, "serve with auth.mode none on listeners other machines can reach")
	dryRun := fs.Bool("dry-run-scaler", false, "log and show the scaler's plans without resizing pools or shedding")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := configs.Load(*configPath)
	if err == nil {
		err = checkAuthExposure(cfg, *insecure)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg.Scaler.DryRun = cfg.Scaler.DryRun || *dryRun
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
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

// serve runs the gateway until ctx is done.
func serve(ctx context.Context, cfg *configs.Config, log *slog.Logger) error {
	gwOpts, err := gatewayAuth(cfg, configs.Secrets{})
	if err != nil {
		return err
	}
	rc := routerConfig(cfg)
	rc.Logger = log
	activate(&rc, cfg)
	rt, err := router.New(rc)
	if err != nil {
		return err
	}
	defer rt.Close()
	driver, stopPools, err := startPools(ctx, cfg, rt, log)
	if err != nil {
		return err
	}
	defer stopPools()
	gwOpts.Router, gwOpts.Logger = rt, log
	gw := gateway.New(gwOpts)
	sc, stopScaling, err := startScaling(ctx, cfg, rt, driver, gwOpts.Admission, log)
	if err != nil {
		return err
	}
	defer stopScaling()
	listeners, err := listen(cfg.Listen)
	if err != nil {
		return err
	}
	cp, err := startControlPlane(cfg, rt, gatewayAddrs{http: addrOf(listeners.http), grpc: addrOf(listeners.grpc)}, log)
	if err != nil {
		listeners.close()
		return err
	}
	defer cp.stop()
	return runListeners(ctx, gw, listeners, cp.withAdmin(adminHandler(rt, driver, gw, sc)), sc.registerGRPC, log)
}

// endpointSink forwards the supervisor's ready workers to the router.
func endpointSink(rt *router.Router, log *slog.Logger) func(string, []local.Endpoint) {
	return func(pool string, eps []local.Endpoint) {
		out := make([]router.Endpoint, len(eps))
		for i, ep := range eps {
			out[i] = router.Endpoint{ID: ep.ID, GRPC: ep.GRPC, HTTP: ep.HTTP}
		}
		if err := rt.SetEndpoints(pool, out); err != nil {
			log.Error("updating endpoints", slog.String("pool", pool), slog.Any("error", err))
			return
		}
		log.Info("pool workers changed", slog.String("pool", pool), slog.Int("ready", len(out)))
	}
}

// workerArgs are the flags that make `sluice worker` emulate a pool.
func workerArgs(p configs.Pool) []string {
	return []string{
		"--base", p.Curve.Base.String(),
		"--per-item", p.Curve.PerItem.String(),
		"--max-batch", fmt.Sprint(p.MaxBatch),
		"--cold-start", p.ColdStart.String(),
	}
}

// listeners holds the gateway's bound sockets; nil ones are off.
type listeners struct {
	http, grpc, admin net.Listener
}

func listen(cfg configs.Listen) (listeners, error) {
	var ls listeners
	var err error
	for _, l := range []struct {
		addr string
		dst  *net.Listener
	}{{cfg.HTTP, &ls.http}, {cfg.GRPC, &ls.grpc}, {cfg.Admin, &ls.admin}} {
		if l.addr == "" {
			continue
		}
		if *l.dst, err = net.Listen("tcp", l.addr); err != nil {
			ls.close()
			return listeners{}, fmt.Errorf("listen %s: %w", l.addr, err)
		}
	}
	return ls, nil
}

func (ls listeners) close() {
	for _, l := range []net.Listener{ls.http, ls.grpc, ls.admin} {
		if l != nil {
			l.Close()
		}
	}
}
