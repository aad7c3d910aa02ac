package scaling

import (
	"log/slog"
	"sync"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/scaler"
)

// Target is what the scaler's admission directives act on: a shed level
// per tier, which the router applies to the requests it routes to the
// tier (counting them in the tier's demand all the same), and the
// fallbacks per model, which the gateway's admission switches.
type Target interface {
	SetShed(tier string, level batcher.ShedLevel)
	SetFallback(model string, on bool) error
}

// Directed joins the router's shedding and the gateway's fallbacks into
// one Target; both fields are required.
type Directed struct {
	// Shed is the router, or what stands for it.
	Shed interface {
		SetShed(tier string, level batcher.ShedLevel)
	}
	// Fallback is the gateway's admission, or what stands for it.
	Fallback interface {
		SetFallback(model string, on bool) error
	}
}

var _ Target = Directed{}

// SetShed implements Target.
func (d Directed) SetShed(tier string, level batcher.ShedLevel) { d.Shed.SetShed(tier, level) }

// SetFallback implements Target.
func (d Directed) SetFallback(model string, on bool) error { return d.Fallback.SetFallback(model, on) }

// Admission adapts a Target to the scaler's admission, which directs each
// tier: it sheds a tier's classes as its directive says (ShedLevel),
// and turns on or off the fallbacks of the models whose own tier is
// directed. It passes on only what changes, so an operator's setting
// through the admin API stands until the scaler's directive changes. Its
// methods are safe for concurrent use and do not block.
type Admission struct {
	target Target
	log    *slog.Logger

	mu sync.Mutex
	// fallbacks lists, per tier, the models of the tier that have a
	// fallback.
	fallbacks map[string][]string
	shed      map[string]scaler.Shed // absent means ShedNone
	fallback  map[string]bool        // tiers whose fallbacks are on
}

var _ scaler.Admission = (*Admission)(nil)

// NewAdmission returns an adapter over target, whose initial state (no
// shedding, no fallback on) it assumes. fallbacks lists, per tier, the
// models of the tier that have a fallback; the adapter keeps the map.
// log receives every change passed on; it must not be nil.
func NewAdmission(target Target, fallbacks map[string][]string, log *slog.Logger) *Admission {
	return &Admission{
		target: target, fallbacks: fallbacks, log: log,
		shed: map[string]scaler.Shed{}, fallback: map[string]bool{},
	}
}

// SetShed implements scaler.Admission.
func (a *Admission) SetShed(tier string, level scaler.Shed) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.shed[tier] == level {
		return
	}
	a.shed[tier] = level
	a.target.SetShed(tier, ShedLevel(level))
	a.log.Warn("scaler: tier sheds", slog.String("tier", tier), slog.String("level", level.String()))
}

// SetFallback implements scaler.Admission.
func (a *Admission) SetFallback(tier string, on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fallback[tier] == on {
		return
	}
	a.fallback[tier] = on
	for _, m := range a.fallbacks[tier] {
		if err := a.target.SetFallback(m, on); err != nil {
			a.log.Error("scaler: fallback", slog.String("model", m), slog.Any("error", err))
			continue
		}
		a.log.Warn("scaler: fallback", slog.String("model", m), slog.Bool("on", on), slog.String("tier", tier))
	}
}

// SetFallbacks makes fallbacks the models, per tier, whose fallbacks each
// tier's directive turns on, as after a configuration reload. The models
// of a tier whose fallbacks are on now have theirs turned on at once.
// The adapter keeps the map.
func (a *Admission) SetFallbacks(fallbacks map[string][]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fallbacks = fallbacks
	for tier, on := range a.fallback {
		if !on {
			continue
		}
		for _, m := range fallbacks[tier] {
			if err := a.target.SetFallback(m, true); err != nil {
				a.log.Error("scaler: fallback", slog.String("model", m), slog.Any("error", err))
			}
		}
	}
}

// ShedLevel maps the scaler's shed directive onto the data plane's shed
// level: the one place the two vocabularies meet, for serve and the
// simulator alike. A value outside the scaler's levels sheds nothing.
func ShedLevel(s scaler.Shed) batcher.ShedLevel {
	switch s {
	case scaler.ShedLow:
		return batcher.ShedLow
	case scaler.ShedNormal:
		return batcher.ShedNormal
	}
	return batcher.ShedNone
}
