package router

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// reloading is the router's state for Reload: what new pools are made
// with, and the pools retired but not yet drained.
type reloading struct {
	// deps are what every pool shares with the router, as New's config
	// set them; pools that Reload makes get them too.
	deps poolDeps

	// mu serializes Reload, SetEndpoints and Close, and guards the rest.
	mu sync.Mutex
	// retiring holds the pools Reload took out of the tables that still
	// serve requests they hold.
	retiring map[*Pool]struct{}
	closed   bool
}

// Reload makes the models, tiers, pools and routes of cfg the router's,
// at once: a request routed after Reload returns sees only cfg's tables,
// one routed before sees the old ones, and none is dropped. The other
// fields of cfg are ignored: health checks, retry budget, cache size,
// stats window, picker, prober, clock, logger, worker TLS and tracer
// provider stay those New was given.
//
// A pool whose config is unchanged (reflect.DeepEqual: a config holding a
// func value never is) is kept as it is: queue, workers, health and
// learned curve. A pool whose config changed is replaced by a
// new one over the same workers, which keeps the old one's statistics,
// and its learned curve when the configured curve and max batch are the
// same. A new pool starts without workers, as in New. A pool that cfg
// drops or replaces retires: it takes no new request (one that reaches it
// anyway is routed again, with the new tables), hands back the requests
// it holds waiting for a worker to start, lets its workers serve the
// requests already queued or in flight, and closes once it holds none.
// SetEndpoints still reaches a retiring pool, so its workers may leave
// before it has drained: their requests are then routed again.
//
// The returned channel is closed once every pool this Reload retired has
// closed, drained or by Close; at once when it retired none. Reload
// fails, changing nothing, with an error wrapping ErrConfig when a tier,
// route or model names a pool, tier or model that does not exist, or
// ErrClosed after Close. It is safe for concurrent use with every other
// method.
func (r *Router) Reload(cfg Config) (drained <-chan struct{}, err error) {
	retired, err := r.swap(cfg)
	if err != nil {
		return nil, err
	}
	return r.retire(retired), nil
}

// swap publishes the tables of cfg and returns the pools they no longer
// hold, registered as retiring so that SetEndpoints reaches them.
func (r *Router) swap(cfg Config) (retired []*Pool, err error) {
	r.reload.mu.Lock()
	defer r.reload.mu.Unlock()
	if r.reload.closed {
		return nil, fmt.Errorf("%w: reload", ErrClosed)
	}
	old := r.tables()
	t, retired, err := build(cfg, old, r.reload.deps)
	if err != nil {
		return nil, err
	}
	if err := t.staff(old); err != nil {
		closeNew(t, old)
		return nil, err
	}
	r.tab.Store(t)
	for _, p := range t.pools {
		if old.pools[p.name] != p {
			p.startChecks()
		}
		p.discoverAll()
	}
	if r.reload.retiring == nil {
		r.reload.retiring = map[*Pool]struct{}{}
	}
	for _, p := range retired {
		r.reload.retiring[p] = struct{}{}
	}
	return retired, nil
}

// staff gives each pool of t that replaces one of old the workers of the
// pool it replaces. pre: r.reload.mu held, so that no SetEndpoints runs
// meanwhile.
func (t *tables) staff(old *tables) error {
	var errs []error
	for name, p := range t.pools {
		if prev := old.pools[name]; prev != nil && prev != p {
			errs = append(errs, p.SetEndpoints(prev.endpoints()))
		}
	}
	return errors.Join(errs...)
}

// closeNew closes the pools of t that old does not have.
func closeNew(t, old *tables) {
	for name, p := range t.pools {
		if old.pools[name] != p {
			p.close()
		}
	}
}

// retire starts retiring pools and returns the channel closed once they
// all have closed. pre: r.reload.mu not held.
func (r *Router) retire(pools []*Pool) <-chan struct{} {
	done := make(chan struct{})
	if len(pools) == 0 {
		close(done)
		return done
	}
	var left atomic.Int32
	left.Store(int32(len(pools)))
	for _, p := range pools {
		var once sync.Once
		p.retire(func() {
			once.Do(func() {
				r.retired(p)
				if left.Add(-1) == 0 {
					close(done)
				}
			})
		})
	}
	return done
}

// retired closes p, a retiring pool that holds no request any more,
// unless Close got to it first.
func (r *Router) retired(p *Pool) {
	r.reload.mu.Lock()
	_, ok := r.reload.retiring[p]
	delete(r.reload.retiring, p)
	r.reload.mu.Unlock()
	if ok {
		p.close()
		r.log.Info("router: retired pool drained and closed", "pool", p.name)
	}
}

// retire takes p out of service: it refuses new submissions (see enter),
// hands back the held ones, and calls drained once it holds no
// submission, or at once if the pool is closed. drained may be called
// more than once, and must not call back into p.
func (p *Pool) retire(drained func()) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		drained() // Close got to it first
		return
	}
	p.retiring, p.drained = true, drained
	for wt := range p.waiting {
		if wt.held {
			wt.sendBack(p.queue, errEvacuated)
		}
	}
	empty := len(p.waiting) == 0
	p.mu.Unlock()
	if empty {
		drained()
	}
}

// endpoints returns the workers the driver reported, ready or not.
func (p *Pool) endpoints() []Endpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	eps := make([]Endpoint, 0, len(p.workers))
	for _, w := range p.workers {
		eps = append(eps, w.endpoint)
	}
	return eps
}

// setEndpoints gives eps to the pool named pool and to the retiring pools
// of that name. Setting no endpoints on a pool the router no longer knows
// does nothing. pre: r.reload.mu held.
func (r *Router) setEndpoints(pool string, eps []Endpoint) error {
	p, ok := r.tables().pools[pool]
	var errs []error
	if ok {
		errs = append(errs, p.SetEndpoints(eps))
	}
	for q := range r.reload.retiring {
		if q.name == pool {
			ok = true
			errs = append(errs, q.SetEndpoints(eps))
		}
	}
	if !ok && len(eps) > 0 {
		return fmt.Errorf("%w: unknown pool %q", ErrConfig, pool)
	}
	return errors.Join(errs...)
}

// closeAll closes every pool, retiring ones included, and makes Reload
// fail from then on.
func (r *Router) closeAll() {
	r.reload.mu.Lock()
	r.reload.closed = true
	pools := make([]*Pool, 0, len(r.reload.retiring))
	for p := range r.reload.retiring {
		pools = append(pools, p)
	}
	clear(r.reload.retiring)
	r.reload.mu.Unlock()
	for _, p := range r.tables().pools {
		p.close()
	}
	for _, p := range pools {
		p.close()
		p.mu.Lock()
		drained := p.drained
		p.mu.Unlock()
		if drained != nil {
			drained() // what it held failed with batcher.ErrClosed
		}
	}
}
