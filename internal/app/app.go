package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// shutdownGrace bounds the listeners' own shutdown, which starts once the
// gateway has drained (see drainFirst): answers still being written and
// idle connections.
const shutdownGrace = 10 * time.Second

// Options are what the callers of Start vary. The zero value runs as
// `sluice serve` does, logging nowhere.
type Options struct {
	// Logger receives the logs; nil discards them.
	Logger *slog.Logger
	// Workers starts the local driver's workers; nil runs each as a
	// child process, this binary's `sluice worker`.
	Workers local.Starter
	// Secrets reads the secrets the configuration names (API key hashes,
	// the admin token); its zero value reads the environment and files.
	Secrets configs.Secrets
	// Router, if not nil, amends the router's configuration as Start
	// builds it from the configuration, at start and at every reload:
	// what a benchmark varies that the file does not (batches per worker
	// at a time, health checks).
	Router func(*router.Config)
	// Hints, if not nil, receives a line for people once the listeners
	// serve: how to try the model sum, when the configuration serves it.
	Hints io.Writer
	// Resolver, if not nil, looks up the names of dns pools; nil means
	// the system's resolver.
	Resolver router.Resolver
}

// Addrs are the host:port addresses a running Sluice listens on; an empty
// one is off.
type Addrs struct {
	HTTP, GRPC, Admin, XDS string
}

// App is a running Sluice: the gateway, its router and pools, the
// embedded scaler, the status board, the xDS control plane and the
// listeners, wired from one configuration. Create it with Start.
type App struct {
	addrs  Addrs
	cancel context.CancelFunc
	done   chan struct{}
	err    error // read only after done

	// The running parts, for the tests of this package.
	router  *router.Router
	gateway *gateway.Gateway
	driver  poolDriver
}

// Run runs Sluice on cfg until ctx is done, then drains it (see Start)
// and returns once every part has stopped.
func Run(ctx context.Context, cfg *configs.Config, opts Options) error {
	a, err := Start(ctx, cfg, opts)
	if err != nil {
		return err
	}
	return a.Wait()
}

// Start wires and starts Sluice on cfg and returns once its listeners are
// bound; the pools' workers start in the background. It serves until ctx
// is done or Close is called; then the gateway turns not ready, lets the
// calls in progress finish within shutdown.drain_timeout, and every part
// stops. It reloads cfg.File on SIGHUP and on POST /admin/reload (see
// reloader). It fails, having started nothing, when a part cannot be
// built or a listener bound. pre: cfg came from configs.Load or Parse.
func Start(ctx context.Context, cfg *configs.Config, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	limit := setMemoryLimit(cfg.Limits.MemoryLimit, os.Getenv)
	opts.Logger.Info("memory limit", slog.Int64("bytes", limit))
	ctx, cancel := context.WithCancel(ctx)
	a := &App{cancel: cancel, done: make(chan struct{})}
	var stops stack
	serve, err := a.start(ctx, cfg, opts, &stops)
	if err != nil {
		cancel()
		stops.run()
		return nil, err
	}
	go func() {
		defer close(a.done)
		a.err = serve()
		stops.run()
		cancel()
	}()
	return a, nil
}

// Addrs returns the addresses the listeners are bound to.
func (a *App) Addrs() Addrs { return a.addrs }

// Wait returns once every part has stopped, with what stopped the
// listeners (nil after a drain).
func (a *App) Wait() error {
	<-a.done
	return a.err
}

// Done returns a channel closed once every part has stopped.
func (a *App) Done() <-chan struct{} { return a.done }

// Close stops Sluice as the end of Start's context does, and waits.
func (a *App) Close() error {
	a.cancel()
	return a.Wait()
}

// stack holds the stop functions of the parts started, to run in reverse.
type stack []func()

func (s *stack) push(stop func()) { *s = append(*s, stop) }

func (s *stack) run() {
	for i := len(*s) - 1; i >= 0; i-- {
		(*s)[i]()
	}
	*s = nil
}

// start starts every part, pushing their stops, and returns the function
// that serves the listeners until the gateway has drained.
func (a *App) start(ctx context.Context, cfg *configs.Config, opts Options, stops *stack) (serve func() error, err error) {
	cur := newCurrent(newInForce(cfg))
	dp, err := a.startDataPlane(ctx, cur, opts, stops)
	if err != nil {
		return nil, err
	}
	return a.startControl(ctx, cur, opts, dp, stops)
}

// dataPlane is what start builds first: the gateway and its router over
// the pools' workers, with the edge and the metrics they report to.
type dataPlane struct {
	edge    edge
	metrics *serveMetrics
	gwOpts  gateway.Options
	tenancy *tenancy
	// build builds the router's configuration, at start and at reloads.
	build   func(*inForce) router.Config
	router  *router.Router
	workers *workers
	// driver is workers, as the scaler, the status and the admin API
	// read it.
	driver  poolDriver
	gateway *gateway.Gateway
}

