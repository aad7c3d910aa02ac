package app

import (
	"path"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// ScalerSpec translates the configuration into the scaler's spec, as
// serve plans with it (the simulator plans with the same). It fails when
// the scaler cannot plan with it, such as a tier whose pools cannot meet
// the SLO of a model it serves.
// Pools configured without a curve are left out, as serve leaves them
// out until it has measured them.
func ScalerSpec(cfg *configs.Config) (*scaler.Spec, error) {
	return scaler.NewSpec(plannable(scalerConfig(newInForce(cfg)), nil))
}

// scalerConfig translates what is in force into the scaler's terms: the
// fleet's pools with their bounds, the tiers with the tightest SLO of the
// models they serve, the scaler section and the budget. pre: in.cfg is
// validated.
func scalerConfig(in *inForce) scaler.Config {
	cfg := in.cfg
	s := cfg.Scaler
	sc := scaler.Config{
		Interval: s.Interval, Stabilization: s.Stabilization, HoldColdStarts: s.HoldColdStarts,
		PanicWindow: s.PanicWindow, PanicThreshold: s.PanicThreshold,
		SpotShareMax: s.SpotShareMax, OnDemandHigh: s.OnDemandHighShare(), SpotBackoff: s.SpotBackoff,
		QueueDrainTarget: s.QueueDrainTarget, BurstMemory: s.BurstMemory,
		Budget: scaler.Budget{PerHour: cfg.Budget.PerHour, PerDay: cfg.Budget.PerDay},
	}
	for _, p := range in.fleet.Pools {
		b := in.fleet.Bounds[p.Name]
		sc.Pools = append(sc.Pools, scaler.PoolConfig{Pool: p, Min: b.Min, Max: b.Max, Warm: b.Warm})
	}
	slos := tierSLOs(cfg)
	for _, t := range cfg.Tiers {
		sc.Tiers = append(sc.Tiers, scaler.TierConfig{Name: t.Name, SLO: slos[t.Name], Pools: t.Pools})
	}
	for _, pw := range s.Prewarm {
		sc.Prewarm = append(sc.Prewarm, scaler.Prewarm{Schedule: pw.Schedule, Duration: pw.Duration, Pool: pw.Pool, Min: pw.Min})
	}
	return sc
}

// tierSLOs returns each tier's SLO: the smallest among the models it
// serves, by their own tier or by a route (a route without a model
// condition may send it any model), or configs.DefaultSLO for a tier that
// serves none.
func tierSLOs(cfg *configs.Config) map[string]time.Duration {
	slos := map[string]time.Duration{}
	serve := func(tier string, slo time.Duration) {
		if s, ok := slos[tier]; !ok || slo < s {
			slos[tier] = slo
		}
	}
	for _, m := range cfg.Models {
		serve(m.Tier, m.SLO)
		for _, r := range cfg.Routes {
			if ok, _ := path.Match(r.Match.Model, m.Name); ok || r.Match.Model == "" {
				serve(r.Tier, m.SLO)
			}
		}
	}
	for _, t := range cfg.Tiers {
		if _, ok := slos[t.Name]; !ok {
			slos[t.Name] = configs.DefaultSLO
		}
	}
	return slos
}

// initialSizes returns each pool's initial size, as the fleet's bounds
// say.
func initialSizes(f costmodel.Fleet) map[string]int {
	out := make(map[string]int, len(f.Pools))
	for _, p := range f.Pools {
		out[p.Name] = f.Bounds[p.Name].Initial
	}
	return out
}
