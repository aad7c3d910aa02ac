package main

import (
	"log/slog"
	"sync"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// admissionTarget is what the scaler's admission directives act on: a
// shed level per tier, which the router applies to the requests it routes
// to the tier (counting them in the tier's demand all the same), and the
// fallbacks per model, which the gateway's admission switches.
type admissionTarget interface {
	SetShed(tier string, level batcher.ShedLevel)
	SetFallback(model string, on bool) error
}

// directed joins the router's shedding and the gateway's fallbacks into
// one admissionTarget.
type directed struct {
	shed interface {
		SetShed(tier string, level batcher.ShedLevel)
	}
	fallback interface {
		SetFallback(model string, on bool) error
	}
}

var _ admissionTarget = directed{shed: (*router.Router)(nil), fallback: (*gateway.Admission)(nil)}

func (d directed) SetShed(tier string, level batcher.ShedLevel) { d.shed.SetShed(tier, level) }

func (d directed) SetFallback(model string, on bool) error { return d.fallback.SetFallback(model, on) }

// tierAdmission adapts an admissionTarget to the scaler's admission, which
// directs each tier: it sheds a tier's classes as its directive says, and
// turns on or off the fallbacks of the models whose own tier is directed.
// It passes on only what changes, so an operator's setting through the
// admin API stands until the scaler's directive changes. Its methods are
// safe for concurrent use and do not block.
type tierAdmission struct {
	target admissionTarget
	// fallbacks lists, per tier, the models of the tier that have a
	// fallback.
	fallbacks map[string][]string
	log       *slog.Logger

	mu       sync.Mutex
	shed     map[string]scaler.Shed // absent means ShedNone
	fallback map[string]bool        // tiers whose fallbacks are on
}

var _ scaler.Admission = (*tierAdmission)(nil)

// newTierAdmission returns an adapter over target, whose initial state (no
// shedding, no fallback on) it assumes.
func newTierAdmission(target admissionTarget, cfg *configs.Config, log *slog.Logger) *tierAdmission {
	a := &tierAdmission{
		target: target, fallbacks: map[string][]string{}, log: log,
		shed: map[string]scaler.Shed{}, fallback: map[string]bool{},
	}
	for _, m := range cfg.Models {
		if m.Fallback != "" {
			a.fallbacks[m.Tier] = append(a.fallbacks[m.Tier], m.Name)
		}
	}
	return a
}

// SetShed implements scaler.Admission.
func (a *tierAdmission) SetShed(tier string, level scaler.Shed) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.shed[tier] == level {
		return
	}
	a.shed[tier] = level
	a.target.SetShed(tier, shedLevel(level))
	a.log.Warn("scaler: tier sheds", slog.String("tier", tier), slog.String("level", level.String()))
}

// SetFallback implements scaler.Admission.
func (a *tierAdmission) SetFallback(tier string, on bool) {
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

// shedLevel maps the scaler's shed directive onto the data plane's shed
// level: the one place the two vocabularies meet. A value outside the
// scaler's levels sheds nothing.
func shedLevel(s scaler.Shed) batcher.ShedLevel {
	switch s {
	case scaler.ShedLow:
		return batcher.ShedLow
	case scaler.ShedNormal:
		return batcher.ShedNormal
	}
	return batcher.ShedNone
}
