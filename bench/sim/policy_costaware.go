package sim

import (
	"fmt"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/scaler"
)

// costaware is Sluice's own policy: scaler.Decide, the production code,
// on a snapshot of the simulated fleet. Rates and counts are in batch
// rows, the scaler's items: a heavy request of two rows counts twice.
type costaware struct {
	spec  *scaler.Spec
	warm  *scaler.Spec // spec with every cold start 0, for Start
	fleet *Fleet
	state scaler.State
	out   Decision
}

var _ Policy = (*costaware)(nil)

// newCostaware returns the costaware policy deciding by s.Scaler. It
// fails with ErrPolicy without a spec, or when the spec lacks a pool of
// the fleet or the tier of a kind.
func newCostaware(s Setup) (Policy, error) {
	if s.Scaler == nil {
		return nil, fmt.Errorf("%w: costaware needs the scaler's spec", ErrPolicy)
	}
	cfg := s.Scaler.Config()
	for _, p := range s.Fleet.Pools {
		if !specHasPool(cfg, p.Name) {
			return nil, fmt.Errorf("%w: costaware: the scaler's spec lacks pool %q", ErrPolicy, p.Name)
		}
	}
	for k, kind := range s.Fleet.Kinds {
		if !specHasTier(cfg, kind.Tier) {
			return nil, fmt.Errorf("%w: costaware: the scaler's spec lacks tier %q of %s requests", ErrPolicy, kind.Tier, kindNames[k])
		}
	}
	warm, err := warmSpec(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: costaware: %w", ErrPolicy, err)
	}
	n := len(s.Fleet.Pools)
	return &costaware{spec: s.Scaler, warm: warm, fleet: s.Fleet,
		out: Decision{Replicas: make([]int, n), Shed: make([]batcher.ShedLevel, 2)}}, nil
}

// warmSpec returns the spec of cfg with every pool's cold start 0: the
// policy as it would decide were capacity instant.
func warmSpec(cfg scaler.Config) (*scaler.Spec, error) {
	pools := make([]scaler.PoolConfig, len(cfg.Pools))
	for i, p := range cfg.Pools {
		p.ColdStart = 0
		pools[i] = p
	}
	cfg.Pools = pools
	return scaler.NewSpec(cfg)
}

// Start decides once on the first second's load with nothing running and
// every cold start 0, from a fresh state that is then dropped: the fleet
// the policy wants for that load, already warm, and a first decision of
// the scenario that does not see a start from zero.
func (p *costaware) Start(obs *Observation) []int {
	plan, _ := scaler.Decide(p.warm, scaler.State{}, p.snapshot(obs), at(obs.Now))
	return p.replicas(plan)
}

// Decide calls scaler.Decide and returns its plan: the replicas and, per
// kind, the shed level of its tier.
func (p *costaware) Decide(obs *Observation) Decision {
	var plan scaler.Plan
	plan, p.state = scaler.Decide(p.spec, p.state, p.snapshot(obs), at(obs.Now))
	p.out.Replicas = p.replicas(plan)
	for k, kind := range p.fleet.Kinds {
		p.out.Shed[k] = scaling.ShedLevel(plan.Tiers[kind.Tier].Shed)
	}
	return p.out
}

// replicas returns the plan's sizes in fleet order.
func (p *costaware) replicas(plan scaler.Plan) []int {
	out := p.out.Replicas
	for i, pool := range p.fleet.Pools {
		out[i] = plan.Replicas[pool.Name]
	}
	return out
}

// snapshot translates an observation into a new scaler snapshot.
func (p *costaware) snapshot(obs *Observation) scaler.Snapshot {
	snap := scaler.Snapshot{
		Pools: make(map[string]scaler.PoolSnapshot, len(obs.Pools)),
		Tiers: make(map[string]scaler.TierSnapshot, len(p.fleet.Kinds)),
	}
	for i, ps := range obs.Pools {
		snap.Pools[p.fleet.Pools[i].Name] = scaler.PoolSnapshot{
			Ready: ps.Ready, Starting: ps.Starting, ArrivalRate: ps.ArrivalRows,
			Queued: ps.QueuedRows, InFlight: ps.InFlightRows, P95: ps.P95, Interrupted: ps.Interrupted,
		}
	}
	for k, kind := range p.fleet.Kinds {
		rows := float64(kind.Rows)
		ts := snap.Tiers[kind.Tier]
		ts.ArrivalRate += obs.Kinds[k].ArrivalRate * rows
		ts.NormalRate += obs.Kinds[k].NormalRate * rows
		ts.LowRate += obs.Kinds[k].LowRate * rows
		snap.Tiers[kind.Tier] = ts
	}
	return snap
}

// specHasPool reports whether cfg names pool.
func specHasPool(cfg scaler.Config, pool string) bool {
	for _, p := range cfg.Pools {
		if p.Name == pool {
			return true
		}
	}
	return false
}

// specHasTier reports whether cfg names tier.
func specHasTier(cfg scaler.Config, tier string) bool {
	for _, t := range cfg.Tiers {
		if t.Name == tier {
			return true
		}
	}
	return false
}
