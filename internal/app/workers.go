package app

import (
	"context"
	"log/slog"
	"sync"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// workers runs and finds each pool's workers as its kind says
// (configs.PoolKind) and hands them to the router: the local supervisor's
// processes for emulator and command pools, the fixed addresses of an
// endpoints pool, the lookups of a dns pool. Under the Kubernetes driver
// the Deployment pools' pods are fed by startKubePools instead.
//
// It is the scaler's poolDriver: the driver that runs the pools resizes
// them, while a pool whose size its addresses give (endpoints, dns) is
// counted from the router's attached workers and never resized. A reload
// hands it the pools in force (apply), switching a pool's source when its
// kind changes. Its methods are safe for concurrent use.
type workers struct {
	rt *router.Router
	// runs resizes and counts the pools Sluice runs: the supervisor or
	// the Kubernetes driver.
	runs poolDriver
	// sup is the local driver's supervisor; nil under kubernetes.
	sup *local.Supervisor
	// resolver looks up dns pools' names; nil means the system's.
	resolver router.Resolver
	log      *slog.Logger
	// ctx bounds the dns pools' lookups.
	ctx context.Context

	mu sync.Mutex
	// pools holds the pools in force by name, with their kinds.
	pools   map[string]configs.Pool
	kinds   map[string]configs.PoolKind
	lookups map[string]*lookup
	// asked is the size the scaler last asked of each pool, resized or
	// not: the size a pool that switches to a kind Sluice runs starts at.
	asked map[string]int
}

var _ poolDriver = (*workers)(nil)

// lookup is a dns pool's running DNSSource.
type lookup struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// newWorkers returns the workers of no pool yet, over runs (and sup, for
// the local driver), their dns lookups bound by ctx.
func newWorkers(ctx context.Context, rt *router.Router, runs poolDriver, sup *local.Supervisor, resolver router.Resolver, log *slog.Logger) *workers {
	return &workers{
		rt: rt, runs: runs, sup: sup, resolver: resolver, log: log, ctx: ctx,
		pools: map[string]configs.Pool{}, kinds: map[string]configs.PoolKind{},
		lookups: map[string]*lookup{}, asked: map[string]int{},
	}
}

// start starts the workers of every pool of in, each Sluice runs at its
// initial size. It fails when the supervisor refuses a pool.
func (w *workers) start(in *inForce) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range in.cfg.Pools {
		if err := w.add(in, p, in.fleet.Bounds[p.Name].Initial); err != nil {
			return err
		}
	}
	return nil
}

// stop ends the dns pools' lookups and waits for them; the supervisor's
// workers stop with it, not here.
func (w *workers) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name := range w.lookups {
		w.stopLookup(name)
	}
}

// SetReplicas implements poolDriver: a pool whose size is given is not
// resized; the size is remembered for every pool.
func (w *workers) SetReplicas(ctx context.Context, pool string, n int) error {
	w.mu.Lock()
	w.asked[pool] = n
	given := w.kinds[pool].GivenSize()
	w.mu.Unlock()
	if given {
		return nil
	}
	return w.runs.SetReplicas(ctx, pool, n)
}

// Replicas implements poolDriver: a pool whose size is given has the
// workers the router attached ready, and none starting.
func (w *workers) Replicas(ctx context.Context, pool string) (ready, starting int, err error) {
	w.mu.Lock()
	given := w.kinds[pool].GivenSize()
	w.mu.Unlock()
	if !given {
		return w.runs.Replicas(ctx, pool)
	}
	p := w.rt.Pool(pool)
	if p == nil {
		return 0, 0, nil
	}
	for _, ep := range p.Endpoints() {
		if ep.Ready {
			ready++
		}
	}
	return ready, 0, nil
}

// Restarts returns how many times a worker process of pool exited or
// failed to start unasked, since it was added; 0 for a pool the local
// driver does not run.
func (w *workers) Restarts(pool string) int {
	if w.sup == nil {
		return 0
	}
	return w.sup.Restarts(pool)
}

// kind returns the kind of pool in force; "" for an unknown pool.
func (w *workers) kind(pool string) configs.PoolKind {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kinds[pool]
}

