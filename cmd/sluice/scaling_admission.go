package main

import (
	"log/slog"
	"sync"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/scaler"
)

// gatewayAdmission is the part of *gateway.Admission the scaler drives:
// one shed level for all traffic, and fallbacks per model.
type gatewayAdmission interface {
	SetShed(gateway.ShedLevel)
	SetFallback(model string, on bool) error
}

var _ gatewayAdmission = (*gateway.Admission)(nil)

// tierAdmission adapts the gateway's admission to the scaler's, which
// directs each tier: it keeps every tier's directives, sets the gateway's
// one shed level to the most severe of them, and turns on or off the
// fallbacks of the models whose own tier is directed. It tells the
// gateway only what changes, so an operator's setting through the admin
// API stands until the scaler's directive changes. Its methods are safe
// for concurrent use and do not block.
type tierAdmission struct {
	gw gatewayAdmission
	// fallbacks lists, per tier, the models of the tier that have a
	// fallback.
	fallbacks map[string][]string
	log       *slog.Logger

	mu       sync.Mutex
	shed     map[string]scaler.Shed
	applied  gateway.ShedLevel
	fallback map[string]bool // tiers whose fallbacks are on
}

var _ scaler.Admission = (*tierAdmission)(nil)

// newTierAdmission returns an adapter over gw, whose initial state (no
// shedding, no fallback on) it assumes.
func newTierAdmission(gw gatewayAdmission, cfg *configs.Config, log *slog.Logger) *tierAdmission {
	a := &tierAdmission{
		gw: gw, fallbacks: map[string][]string{}, log: log,
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
	a.shed[tier] = level
	worst := scaler.ShedNone
	for _, l := range a.shed {
		worst = max(worst, l)
	}
	if l := shedLevel(worst); l != a.applied {
		a.gw.SetShed(l)
		a.applied = l
		a.log.Warn("scaler: admission sheds", slog.String("level", l.String()), slog.String("tier", tier))
	}
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
		if err := a.gw.SetFallback(m, on); err != nil {
			a.log.Error("scaler: fallback", slog.String("model", m), slog.Any("error", err))
			continue
		}
		a.log.Warn("scaler: fallback", slog.String("model", m), slog.Bool("on", on), slog.String("tier", tier))
	}
}

// shedLevel translates the scaler's shed level into the gateway's.
func shedLevel(s scaler.Shed) gateway.ShedLevel {
	switch s {
	case scaler.ShedLow:
		return gateway.ShedLow
	case scaler.ShedNormal:
		return gateway.ShedNormal
	}
	return gateway.ShedNone
}
