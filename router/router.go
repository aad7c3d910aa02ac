package router

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
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
}

// New builds a router, the batcher queue of every pool, and starts the
// active health checks if cfg.Health asks for them. It fails, wrapping
// ErrConfig, when a tier, route or model names a pool, tier or model that
// does not exist. The caller must Close it.
func New(cfg Config) (*Router, error) {
	r := &Router{
		picker: cfg.Picker, clock: cfg.Clock, log: cfg.Logger,
		budget: newRetryBudget(cfg.Retry.Budget, orDefault(cfg.Retry.Window, DefaultRetryWindow)),
		cache:  newResponseCache(cfg.CacheBytes),
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

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// poolDeps returns what the pools of cfg share with the router.
func (r *Router) poolDeps(cfg Config) poolDeps {
	h := cfg.Health
	h.Timeout = orDefault(h.Timeout, DefaultHealthTimeout)
	return poolDeps{
		clock: r.clock, health: h, prober: cfg.Prober, web: newWorkerHTTP(cfg.WorkerTLS), creds: workerCredentials(cfg.WorkerTLS),
		log: r.log, window: orDefault(cfg.StatsWindow, DefaultStatsWindow),
		tp: cfg.TracerProvider, tracing: r.tracing,
		calib:   cfg.Calibration.withDefaults(),
		catalog: func(pool string) []Model { return r.tables().served[pool] },
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
// that serves the model (or may: its workers have not all said they do
// not), else the first that starts workers on demand
// (PoolConfig.Activate), where Serve holds the model's requests until one
// is ready: a readiness check, not the routing decision (Serve makes
// that). It returns ErrUnknownModel, or ErrNoCapacity naming why each
// pool with a ready worker cannot serve the model.
func (r *Router) Pick(model string) (*Pool, error) {
	t := r.tables()
	m, ok := t.models[model]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownModel, model)
	}
	var why []string
	for _, p := range t.tiers[m.Tier] {
		if p.Ready() == 0 {
			continue
		}
		if miss := p.missing(model); miss != "" {
			why = append(why, fmt.Sprintf("pool %q: %s", p.name, miss))
			continue
		}
		return p, nil
	}
	for _, p := range t.tiers[m.Tier] {
		if p.activate {
			return p, nil
		}
	}
	if len(why) > 0 {
		return nil, fmt.Errorf("%w for model %q: no pool of tier %q serves it: %s", ErrNoCapacity, model, m.Tier, strings.Join(why, "; "))
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

// Metadata returns the model's metadata as a ready worker of the model's
// tier gave it when it joined, or asks one now.
func (r *Router) Metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	p, err := r.Pick(model)
	if err != nil {
		return nil, err
	}
	return p.Metadata(ctx, model)
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
