package gateway

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// ShedRetryAfter is the Retry-After of a shed call: the scaler's default
// interval, the soonest the shed level may change.
const ShedRetryAfter = 2 * time.Second

// Names of the response headers (HTTP) and header metadata (gRPC) that mark
// a call answered by its model's fallback.
const (
	// HeaderFallbackFrom names the model the client asked for; the
	// response's model_name names the model that answered.
	HeaderFallbackFrom = "x-sluice-fallback-from"
	// HeaderFallbackReason is FallbackShed or FallbackNoCapacity.
	HeaderFallbackReason = "x-sluice-fallback-reason"
)

// Why a call was served by its model's fallback, as the response header
// HeaderFallbackReason says.
const (
	// FallbackShed: fallback was turned on for the model (by the scaler,
	// when its tier is shed or over budget, or by an operator).
	FallbackShed = "shed"
	// FallbackNoCapacity: no pool of the model's tier had a ready worker.
	FallbackNoCapacity = "no-capacity"
)

// Admission decides, after authentication and before the rate limits,
// whether a call is served and by which model: it refuses the classes its
// shed level sheds (one level for all traffic), and sends the calls of a
// model whose fallback is on to that model's configured fallback.
// Operators set both through the admin API; the scaler switches the
// fallbacks of the tiers it directs (it sheds per tier in the router
// instead); the last writer wins.
//
// An Admission is safe for concurrent use. Its zero value sheds nothing and
// has no fallbacks.
type Admission struct {
	level atomic.Int32
	mu    sync.RWMutex
	// fallbacks maps a model to its fallback; guarded by mu, replaced
	// whole by SetFallbacks.
	fallbacks map[string]string
	on        map[string]bool // models whose fallback is on
}

// NewAdmission returns an admission that sheds nothing, whose models fall
// back as fallbacks maps them (model → the cheaper model that serves it
// when its fallback is on or its tier has no capacity), all off. It copies
// fallbacks. It fails, with an error matching ErrBadOptions, for an empty
// name or a model that falls back to itself.
func NewAdmission(fallbacks map[string]string) (*Admission, error) {
	if err := checkFallbacks(fallbacks); err != nil {
		return nil, err
	}
	return &Admission{fallbacks: maps.Clone(fallbacks)}, nil
}

// SetShed sets the shed level; calls already admitted are not affected.
func (a *Admission) SetShed(l batcher.ShedLevel) { a.level.Store(int32(l)) }

// Shed returns the shed level.
func (a *Admission) Shed() batcher.ShedLevel { return batcher.ShedLevel(a.level.Load()) }

// SetFallback turns the fallback of model on or off. It fails, with an
// error matching ErrNoFallback, for a model without a configured fallback.
func (a *Admission) SetFallback(model string, on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.fallbacks[model]; !ok {
		return fmt.Errorf("%w for model %q", ErrNoFallback, model)
	}
	if a.on == nil {
		a.on = map[string]bool{}
	}
	a.on[model] = on
	return nil
}

// Fallback returns the configured fallback of model, whether or not it is
// on; ok is false when model has none.
func (a *Admission) Fallback(model string) (fallback string, ok bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	fallback, ok = a.fallbacks[model]
	return fallback, ok
}

// Fallbacks returns, for every model with a configured fallback, whether
// it is on. The map is the caller's.
func (a *Admission) Fallbacks() map[string]bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make(map[string]bool, len(a.fallbacks))
	for m := range a.fallbacks {
		out[m] = a.on[m]
	}
	return out
}

// admit decides a call of class p to model: the model to serve, the
// reason when that is the fallback ("" otherwise), or an error matching
// ErrShed.
func (a *Admission) admit(model string, p batcher.Priority) (serve, reason string, err error) {
	if l := a.Shed(); l.Sheds(p) {
		return "", "", &retryError{
			err:   fmt.Errorf("%w: %v calls are refused at shed level %v", ErrShed, p, l),
			after: ShedRetryAfter,
		}
	}
	a.mu.RLock()
	on := a.on[model]
	fb, ok := a.fallbacks[model]
	a.mu.RUnlock()
	if ok && on {
		return fb, FallbackShed, nil
	}
	return model, "", nil
}
