package router

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Router maps requests to pools. After New it is safe for concurrent use.
type Router struct {
	models map[string]Model
	tiers  map[string][]*Pool
	pools  map[string]*Pool
	names  []string // pool names, sorted
	routes []Route
	picker Picker
	budget *retryBudget
	cache  *responseCache
	clock  batcher.Clock
	log    *slog.Logger

	// arrivals counts each tier's requests; its keys are those of tiers.
	arrivals map[string]*tierArrivals
}

// New builds a router, the batcher queue of every pool, and starts the
// active health checks if cfg.Health asks for them. It fails, wrapping
// ErrConfig, when a tier, route or model names a pool, tier or model that
// does not exist. The caller must Close it.
func New(cfg Config) (*Router, error) {
	r := &Router{
		models: map[string]Model{}, tiers: map[string][]*Pool{}, pools: map[string]*Pool{},
		routes: cfg.Routes, picker: cfg.Picker, clock: cfg.Clock, log: cfg.Logger,
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
	r.addPools(cfg)
	if err := r.link(cfg); err != nil {
		r.Close()
		return nil, err
	}
	for _, p := range r.pools {
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

func (r *Router) addPools(cfg Config) {
	h := cfg.Health
	h.Timeout = orDefault(h.Timeout, DefaultHealthTimeout)
	deps := poolDeps{
		clock: r.clock, health: h, prober: cfg.Prober, http: newHTTPProber(),
		log: r.log, window: orDefault(cfg.StatsWindow, DefaultStatsWindow),
	}
	for _, pc := range cfg.Pools {
		r.pools[pc.Name] = newPool(pc, deps)
		r.names = append(r.names, pc.Name)
	}
	sort.Strings(r.names)
}

// link resolves the names the tiers, models and routes use.
func (r *Router) link(cfg Config) error {
	r.arrivals = make(map[string]*tierArrivals, len(cfg.Tiers))
	for tier, names := range cfg.Tiers {
		for _, name := range names {
			p, ok := r.pools[name]
			if !ok {
				return fmt.Errorf("%w: tier %q: unknown pool %q", ErrConfig, tier, name)
			}
			r.tiers[tier] = append(r.tiers[tier], p)
		}
		r.arrivals[tier] = &tierArrivals{}
	}
	for _, m := range cfg.Models {
		if _, ok := r.tiers[m.Tier]; !ok {
			return fmt.Errorf("%w: model %q: unknown tier %q", ErrConfig, m.Name, m.Tier)
		}
		r.models[m.Name] = m
	}
	for _, m := range cfg.Models {
		if _, ok := r.models[m.Fallback]; m.Fallback != "" && (!ok || m.Fallback == m.Name) {
			return fmt.Errorf("%w: model %q: fallback %q is not another model", ErrConfig, m.Name, m.Fallback)
		}
	}
	for i, rt := range cfg.Routes {
		if _, ok := r.tiers[rt.Tier]; !ok {
			return fmt.Errorf("%w: route %d: unknown tier %q", ErrConfig, i, rt.Tier)
		}
	}
	return nil
}

// Model returns the named model; ok is false for an unknown one.
func (r *Router) Model(name string) (m Model, ok bool) {
	m, ok = r.models[name]
	return m, ok
}

// Models returns the names of all models, sorted.
func (r *Router) Models() []string {
	names := make([]string, 0, len(r.models))
	for name := range r.models {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Pool returns the named pool, or nil.
func (r *Router) Pool(name string) *Pool { return r.pools[name] }

// PoolNames returns the names of all pools, sorted. The slice must not be
// modified.
func (r *Router) PoolNames() []string { return r.names }

// Pick returns the first pool of the model's tier with a ready worker,
// else the first that starts workers on demand (PoolConfig.Activate),
// where Serve holds the model's requests until one is ready: a readiness
// check, not the routing decision (Serve makes that). It returns
// ErrUnknownModel or ErrNoCapacity.
func (r *Router) Pick(model string) (*Pool, error) {
	m, ok := r.models[model]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownModel, model)
	}
	for _, p := range r.tiers[m.Tier] {
		if p.Ready() > 0 {
			return p, nil
		}
	}
	for _, p := range r.tiers[m.Tier] {
		if p.activate {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w for model %q: no pool of tier %q has a ready worker", ErrNoCapacity, model, m.Tier)
}

// SetEndpoints replaces the workers of a pool; see Pool.SetEndpoints.
func (r *Router) SetEndpoints(pool string, eps []Endpoint) error {
	p, ok := r.pools[pool]
	if !ok {
		return fmt.Errorf("%w: unknown pool %q", ErrConfig, pool)
	}
	return p.SetEndpoints(eps)
}

// Metadata asks a ready worker of the model's tier for the model's
// metadata.
func (r *Router) Metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	p, err := r.Pick(model)
	if err != nil {
		return nil, err
	}
	w := p.anyWorker()
	if w == nil {
		return nil, fmt.Errorf("%w for model %q: pool %q has no ready worker", ErrNoCapacity, model, p.name)
	}
	return w.metadata(ctx, model)
}

// Stats returns a snapshot of every pool, sorted by name, at the
// router's clock's now.
func (r *Router) Stats() []PoolStats { return r.StatsAt(r.clock.Now()) }

// StatsAt returns a snapshot of every pool, sorted by name, at now.
func (r *Router) StatsAt(now time.Time) []PoolStats {
	out := make([]PoolStats, len(r.names))
	for i, name := range r.names {
		out[i] = r.pools[name].StatsAt(now)
	}
	return out
}

// Close stops the health checks and every pool's queue; queued requests
// fail with batcher.ErrClosed.
func (r *Router) Close() {
	for _, p := range r.pools {
		p.close()
	}
}
