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
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

func init() {
	commands["serve"] = command{summary: "run the gateway and its local worker pools", run: runServe}
}

// shutdownGrace bounds the listeners' own shutdown, which starts once the
// gateway has drained (see drainFirst): answers still being written and
// idle connections.
const shutdownGrace = 10 * time.Second

func runServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: sluice serve [--config FILE] [--insecure]\n\nServes the Open Inference Protocol v2 over HTTP and gRPC on the config's\nlisteners and runs each pool's workers as local child processes.\nOn SIGINT or SIGTERM it turns not ready and answers new requests 503, lets\nthe requests in progress finish within shutdown.drain_timeout (answering\nthe rest 503), then stops, taking its workers with it. On SIGHUP, or POST\n/admin/reload on the admin listener, it reloads the config file; a file\nwith problems is reported and the running configuration stays.\n\nWith auth.mode none, serve refuses HTTP or gRPC listeners that are not on\na loopback address, unless given --insecure.\n\nThe embedded scaler resizes the pools every scaler.interval; with\n--dry-run-scaler (or scaler.dry_run) it only logs and shows its plans.\n\nFlags:")
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

// serve runs the gateway until ctx is done, then drains it (see
// drainFirst) and stops. It reloads cfg.File on SIGHUP and POST
// /admin/reload (see reloader). The local driver runs workers as child
// processes.
func serve(ctx context.Context, cfg *configs.Config, log *slog.Logger) error {
	return serveWorkers(ctx, cfg, nil, log)
}

// serveWorkers is serve with the local driver's workers started by start;
// nil means child processes.
func serveWorkers(ctx context.Context, cfg *configs.Config, start local.Starter, log *slog.Logger) error {
	gwOpts, err := gatewayAuth(cfg, configs.Secrets{})
	if err != nil {
		return err
	}
	metrics, err := newServeMetrics()
	if err != nil {
		return err
	}
	ed, err := newEdge(cfg, configs.Secrets{}, time.Now, log)
	if err != nil {
		return err
	}
	rc := routerConfig(cfg)
	rc.Logger, rc.WorkerTLS = log, ed.workersTLS
	activate(&rc, cfg)
	metrics.instrument(&rc, &gwOpts)
	flushTraces, err := traceFromEnv(ctx, &rc, &gwOpts, log)
	if err != nil {
		return err
	}
	defer flushTraces()
	rt, err := router.New(rc)
	if err != nil {
		return err
	}
	defer rt.Close()
	driver, stopPools, err := startPools(ctx, cfg, rt, start, log)
	if err != nil {
		return err
	}
	defer stopPools()
	gwOpts.Router, gwOpts.Logger = rt, log
	ed.gatewayLimits(&gwOpts)
	gw := gateway.New(gwOpts)
	if err := metrics.watch(rt, gwOpts.Tenants); err != nil {
		return err
	}
	sc, stopScaling, err := startScaling(ctx, cfg, rt, driver, scaling.Directed{Shed: rt, Fallback: gwOpts.Admission}, metrics.reg, log)
	if err != nil {
		return err
	}
	defer stopScaling()
	board, feed, stopStatus := startStatus(ctx, cfg, rt, driver, sc)
	defer stopStatus()
	ctx, rl, stopLifecycle, err := startLifecycle(ctx, cfg, servingParts{
		router: rt, gateway: gw, admission: gwOpts.Admission, scaling: sc, driver: driver, metrics: metrics, status: feed,
	}, log)
	if err != nil {
		return err
	}
	defer stopLifecycle()
	listeners, err := listen(cfg.Listen)
	if err != nil {
		return err
	}
	cp, err := startControlPlane(rl.current, rt, gatewayAddrs{http: addrOf(listeners.http), grpc: addrOf(listeners.grpc)}, log)
	if err != nil {
		listeners.close()
		return err
	}
	defer cp.stop()
	return runListeners(ctx, gw, listeners, rl.withAdmin(cp.withAdmin(adminHandler(rt, driver, gw, sc, board))), sc.registerGRPC, ed, log)
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