// startDataPlane builds the gateway and the router of what cur holds,
// and starts the pools' workers.
func (a *App) startDataPlane(ctx context.Context, cur *current, opts Options, stops *stack) (*dataPlane, error) {
	log, cfg := opts.Logger, cur.load().cfg
	dp := &dataPlane{}
	var err error
	if dp.gwOpts, err = gatewayAuth(cfg, opts.Secrets); err != nil {
		return nil, err
	}
	if dp.metrics, err = newServeMetrics(); err != nil {
		return nil, err
	}
	if dp.edge, err = newEdge(cfg, opts.Secrets, time.Now, log); err != nil {
		return nil, err
	}
	if err := dp.startTenancy(ctx, cfg, opts, stops); err != nil {
		return nil, err
	}
	dp.build = routerBuilder(dp.metrics, opts.Router)
	rc := dp.build(cur.load())
	rc.Logger, rc.WorkerTLS = log, dp.edge.workersTLS
	dp.gwOpts.Metrics = dp.metrics.gateway
	flushTraces, err := traceFromEnv(ctx, &rc, &dp.gwOpts, log)
	if err != nil {
		return nil, err
	}
	stops.push(flushTraces)
	if dp.router, err = router.New(rc); err != nil {
		return nil, err
	}
	stops.push(dp.router.Close)
	var stopPools func()
	dp.workers, stopPools, err = startPools(ctx, cur.load(), dp.router, opts, log)
	if err != nil {
		return nil, err
	}
	stops.push(stopPools)
	dp.driver = dp.workers
	dp.gwOpts.Router, dp.gwOpts.Logger = dp.router, log
	dp.edge.gatewayLimits(&dp.gwOpts)
	if dp.gwOpts.PriorityLevels, err = gateway.PriorityLevels(cfg.Protocol.PriorityLevels); err != nil {
		return nil, err
	}
	dp.gateway = gateway.New(dp.gwOpts)
	a.router, a.driver, a.gateway = dp.router, dp.driver, dp.gateway
	if err := register(dp.metrics.reg, newRestartCollector(dp.workers)); err != nil {
		return nil, err
	}
	return dp, dp.metrics.watch(dp.router, dp.gwOpts.Tenants, dp.tenancy)
}

// startTenancy starts the tenants' budgets and the state store, and
// hands them to the gateway's options.
func (dp *dataPlane) startTenancy(ctx context.Context, cfg *configs.Config, opts Options, stops *stack) error {
	t, stop, err := startTenancy(ctx, cfg, opts.Secrets, opts.Logger)
	if err != nil {
		return err
	}
	stops.push(stop)
	dp.tenancy = t
	return t.gatewayOptions(&dp.gwOpts, cfg, opts.Secrets)
}

// startControl starts, over dp, the scaler, the status board, the reload
// and the drain, binds the listeners and starts the xDS control plane,
// and returns the function that serves the listeners.
func (a *App) startControl(ctx context.Context, cur *current, opts Options, dp *dataPlane, stops *stack) (serve func() error, err error) {
	log, rt := opts.Logger, dp.router
	sc, stopScaling, err := startScaling(ctx, cur, rt, dp.driver, scaling.Directed{Shed: rt, Fallback: dp.gwOpts.Admission}, dp.metrics.reg, log)
	if err != nil {
		return nil, err
	}
	stops.push(stopScaling)
	board, stopStatus := startStatus(ctx, cur, rt, dp.driver, sc, dp.tenancy.statusTenants(dp.gwOpts.Tenants))
	stops.push(stopStatus)
	lctx, rl, stopLifecycle, err := startLifecycle(ctx, cur, servingParts{
		router: rt, gateway: dp.gateway, admission: dp.gwOpts.Admission, scaling: sc, driver: dp.driver, workers: dp.workers,
		metrics: dp.metrics, secrets: opts.Secrets, routerConfig: dp.build, tenancy: dp.tenancy,
	}, log)
	if err != nil {
		return nil, err
	}
	stops.push(stopLifecycle)
	ls, err := listen(cur.load().cfg.Listen)
	if err != nil {
		return nil, err
	}
	a.addrs = Addrs{HTTP: addrOf(ls.http), GRPC: addrOf(ls.grpc), Admin: addrOf(ls.admin)}
	cp, err := startControlPlane(rl.current, rt, gatewayAddrs{http: a.addrs.HTTP, grpc: a.addrs.GRPC}, log)
	if err != nil {
		ls.close()
		return nil, err
	}
	stops.push(cp.stop)
	a.addrs.XDS = cp.addr()
	admin := rl.withAdmin(cp.withAdmin(adminHandler(cur, rt, dp.workers, dp.gateway, sc, board)))
	return func() error {
		return runListeners(lctx, dp.gateway, ls, admin, sc.registerGRPC, dp.edge, opts.Hints, log)
	}, nil
}

// workerArgs are the flags that make `sluice worker` emulate a pool.
func workerArgs(p costmodel.Pool) []string {
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
