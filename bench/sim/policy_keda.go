package sim

import "time"

// The defaults of KEDA that the KEDA baselines keep.
const (
	kedaPolling  = 30 * time.Second  // pollingInterval: activation checks
	kedaCooldown = 300 * time.Second // cooldownPeriod: idle time before scaling to zero
	kedaRateOver = time.Minute       // the range of the rate query, rate(...[1m])
)

// kedaInflightFamily is KEDA on the requests a pool holds.
var kedaInflightFamily = Family{
	Name: "keda-inflight",
	Doc: "KEDA, one ScaledObject per pool, on the pool's rows in flight (queued or in a batch, averaged over the HPA's 15 s sync) " +
		"against a target per replica; minReplicaCount the pool's minimum, KEDA's polling and cooldown defaults",
	Knobs: []Knob{{Name: "target_batches", Doc: "rows in flight per replica, in batches of the pool's size at the SLO",
		Values: []float64{0.5, 1, 2}, Default: 1}},
	Build: func(p Point) NewPolicyFunc {
		return func(s Setup) (Policy, error) {
			m := kedaMetric{over: hpaSyncPeriod, sample: func(ps PoolState) float64 { return ps.Concurrency }}
			return newKEDA(s, m, func(i int) float64 { return p["target_batches"] * float64(batchRows(s.Fleet, i)) }, kpaTargetUtil), nil
		}
	},
}

// kedaRateFamily is KEDA on the rate of requests a pool receives.
var kedaRateFamily = Family{
	Name: "keda-rate",
	Doc: "KEDA, one ScaledObject per pool, on the pool's rows per second over the last minute (rate(...[1m])) " +
		"against the target share of a replica's throughput; minReplicaCount the pool's minimum",
	Knobs: []Knob{{Name: "target", Doc: "rows per second per replica, as a share of a replica's throughput at the SLO",
		Values: []float64{0.5, 0.7, 0.9}, Default: 0.7}},
	Build: func(p Point) NewPolicyFunc {
		return func(s Setup) (Policy, error) {
			m := kedaMetric{over: kedaRateOver, sample: func(ps PoolState) float64 { return ps.ArrivalRows }}
			capacity := func(i int) float64 { return p["target"] * groupCapacity(s.Fleet, i, []int{Light, Heavy}) }
			return newKEDA(s, m, capacity, p["target"]), nil
		}
	},
}

// newQueuePolicy returns the queue baseline: KEDA on each pool's queued
// rows, read when the HPA syncs, with a target of one batch per replica.
// A raw queue is empty while the service keeps up, so the baseline saws;
// the matrix keeps it to show that.
func newQueuePolicy(s Setup) (Policy, error) {
	m := kedaMetric{sample: func(ps PoolState) float64 { return float64(ps.QueuedRows) }}
	return newKEDA(s, m, func(i int) float64 { return float64(batchRows(s.Fleet, i)) }, kpaTargetUtil), nil
}

// kedaMetric is what a ScaledObject's trigger reads of one pool.
type kedaMetric struct {
	// sample is the pool's value over one decision's window.
	sample func(ps PoolState) float64
	// over is the span the trigger's query averages samples over; 0
	// reads the latest sample.
	over time.Duration
}

// keda is KEDA scaling each pool on an external metric of its own: a
// ScaledObject whose trigger reads the metric with a target value per
// replica. The HPA KEDA creates computes ceil(metric / target) every
// 15 s with the controller's defaults (see hpaPool); KEDA itself
// activates a pool at zero when its metric is above zero and, when the
// pool's Min is 0, scales it to zero after the metric has stayed at zero
// for the cooldown period, checking every polling interval. The metric
// of a pool without ready replicas includes the rows that found no pool
// (see activated): the demand a queue in front of it would hold.
type keda struct {
	fleet    *Fleet
	metric   kedaMetric
	perPod   []float64
	start    float64 // the utilization the start fleet is sized at
	samples  [][]stamped64
	pools    []hpaPool
	activeAt []time.Duration // last time the metric was above zero
	nextSync time.Duration
	nextPoll time.Duration
	out      []int
}

var _ Policy = (*keda)(nil)

// newKEDA returns KEDA on metric with perPod(i) the target value per
// replica of pool i, starting at the fleet sized for utilization start.
func newKEDA(s Setup, metric kedaMetric, perPod func(i int) float64, start float64) *keda {
	f := s.Fleet
	n := len(f.Pools)
	p := &keda{fleet: f, metric: metric, perPod: make([]float64, n), start: start, samples: make([][]stamped64, n),
		pools: make([]hpaPool, n), activeAt: make([]time.Duration, n), out: make([]int, n)}
	for i, fp := range f.Pools {
		p.perPod[i] = perPod(i)
		p.pools[i] = hpaPool{min: max(fp.Min, 1), max: fp.Max}
	}
	return p
}

// Start returns the cheapest fleet that serves the first second's load
// at the start utilization (see kpa.Start).
func (p *keda) Start(obs *Observation) []int {
	copy(p.out, startFleet(p.fleet, obs, p.start))
	for i := range p.pools {
		p.pools[i].target = p.out[i]
	}
	return p.out
}

// Decide records each pool's metric, runs KEDA's activation every
// polling interval and the HPA every sync period.
func (p *keda) Decide(obs *Observation) Decision {
	for i, ps := range obs.Pools {
		s := append(p.samples[i], stamped64{at: obs.Now, d: obs.Window, v: p.metric.sample(ps) + unserved(ps)})
		p.samples[i] = dropBefore64(s, obs.Now-max(p.metric.over, obs.Window))
		if p.value(obs.Now, i) > 0 {
			p.activeAt[i] = obs.Now
		}
	}
	if obs.Now >= p.nextPoll {
		p.nextPoll = obs.Now + kedaPolling
		p.activate(obs.Now)
	}
	if obs.Now >= p.nextSync {
		p.nextSync = obs.Now + hpaSyncPeriod
		for i := range obs.Pools {
			if current := p.pools[i].target; current > 0 {
				raw := externalPerPodReplicas(current, p.value(obs.Now, i), p.perPod[i])
				p.out[i] = p.pools[i].normalize(obs.Now, current, raw)
			}
		}
	}
	return Decision{Replicas: p.out}
}

// value returns pool i's metric as the trigger's query reads it now.
func (p *keda) value(now time.Duration, i int) float64 {
	s := p.samples[i]
	if p.metric.over <= 0 {
		if len(s) == 0 {
			return 0
		}
		return s[len(s)-1].v
	}
	return average(s, now-p.metric.over)
}

// activate scales an idle pool at zero to one replica when its metric is
// above zero, and a pool whose metric stayed at zero for the cooldown to
// zero.
func (p *keda) activate(now time.Duration) {
	for i := range p.pools {
		hp := &p.pools[i]
		switch {
		case hp.target == 0 && p.activeAt[i] == now:
			hp.target, p.out[i] = 1, 1
		case hp.target > 0 && p.fleet.Pools[i].Min == 0 && now-p.activeAt[i] >= kedaCooldown:
			hp.target, p.out[i] = 0, 0
		}
	}
}

// unserved returns what a pool without ready replicas adds to its
// metric: the rows per second of its tiers that found no pool, which
// would wait in a queue in front of it (one second's worth).
func unserved(ps PoolState) float64 {
	if ps.Ready == 0 {
		return ps.UnservedRows * time.Second.Seconds()
	}
	return 0
}