// protocol returns how the router reaches the workers of pool: the
// pool's protocol key, its default when the key is empty (as a
// Deployment pool leaves it).
func (w *workers) protocol(pool string) router.Protocol {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p := w.pools[pool].Protocol; p != "" {
		return router.Protocol(p)
	}
	return router.Protocol(configs.DefaultWorkerProtocol)
}

// supervised reports whether the supervisor runs pools of kind k.
func supervised(k configs.PoolKind) bool {
	return k == configs.PoolEmulator || k == configs.PoolCommand
}

// add starts the source of p's workers, at size for a pool Sluice runs.
// pre: w.mu held.
func (w *workers) add(in *inForce, p configs.Pool, size int) error {
	kind := p.Kind(in.cfg.Scaler.Driver)
	w.pools[p.Name], w.kinds[p.Name] = p, kind
	switch kind {
	case configs.PoolEmulator, configs.PoolCommand:
		return w.sup.AddPool(localSpec(in, p, size))
	case configs.PoolEndpoints:
		w.setFixed(p)
	case configs.PoolDNS:
		w.startLookup(p)
	}
	return nil
}

// setFixed hands the router the workers of an endpoints pool.
func (w *workers) setFixed(p configs.Pool) {
	eps, err := router.FixedEndpoints(p.Endpoints, router.Protocol(p.Protocol))
	if err == nil {
		err = w.rt.SetEndpoints(p.Name, eps)
	}
	if err != nil {
		w.log.Error("setting a pool's endpoints", slog.String("pool", p.Name), slog.Any("error", err))
		return
	}
	w.log.Info("pool workers set", slog.String("pool", p.Name), slog.Int("endpoints", len(eps)))
}

// startLookup starts the lookups of a dns pool's name, each change handed
// to the router. pre: w.mu held, p validated.
func (w *workers) startLookup(p configs.Pool) {
	host, port, err := router.ParseDNS(p.DNS)
	if err != nil {
		w.log.Error("a pool's dns", slog.String("pool", p.Name), slog.Any("error", err))
		return
	}
	src := router.DNSSource{
		Host: host, Port: port, Protocol: router.Protocol(p.Protocol), Interval: p.DNSInterval,
		Resolver: w.resolver, Logger: w.log.With(slog.String("pool", p.Name)),
	}
	ctx, cancel := context.WithCancel(w.ctx)
	l := &lookup{cancel: cancel, done: make(chan struct{})}
	w.lookups[p.Name] = l
	name := p.Name
	go func() {
		defer close(l.done)
		_ = src.Run(ctx, func(eps []router.Endpoint) error {
			err := w.rt.SetEndpoints(name, eps)
			if err == nil {
				w.log.Info("pool workers changed", slog.String("pool", name), slog.Int("resolved", len(eps)))
			}
			return err
		})
	}()
}

// stopLookup ends a dns pool's lookups and waits for them, so that none
// changes the pool's workers afterwards. pre: w.mu held.
func (w *workers) stopLookup(pool string) {
	if l, ok := w.lookups[pool]; ok {
		l.cancel()
		<-l.done
		delete(w.lookups, pool)
	}
}

// supervisorSink returns the supervisor's OnChange: each pool's ready
// workers go to the router, reached over the protocol each serves, unless
// the pool's kind is no longer one the supervisor runs (a reload switched
// it while its processes were stopping).
func (w *workers) supervisorSink() func(string, []local.Endpoint) {
	return func(pool string, eps []local.Endpoint) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if k, ok := w.kinds[pool]; ok && !supervised(k) {
			return
		}
		out := make([]router.Endpoint, len(eps))
		for i, ep := range eps {
			out[i] = router.Endpoint{ID: ep.ID, GRPC: ep.GRPC, HTTP: ep.HTTP, Protocol: router.Protocol(ep.Protocol)}
		}
		if err := w.rt.SetEndpoints(pool, out); err != nil {
			w.log.Error("updating endpoints", slog.String("pool", pool), slog.Any("error", err))
			return
		}
		w.log.Info("pool workers changed", slog.String("pool", pool), slog.Int("ready", len(out)))
	}
}
