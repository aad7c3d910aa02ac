package app

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// errUnknownPool is returned for a pool the configuration does not name.
var errUnknownPool = errors.New("sluice: unknown pool")

// poolPin overrides a pool's configured bounds from the admin API; a nil
// bound keeps the configured one.
type poolPin struct {
	Min *int `json:"min"`
	Max *int `json:"max"`
}

// empty reports whether p overrides nothing.
func (p poolPin) empty() bool { return p.Min == nil && p.Max == nil }

// bounds is a pool's effective bounds and what pins them.
type bounds struct {
	Min, Max int
	Pin      poolPin
}

// pins keeps the bounds the scaler plans within: the configured ones,
// each pool's minimum raised to its initial size until startupUntil (so
// that the replicas started with serve are kept for one stabilization
// window, as if needed at start), and the operator's pins over both. It
// hands the Loop a new spec whenever they change. It is safe for
// concurrent use.
type pins struct {
	base    scaler.Config
	initial map[string]int
	set     func(*scaler.Spec)

	mu sync.Mutex
	// learned holds the curves the scaler plans the pools configured
	// without one with (see plannable); a pool it lacks is left out.
	learned      map[string]costmodel.Curve
	byPool       map[string]poolPin
	startupUntil time.Time
	startup      bool // the spec in use raises minimums to initial sizes
}

// newPins returns the bounds of base, with each pool's minimum raised to
// initial[pool] for one stabilization window from now, and the spec they
// make; set receives later specs. It fails when the spec cannot be made.
func newPins(base scaler.Config, initial map[string]int, now time.Time, set func(*scaler.Spec)) (*pins, *scaler.Spec, error) {
	p := &pins{base: base, initial: initial, set: set, byPool: map[string]poolPin{}, startup: true}
	spec, err := scaler.NewSpec(p.config(p.byPool, true))
	if err != nil {
		return nil, nil, err
	}
	p.startupUntil = now.Add(spec.Config().Stabilization)
	return p, spec, nil
}

// expire ends the startup minimums once now reaches startupUntil, handing
// the Loop the spec without them. It fails when that spec cannot be made,
// and then keeps the current one.
func (p *pins) expire(now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.startup || now.Before(p.startupUntil) {
		return nil
	}
	spec, err := scaler.NewSpec(p.config(p.byPool, false))
	if err != nil {
		return err
	}
	p.startup = false
	p.set(spec)
	return nil
}

// pin replaces pool's pin (an empty pin removes it) and hands the Loop
// the resulting spec. It fails, changing nothing, with errUnknownPool or
// the spec's errors (wrapping scaler.ErrInvalidSpec).
func (p *pins) pin(pool string, pp poolPin) (bounds, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.ContainsFunc(p.base.Pools, func(pc scaler.PoolConfig) bool { return pc.Name == pool }) {
		return bounds{}, fmt.Errorf("%w %q", errUnknownPool, pool)
	}
	next := make(map[string]poolPin, len(p.byPool)+1)
	for name, old := range p.byPool {
		next[name] = old
	}
	delete(next, pool)
	if !pp.empty() {
		next[pool] = pp
	}
	spec, err := scaler.NewSpec(p.config(next, p.startup))
	if err != nil {
		return bounds{}, fmt.Errorf("pool %q: %w", pool, err)
	}
	p.byPool = next
	p.set(spec)
	return p.boundsLocked(pool), nil
}

// bounds returns pool's effective bounds; ok is false for an unknown
// pool.
func (p *pins) bounds(pool string) (b bounds, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b = p.boundsLocked(pool)
	return b, b.Max > 0
}

// current returns the pools as the scaler plans them now: the
// configuration with the startup minimums and the pins applied. The
// slice is the caller's.
func (p *pins) current() []scaler.PoolConfig {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.config(p.byPool, p.startup).Pools
}

// boundsLocked returns pool's bounds; zero for an unknown pool. pre:
// p.mu held.
func (p *pins) boundsLocked(pool string) bounds {
	for _, pc := range p.config(p.byPool, p.startup).Pools {
		if pc.Name == pool {
			return bounds{Min: pc.Min, Max: pc.Max, Pin: p.byPool[pool]}
		}
	}
	return bounds{}
}

// config returns the base configuration with the pins and (when startup)
// the startup minimums applied, a pinned bound taking precedence, and
// the pools configured without a curve planned as plannable says with the
// curves learned; base is not modified.
func (p *pins) config(byPool map[string]poolPin, startup bool) scaler.Config {
	c := plannable(p.base, p.learned)
	for i := range c.Pools {
		pc, pp := &c.Pools[i], byPool[c.Pools[i].Name]
		if pp.Max != nil {
			pc.Max = *pp.Max
		}
		if startup {
			pc.Min = max(pc.Min, min(p.initial[pc.Name], pc.Max))
		}
		if pp.Min != nil {
			pc.Min = *pp.Min
		}
	}
	return c
}
