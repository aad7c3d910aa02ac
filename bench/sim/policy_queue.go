package sim

import "time"

// The defaults of KEDA that the queue baseline keeps.
const (
	kedaPolling  = 30 * time.Second  // pollingInterval: activation checks
	kedaCooldown = 300 * time.Second // cooldownPeriod: idle time before scaling to zero
)

// queuePolicy is KEDA scaling each pool on the length of its queue: a
// ScaledObject whose external metric is the pool's queued rows with a
// target of one batch (the pool's batch size at the SLO) per replica. The
// HPA KEDA creates computes ceil(queue / target) every 15 s with the
// controller's defaults (see hpa); KEDA itself activates a pool at zero
// when its queue is non-empty and, when the pool's Min is 0, scales it to
// zero after the queue has stayed empty for the cooldown period, checking
// every polling interval. The queue of a pool without ready replicas
// includes the requests that found none (see queueLength).
type queuePolicy struct {
	fleet    *Fleet
	perPod   []float64
	pools    []hpaPool
	activeAt []time.Duration // last time the queue was non-empty
	nextSync time.Duration
	nextPoll time.Duration
	out      []int
}

var _ Policy = (*queuePolicy)(nil)

// newQueuePolicy returns the queue baseline for s.Fleet.
func newQueuePolicy(s Setup) (Policy, error) {
	f := s.Fleet
	n := len(f.Pools)
	p := &queuePolicy{fleet: f, perPod: make([]float64, n), pools: make([]hpaPool, n),
		activeAt: make([]time.Duration, n), out: make([]int, n)}
	for i, fp := range f.Pools {
		p.perPod[i] = float64(batchRows(f, i))
		p.pools[i] = hpaPool{min: max(fp.Min, 1), max: fp.Max}
	}
	return p, nil
}

// Start returns the cheapest fleet that serves the first second's load
// at 70 % utilization (see kpa.Start).
func (p *queuePolicy) Start(obs *Observation) []int {
	copy(p.out, startFleet(p.fleet, obs, kpaTargetUtil))
	for i := range p.pools {
		p.pools[i].target = p.out[i]
	}
	return p.out
}

// Decide runs KEDA's activation every polling interval and the HPA every
// sync period.
func (p *queuePolicy) Decide(obs *Observation) Decision {
	for i, ps := range obs.Pools {
		if queueLength(ps) > 0 {
			p.activeAt[i] = obs.Now
		}
	}
	if obs.Now >= p.nextPoll {
		p.nextPoll = obs.Now + kedaPolling
		p.activate(obs)
	}
	if obs.Now >= p.nextSync {
		p.nextSync = obs.Now + hpaSyncPeriod
		for i, ps := range obs.Pools {
			if current := p.pools[i].target; current > 0 {
				raw := externalPerPodReplicas(current, queueLength(ps), p.perPod[i])
				p.out[i] = p.pools[i].normalize(obs.Now, current, raw)
			}
		}
	}
	return Decision{Replicas: p.out}
}

// activate scales an idle pool at zero to one replica when work waits for
// it, and a pool whose queue stayed empty for the cooldown to zero.
func (p *queuePolicy) activate(obs *Observation) {
	for i, ps := range obs.Pools {
		hp := &p.pools[i]
		switch {
		case hp.target == 0 && queueLength(ps) > 0:
			hp.target, p.out[i] = 1, 1
		case hp.target > 0 && p.fleet.Pools[i].Min == 0 && obs.Now-p.activeAt[i] >= kedaCooldown:
			hp.target, p.out[i] = 0, 0
		}
	}
}

// queueLength returns the queue KEDA sees for a pool: its queued rows,
// plus, for a pool without ready replicas, the rows of the last second
// that found no ready replica and would wait in a queue in front of it.
func queueLength(ps PoolState) float64 {
	q := float64(ps.QueuedRows)
	if ps.Ready == 0 {
		q += ps.UnservedRows * time.Second.Seconds()
	}
	return q
}
