package router

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// Router maps requests to pools. After New it is safe for concurrent use.
type Router struct {
	// tab holds the models, tiers, pools and routes; Reload replaces
	// them. Never nil after New.
	tab    atomic.Pointer[tables]
	reload reloading
	picker Picker
	budget *retryBudget
	shed   shedding
	cache  *responseCache
	clock  batcher.Clock
	log    *slog.Logger
	// tracing is off when Config.TracerProvider is nil.
	tracing tracing
	// stats counts each model's requests and executions.
	stats *modelStats
	// catalog keeps the metadata workers gave of each model on each
	// pool, and wakes the Metadata calls waiting for one.
	catalog *catalog
	// seqs pins each open sequence to its worker.
	seqs *sequences
}

// New builds a router, the batcher queue of every pool, and starts the
// active health checks if cfg.Health asks for them. It fails, wrapping
// ErrConfig, when a tier, route or model names a pool, tier or model that
// does not exist, or when health checks or retries are on without their
// timeout or window. The caller must Close it.
func New(cfg Config) (*Router, error) {
	if err := checkSettings(cfg); err != nil {
		return nil, err
	}
	r := &Router{
		picker: cfg.Picker, clock: cfg.Clock, log: cfg.Logger,
		budget: newRetryBudget(cfg.Retry.Budget, cfg.Retry.Window),
		cache:  newResponseCache(cfg.CacheBytes),
		stats:  &modelStats{},
	}
	if r.picker == nil {
		r.picker = DefaultPicker()
	}
	if r.clock == nil {
		r.clock = batcher.RealClock{}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.tracing = newTracing(cfg.TracerProvider, r.clock)
	r.catalog = newCatalog()
	r.seqs = newSequences(cfg.SequenceIdle)
	r.reload.deps = r.poolDeps(cfg)
	t, _, err := build(cfg, nil, r.reload.deps)
	if err != nil {
		return nil, err
	}
	r.tab.Store(t)
	for _, p := range t.pools {
		p.startChecks()
	}
	return r, nil
}

// checkSettings checks that the health checks and retries cfg turns on
// have what they need.
func checkSettings(cfg Config) error {
	h, r := cfg.Health, cfg.Retry
	if (h.Interval > 0 || h.EjectAfter > 0) && h.Timeout <= 0 {
		return fmt.Errorf("%w: health timeout %v must be > 0 with checks every %v or ejection after %d failures",
			ErrConfig, h.Timeout, h.Interval, h.EjectAfter)
	}
	if r.Budget > 0 && r.Window <= 0 {
		return fmt.Errorf("%w: retry window %v must be > 0 with a retry budget of %v", ErrConfig, r.Window, r.Budget)
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// poolDeps returns what the pools of cfg share with the router.
func (r *Router) poolDeps(cfg Config) poolDeps {
	return poolDeps{
		clock: r.clock, health: cfg.Health, prober: cfg.Prober, web: newWorkerHTTP(cfg.WorkerTLS), creds: workerCredentials(cfg.WorkerTLS),
		log: r.log, window: orDefault(cfg.StatsWindow, DefaultStatsWindow),
		tp: cfg.TracerProvider, tracing: r.tracing,
		calib:  cfg.Calibration,
		counts: r.stats, catalog: r.catalog,
		routed: func(pool string) []Model { return r.tables().served[pool] },
		configured: func(model string) bool {
			_, ok := r.tables().models[model]
			return ok
		},
	}
}

// Model returns the named model; ok is false for an unknown one.
func (r *Router) Model(name string) (m Model, ok bool) {
	m, ok = r.tables().models[name]
	return m, ok
}

// Models returns the names of all models, sorted.
func (r *Router) Models() []string {
	models := r.tables().models
	names := make([]string, 0, len(models))
	for name := range models {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Pool returns the named pool, or nil; a retiring pool (see Reload) is
// not returned.
func (r *Router) Pool(name string) *Pool { return r.tables().pools[name] }

// PoolNames returns the names of all pools, sorted. The slice must not be
// modified; a Reload does not change it, but makes a new one.
func (r *Router) PoolNames() []string { return r.tables().names }

// Pick returns the first pool of the model's tier with a ready worker
// that serves the model (or may: its attached workers have not all said
// they do not), else the first that starts workers on demand
// (PoolConfig.Activate), where Serve holds the model's requests until one
// is ready: a readiness check, not the routing decision (Serve makes
// that). It returns ErrUnknownModel; ErrModelUnavailable, wrapped with
// ErrNoCapacity, naming the workers' answers when no pool of the tier
// serves the model; else ErrNoCapacity.
func (r *Router) Pick(model string) (*Pool, error) {
	t := r.tables()
	m, ok := t.models[model]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownModel, model)
	}
	p, missing := serving(t.tiers[m.Tier], model)
	switch {
	case p != nil:
		return p, nil
	case len(missing) > 0:
		return nil, fmt.Errorf("%w for model %q: %w: no pool of tier %q serves it: %s",
			ErrNoCapacity, model, ErrModelUnavailable, m.Tier, strings.Join(missing, "; "))
	}
	return nil, fmt.Errorf("%w for model %q: no pool of tier %q has a ready worker", ErrNoCapacity, model, m.Tier)
}

// SetEndpoints replaces the workers of a pool, and of the retiring pools
// of that name (see Reload and Pool.SetEndpoints). It fails, wrapping
// ErrConfig, for a pool the router does not know, unless eps is empty:
// the workers of a pool Reload removed may leave after it has closed.
func (r *Router) SetEndpoints(pool string, eps []Endpoint) error {
	r.reload.mu.Lock()
	defer r.reload.mu.Unlock()
	return r.setEndpoints(pool, eps)
}

// Stats returns a snapshot of every pool, sorted by name, at the
// router's clock's now.
func (r *Router) Stats() []PoolStats { return r.StatsAt(r.clock.Now()) }

// StatsAt returns a snapshot of every pool, sorted by name, at now.
func (r *Router) StatsAt(now time.Time) []PoolStats {
	t := r.tables()
	out := make([]PoolStats, len(t.names))
	for i, name := range t.names {
		out[i] = t.pools[name].StatsAt(now)
	}
	return out
}

// Close stops the health checks and every pool's queue, retiring pools
// included; queued requests fail with batcher.ErrClosed, and Reload with
// ErrClosed.
func (r *Router) Close() { r.closeAll() }
