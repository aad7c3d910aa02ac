package system

import (
	"fmt"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
	"github.com/sluice-gateway/sluice/scaler"
)

// SimKinds names the models a trace's light and heavy requests are for,
// and what a heavy request weighs in a batch. An empty model name picks
// the configuration's first model for light requests and its second
// (else the first) for heavy ones.
type SimKinds struct {
	Light, Heavy string
	HeavyRows    int64
}

// loadSimFleet loads the configuration file path and returns it with
// the simulator's fleet of it (simFleet, with kinds) and the scaler's
// spec as serve's scaler would plan it (app.ScalerSpec).
func loadSimFleet(path string, kinds SimKinds) (*configs.Config, sim.Fleet, *scaler.Spec, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, sim.Fleet{}, nil, err
	}
	fleet, err := simFleet(cfg, kinds)
	if err != nil {
		return nil, sim.Fleet{}, nil, err
	}
	spec, err := app.ScalerSpec(cfg)
	if err != nil {
		return nil, sim.Fleet{}, nil, err
	}
	return cfg, fleet, spec, nil
}

// simFleet translates a configuration into the simulator's fleet: every
// pool with its price, curve and bounds, the light and heavy models with
// their tier, SLO and timeout, the queue limits, the scaler interval and
// the budget. An empty model name picks the configuration's first model
// for light requests and its second (else the first) for heavy ones.
func simFleet(cfg *configs.Config, kinds SimKinds) (sim.Fleet, error) {
	f := sim.Fleet{
		Limits:        app.ClassLimits(cfg.Queue),
		Interval:      cfg.Scaler.Interval,
		BudgetPerHour: cfg.Budget.PerHour,
		RetryBudget:   cfg.Retry.BudgetRatio,
		RetryWindow:   cfg.Retry.Window,
	}
	fleet := cfg.Fleet()
	for _, p := range fleet.Pools {
		b := fleet.Bounds[p.Name]
		f.Pools = append(f.Pools, sim.Pool{Pool: p, Min: b.Min, Max: b.Max})
	}
	light, heavy := kinds.Light, kinds.Heavy
	if light == "" && len(cfg.Models) > 0 {
		light = cfg.Models[0].Name
	}
	if heavy == "" && len(cfg.Models) > 0 {
		heavy = cfg.Models[min(1, len(cfg.Models)-1)].Name
	}
	var err error
	if f.Kinds[sim.Light], err = simKind(cfg, light, 1); err != nil {
		return sim.Fleet{}, err
	}
	if f.Kinds[sim.Heavy], err = simKind(cfg, heavy, kinds.HeavyRows); err != nil {
		return sim.Fleet{}, err
	}
	return f, nil
}

// simKind describes the requests for the named model, each weighing rows.
func simKind(cfg *configs.Config, model string, rows int64) (sim.Kind, error) {
	for _, m := range cfg.Models {
		if m.Name != model {
			continue
		}
		k := sim.Kind{Model: m.Name, Tier: m.Tier, SLO: m.SLO, Timeout: m.Timeout, Rows: rows,
			MaxBatch: m.MaxBatch, NoBatching: !m.BatchingEnabled()}
		for _, t := range cfg.Tiers {
			if t.Name == m.Tier {
				k.Pools = t.Pools
			}
		}
		return k, nil
	}
	return sim.Kind{}, fmt.Errorf("%s: no model %q", cfg.File, model)
}
