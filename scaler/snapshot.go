package scaler

import "time"

// Snapshot is what the data plane and the pool drivers observed just before
// a decision. Demand is per tier (requests are routed among a tier's
// pools); supply, queues and latency are per pool. A pool or tier the maps
// lack reads as its zero value: nothing ready, nothing arriving. Negative
// counts and rates, and NaN, read as 0.
type Snapshot struct {
	// Pools by pool name.
	Pools map[string]PoolSnapshot
	// Tiers by tier name.
	Tiers map[string]TierSnapshot
}

// PoolSnapshot is one pool's state.
type PoolSnapshot struct {
	// Ready counts replicas that serve requests; Starting those asked for
	// and not ready yet.
	Ready, Starting int
	// ArrivalRate is items per second routed to the pool, over a short
	// window (one interval or so).
	ArrivalRate float64
	// Queued counts items waiting in the pool's queue.
	Queued int
	// InFlight counts items sent to the pool's workers and not answered.
	InFlight int
	// P95 is the 95th percentile of the pool's end-to-end latency over a
	// short window; 0 when unknown (no traffic).
	P95 time.Duration
	// SLO is the latency target of the requests the pool received over
	// the same window, weighted by their number (the router's
	// PoolStats.SLO); the pool's own floors aim at it. 0 when unknown
	// means the tightest SLO of the pool's tiers.
	SLO time.Duration
	// Interrupted counts replicas the driver saw interrupted (spot
	// reclaims) since the previous snapshot. Replicas that vanish without
	// a report are detected too.
	Interrupted int
}

// TierSnapshot is one tier's demand.
type TierSnapshot struct {
	// ArrivalRate is items per second arriving for the tier, over a short
	// window.
	ArrivalRate float64
	// LowRate and NormalRate are the parts of ArrivalRate in the low and
	// normal priority classes; 0 when unknown. They decide how far
	// admission sheds when the budget leaves the tier short: with both 0,
	// any shortfall sheds low and normal and turns fallback on.
	LowRate, NormalRate float64
}

// pool returns the named pool's snapshot, sanitized.
func (s Snapshot) pool(name string) PoolSnapshot {
	p := s.Pools[name]
	p.Ready, p.Starting = max(p.Ready, 0), max(p.Starting, 0)
	p.Queued, p.InFlight, p.Interrupted = max(p.Queued, 0), max(p.InFlight, 0), max(p.Interrupted, 0)
	p.ArrivalRate = rate(p.ArrivalRate)
	p.P95, p.SLO = max(p.P95, 0), max(p.SLO, 0)
	return p
}

// tier returns the named tier's snapshot, sanitized.
func (s Snapshot) tier(name string) TierSnapshot {
	t := s.Tiers[name]
	t.ArrivalRate, t.LowRate, t.NormalRate = rate(t.ArrivalRate), rate(t.LowRate), rate(t.NormalRate)
	return t
}

// rate returns r, or 0 for negative, NaN or infinite rates.
func rate(r float64) float64 {
	if !(r > 0) || r > 1e300 {
		return 0
	}
	return r
}
