package gateway

import (
	"fmt"
	"maps"

	"golang.org/x/time/rate"
)

// access is who may call which models, and how often. The gateway swaps
// it whole, so that each call sees one keyring and the limits that go
// with it.
type access struct {
	keys   *Keyring
	limits *RateLimits
}

// SetAccess replaces the gateway's keyring and rate limits, with the
// meaning of Options.Keys and Options.Limits: nil keys turns
// authentication off, nil limits caps nothing. Calls already admitted are
// not affected; every later call sees either the old pair or the new one,
// never a mix. The token buckets of the tenants and models whose rate and
// burst are unchanged carry over, so a reload grants no one a fresh
// burst; the others start full. limits is not modified.
//
// SetAccess is safe to call while calls are served; concurrent SetAccess
// calls should be serialized by the caller (the last one wins).
func (g *Gateway) SetAccess(keys *Keyring, limits *RateLimits) {
	old := g.access.Load()
	g.access.Store(&access{keys: keys, limits: limits.carry(old.limits)})
}

// carry returns limits equal to l whose limiters are old's wherever a
// tenant or model keeps its rate and burst; nil when l is nil. Neither l
// nor old is modified.
func (l *RateLimits) carry(old *RateLimits) *RateLimits {
	if l == nil || old == nil || l.shared != nil {
		return l // shared buckets live in their store: nothing to carry
	}
	return &RateLimits{tenants: carryLimiters(l.tenants, old.tenants), models: carryLimiters(l.models, old.models)}
}

func carryLimiters(next, old map[string]*rate.Limiter) map[string]*rate.Limiter {
	out := make(map[string]*rate.Limiter, len(next))
	for name, lim := range next {
		if o, ok := old[name]; ok && o.Limit() == lim.Limit() && o.Burst() == lim.Burst() {
			lim = o
		}
		out[name] = lim
	}
	return out
}

// SetFallbacks replaces the configured fallbacks with fallbacks (model →
// the model that serves it when its fallback is on), which it copies. A
// model that keeps its fallback keeps its on/off state; a model that
// loses it is served by itself again; a new one starts off. The shed
// level is kept. It fails, changing nothing, with an error matching
// ErrBadOptions for an empty name or a model that falls back to itself.
func (a *Admission) SetFallbacks(fallbacks map[string]string) error {
	if err := checkFallbacks(fallbacks); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fallbacks = maps.Clone(fallbacks)
	for m := range a.on {
		if _, ok := a.fallbacks[m]; !ok {
			delete(a.on, m)
		}
	}
	return nil
}

// checkFallbacks reports a fallback with an empty name or that names the
// model itself, with an error matching ErrBadOptions.
func checkFallbacks(fallbacks map[string]string) error {
	for m, fb := range fallbacks {
		if m == "" || fb == "" || m == fb {
			return fmt.Errorf("%w: fallback %q → %q", ErrBadOptions, m, fb)
		}
	}
	return nil
}
