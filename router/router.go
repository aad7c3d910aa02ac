package router

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Model is what the router knows of a model.
type Model struct {
	Name string
	// Tier names the ordered pools that serve the model.
	Tier string
	// Timeout is the deadline of a request that names none.
	Timeout time.Duration
	// SLO is the end-to-end latency target.
	SLO time.Duration
	// Batching allows merging the model's requests.
	Batching bool
	// MaxBatch caps the rows of one batch; 0 means the pool's limit.
	MaxBatch int
}

// PoolConfig describes one pool to the router.
type PoolConfig struct {
	Name string
	// Queue configures the pool's batcher.
	Queue batcher.PoolConfig
	// Slots is how many batches one worker is given at a time; default 1,
	// which lets batches grow while the worker is busy.
	Slots int
}

// Config is the router's whole configuration.
type Config struct {
	Models []Model
	// Tiers maps a tier's name to its pools, in order of preference.
	Tiers map[string][]string
	Pools []PoolConfig
}

// Router maps models to pools. After New it is safe for concurrent use.
type Router struct {
	models map[string]Model
	tiers  map[string][]*Pool
	pools  map[string]*Pool
}

// New builds a router and the batcher queue of every pool. The caller must
// Close it.
func New(cfg Config) (*Router, error) {
	r := &Router{models: map[string]Model{}, tiers: map[string][]*Pool{}, pools: map[string]*Pool{}}
	for _, pc := range cfg.Pools {
		slots := max(pc.Slots, 1)
		r.pools[pc.Name] = newPool(pc.Name, batcher.NewPool(pc.Queue), slots)
	}
	for tier, names := range cfg.Tiers {
		for _, name := range names {
			p, ok := r.pools[name]
			if !ok {
				r.Close()
				return nil, fmt.Errorf("router: tier %q: unknown pool %q", tier, name)
			}
			r.tiers[tier] = append(r.tiers[tier], p)
		}
	}
	for _, m := range cfg.Models {
		if _, ok := r.tiers[m.Tier]; !ok {
			r.Close()
			return nil, fmt.Errorf("router: model %q: unknown tier %q", m.Name, m.Tier)
		}
		r.models[m.Name] = m
	}
	return r, nil
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

// Pick returns the pool that should serve the next request of a model: the
// first pool of its tier with a ready worker. It returns ErrUnknownModel or
// ErrNoCapacity.
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
	return nil, fmt.Errorf("%w for model %q in tier %q", ErrNoCapacity, model, m.Tier)
}

// SetEndpoints replaces the ready workers of a pool; see Pool.SetEndpoints.
func (r *Router) SetEndpoints(pool string, eps []Endpoint) error {
	p, ok := r.pools[pool]
	if !ok {
		return fmt.Errorf("router: unknown pool %q", pool)
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
		return nil, fmt.Errorf("%w for model %q", ErrNoCapacity, model)
	}
	return w.metadata(ctx, model)
}

// Close stops every pool's queue; queued requests fail with
// batcher.ErrClosed.
func (r *Router) Close() {
	for _, p := range r.pools {
		p.close()
	}
}

// PoolNames returns the names of all pools, sorted.
func (r *Router) PoolNames() []string {
	names := make([]string, 0, len(r.pools))
	for name := range r.pools {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
