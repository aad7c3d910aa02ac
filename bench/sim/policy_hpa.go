package sim

import (
	"math"
	"time"
)

// hpaTarget is the utilization the hpa baseline scales to.
const hpaTarget = 0.7

// hpa is the Kubernetes HorizontalPodAutoscaler, one per pool, on a
// requests-per-replica metric with a target of 70 % of a replica's
// throughput, every 15 s, with the default behavior: 10 % tolerance, no
// stabilization up, 5 minutes down, scale-up by at most max(4 pods,
// 100 %) and scale-down by at most 100 % per 15 s, minReplicas at least 1.
//
// It knows nothing of cost: a tier is one service whose replicas are
// spread over its pools, so every pool of a tier sees the tier's metric
// and scales in proportion. The metric of a set of kinds is their
// requests (in rows) per second per unit of ready capacity of the pools
// that serve them; a pool takes the highest of the sets it serves, so a
// pool shared by two tiers keeps up with the busier.
type hpa struct {
	fleet   *Fleet
	z       *sizer
	pools   []hpaPool
	rows    [2]float64 // requests of each kind since the last sync
	elapsed time.Duration
	next    time.Duration
	out     []int
}

var _ Policy = (*hpa)(nil)

// newHPA returns the hpa baseline for s.Fleet.
func newHPA(s Setup) (Policy, error) {
	f := s.Fleet
	p := &hpa{fleet: f, z: newSizer(f), pools: make([]hpaPool, len(f.Pools)), out: make([]int, len(f.Pools))}
	for i, fp := range f.Pools {
		p.pools[i] = hpaPool{min: max(fp.Min, 1), max: fp.Max}
	}
	return p, nil
}

// Start returns the tier mix at minReplicas, multiplied by the least
// factor that brings every set of kinds to the target utilization for
// the first second's load.
func (p *hpa) Start(obs *Observation) []int {
	need := p.z.needs(demand{obs.Kinds[Light].ArrivalRate, obs.Kinds[Heavy].ArrivalRate}, hpaTarget)
	for m := 1; ; m++ {
		full := true
		for i := range p.pools {
			p.out[i] = min(p.pools[i].min*m, p.pools[i].max)
			full = full && p.out[i] == p.pools[i].max
		}
		if full || p.covers(need, p.out) {
			break
		}
	}
	for i := range p.pools {
		p.pools[i].target = p.out[i]
	}
	return p.out
}

// covers reports whether replicas give every group its need.
func (p *hpa) covers(need [3]float64, replicas []int) bool {
	for g, grp := range p.z.groups {
		c := 0.0
		for i, n := range replicas {
			c += float64(n) * grp.cap[i]
		}
		if c < need[g] {
			return false
		}
	}
	return true
}

// Decide runs the controller every hpaSyncPeriod on the load since the
// previous sync and returns the replicas it set.
func (p *hpa) Decide(obs *Observation) Decision {
	for k := range p.rows {
		p.rows[k] += obs.Kinds[k].ArrivalRate * obs.Window.Seconds()
	}
	p.elapsed += obs.Window
	if obs.Now < p.next || p.elapsed <= 0 {
		return Decision{Replicas: p.out}
	}
	p.next = obs.Now + hpaSyncPeriod
	d := demand{p.rows[Light] / p.elapsed.Seconds(), p.rows[Heavy] / p.elapsed.Seconds()}
	p.rows, p.elapsed = [2]float64{}, 0
	util := p.utilization(obs, p.z.needs(d, 1))
	for i := range p.pools {
		hp := &p.pools[i]
		current, ready := hp.target, obs.Pools[i].Ready
		raw, ok := plainMetricReplicas(current, ready, max(current-ready, 0), util[i]/hpaTarget)
		if ok {
			p.out[i] = hp.normalize(obs.Now, current, raw)
		}
	}
	return Decision{Replicas: p.out}
}

// utilization returns, per pool, the highest utilization of the sets of
// kinds it serves: their rows per second over the ready capacity of
// their pools (+Inf when rows arrive and none is ready).
func (p *hpa) utilization(obs *Observation, need [3]float64) []float64 {
	util := make([]float64, len(p.pools))
	for g, grp := range p.z.groups {
		c := 0.0
		for i, ps := range obs.Pools {
			c += float64(ps.Ready) * grp.cap[i]
		}
		u := 0.0
		if need[g] > 0 {
			u = need[g] / c
			if c == 0 {
				u = math.Inf(1)
			}
		}
		for i := range p.pools {
			if grp.cap[i] > 0 {
				util[i] = max(util[i], u)
			}
		}
	}
	return util
}
