package gateway

import (
	"fmt"
	"maps"
	"strings"
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

// ShedLevel is how much traffic admission refuses. The zero value,
// ShedNone, refuses nothing.
type ShedLevel int8

// The shed levels, from none to most.
const (
	// ShedNone admits every class.
	ShedNone ShedLevel = iota
	// ShedLow refuses low calls.
	ShedLow
	// ShedNormal refuses low and normal calls; high and critical pass.
	ShedNormal
)

var shedNames = [...]string{"none", "low", "normal"}

// ParseShedLevel returns the level named "none", "low" or "normal", in any
// letter case; any other string gives an error matching ErrBadOptions.
func ParseShedLevel(s string) (ShedLevel, error) {
	for i, n := range shedNames {
		if strings.EqualFold(s, n) {
			return ShedLevel(i), nil
		}
	}
	return ShedNone, fmt.Errorf("%w: shed level %q (want none, low or normal)", ErrBadOptions, s)
}

// String returns the name ParseShedLevel accepts, or "shed(N)" for a value
// outside the levels.
func (l ShedLevel) String() string {
	if l < ShedNone || l > ShedNormal {
		return fmt.Sprintf("shed(%d)", int8(l))
	}
	return shedNames[l]
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (l ShedLevel) MarshalText() ([]byte, error) {
	if l < ShedNone || l > ShedNormal {
		return nil, fmt.Errorf("%w: shed level %d", ErrBadOptions, int8(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseShedLevel.
func (l *ShedLevel) UnmarshalText(b []byte) error {
	v, err := ParseShedLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Sheds reports whether level l refuses a call of class p.
func (l ShedLevel) Sheds(p batcher.Priority) bool {
	switch l {
	case ShedLow:
		return p <= batcher.Low
	case ShedNormal:
		return p <= batcher.Normal
	}
	return false
}

// Admission decides, after authentication and rate limits, whether a call
// is served and by which model: it refuses the classes its shed level
// sheds, and sends the calls of a model whose fallback is on to that
// model's configured fallback. The scaler drives it each tick; operators
// drive it through the admin API; the last writer wins.
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
func (a *Admission) SetShed(l ShedLevel) { a.level.Store(int32(l)) }

// Shed returns the shed level.
func (a *Admission) Shed() ShedLevel { return ShedLevel(a.level.Load()) }

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
