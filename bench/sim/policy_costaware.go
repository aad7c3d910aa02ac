package sim

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/router"
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
	// prev is the previous observation handed to the adapter; rows and
	// tierRows count the rows that arrived at each pool and each tier,
	// by class, since the run started, as the router's counters do.
	prev     scaling.Observation
	rows     []uint64
	tierRows map[string]batcher.ClassCounts
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
	plan, _ := scaler.Decide(p.warm, scaler.State{}, p.startSnapshot(obs), at(obs.Now))
	return p.replicas(plan)
}

// Decide calls scaler.Decide and returns its plan: the replicas and, per
// kind, the shed level of its tier.
func (p *costaware) Decide(obs *Observation) Decision {
	p.reprice(obs)
	var plan scaler.Plan
	plan, p.state = scaler.Decide(p.spec, p.state, p.snapshot(obs), at(obs.Now))
	p.out.Replicas = p.replicas(plan)
	for k, kind := range p.fleet.Kinds {
		p.out.Shed[k] = scaling.ShedLevel(plan.Tiers[kind.Tier].Shed)
	}
	return p.out
}

// reprice hands the scaler the pools' prices when a price event changed
// one, as a reload of the configuration does in production: a spec of
// the new prices, the state kept.
func (p *costaware) reprice(obs *Observation) {
	cfg := p.spec.Config()
	pools := slices.Clone(cfg.Pools)
	changed := false
	for i, ps := range obs.Pools {
		j := slices.IndexFunc(pools, func(pc scaler.PoolConfig) bool { return pc.Name == p.fleet.Pools[i].Name })
		if j >= 0 && pools[j].PricePerHour != ps.PricePerHour {
			pools[j].PricePerHour, changed = ps.PricePerHour, true
		}
	}
	if !changed {
		return
	}
	cfg.Pools = pools
	// The events' prices were validated with the scenario; were one
	// refused, the scaler would keep the spec it had, as a failed reload
	// keeps the running configuration.
	if spec, err := scaler.NewSpec(cfg); err == nil {
		p.spec = spec
	}
}

// replicas returns the plan's sizes in fleet order.
func (p *costaware) replicas(plan scaler.Plan) []int {
	out := p.out.Replicas
	for i, pool := range p.fleet.Pools {
		out[i] = plan.Replicas[pool.Name]
	}
	return out
}

// snapshot hands production's stats→snapshot adapter
// (scaling.Snapshot) the observation as the router's statistics and the
// driver's replica counts would show it, counters since the run's start
// included, and returns the scaler's snapshot.
func (p *costaware) snapshot(obs *Observation) scaler.Snapshot {
	if p.rows == nil { // the first decision: counting starts with its window
		p.prev = p.observation(&Observation{Now: obs.Now - obs.Window, Pools: obs.Pools}, 0)
	}
	cur := p.observation(obs, obs.Window)
	snap := scaling.Snapshot(p.prev, cur)
	p.prev = cur
	return snap
}

// startSpan is the span over which Start's first-second rates are
// counted: long, so that the counters' whole numbers carry the rates'
// fractions.
const startSpan = time.Hour

// startSnapshot is the snapshot of the first second's load for Start,
// its rates counted over startSpan from a run that has seen nothing.
func (p *costaware) startSnapshot(obs *Observation) scaler.Snapshot {
	prev := p.observation(&Observation{Now: obs.Now - startSpan, Pools: obs.Pools}, 0)
	cur := p.observation(obs, startSpan)
	p.rows, p.tierRows = nil, nil // the run's counters start afresh
	return scaling.Snapshot(prev, cur)
}

// observation adds what obs counted over window to the run's counters
// and returns the data plane's statistics and the replicas then.
func (p *costaware) observation(obs *Observation, window time.Duration) scaling.Observation {
	secs := window.Seconds()
	if p.rows == nil {
		p.rows, p.tierRows = make([]uint64, len(p.fleet.Pools)), map[string]batcher.ClassCounts{}
	}
	cur := scaling.Observation{At: at(obs.Now), Replicas: make(map[string]scaling.Replicas, len(obs.Pools))}
	for i, ps := range obs.Pools {
		name := p.fleet.Pools[i].Name
		p.rows[i] += uint64(math.Round(ps.ArrivalRows * secs))
		cur.Pools = append(cur.Pools, router.PoolStats{
			Name: name, ArrivedRows: p.rows[i], ArrivalRate: ps.ArrivalRate, RowRate: ps.ArrivalRows,
			// The adapter reads the queue's totals, not its classes.
			Queued: batcher.ClassCounts{Normal: ps.Queued}, QueuedRows: batcher.ClassCounts{Normal: ps.QueuedRows},
			InFlight: ps.InFlight, InFlightRows: ps.InFlightRows,
			Latency: router.LatencySummary{P95: ps.P95},
		})
		cur.Replicas[name] = scaling.Replicas{Ready: ps.Ready, Starting: ps.Starting, Interrupted: ps.Interrupted}
	}
	for k, kind := range p.fleet.Kinds {
		p.tierRows[kind.Tier] = addRows(p.tierRows[kind.Tier], obs.Kinds[k], secs, kind.Rows)
	}
	for _, t := range p.spec.Config().Tiers {
		cur.Tiers = append(cur.Tiers, router.TierStats{Name: t.Name, Rows: p.tierRows[t.Name]})
	}
	return cur
}

// addRows adds to c the rows of the requests of kind state k that arrived
// over secs seconds, each weighing rows, by class.
func addRows(c batcher.ClassCounts, k KindState, secs float64, rows int64) batcher.ClassCounts {
	n := func(rate float64) int { return int(math.Round(rate*secs)) * int(rows) }
	normal, low := n(k.NormalRate), n(k.LowRate)
	c.High += max(n(k.ArrivalRate)-normal-low, 0)
	c.Normal += normal
	c.Low += low
	return c
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
