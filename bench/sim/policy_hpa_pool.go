package sim

import (
	"math"
	"time"
)

// hpaTargetKnob is the utilization target of the HPA families.
var hpaTargetKnob = Knob{Name: "target", Doc: "rows per second per replica the HPA keeps, as a share of a replica's throughput at the SLO",
	Values: []float64{0.5, 0.7, 0.9}, Default: hpaTarget}

// hpaPerPoolFamily is one HPA per pool, as one HPA per Deployment.
var hpaPerPoolFamily = Family{
	Name: "hpa-per-pool",
	Doc: "Kubernetes HPA, one per pool (Deployment), each on its own pool's rows per second per ready replica " +
		"against the target share of a replica's throughput; minReplicas 1, default behavior",
	Knobs: []Knob{hpaTargetKnob},
	Build: func(p Point) NewPolicyFunc {
		return func(s Setup) (Policy, error) { return newHPAPools(s, p["target"], everyPool(s.Fleet)), nil }
	},
}

// hpaCheapestGPUFamily is one HPA on the one pool an operator would run
// the service on: the cheapest that serves every kind.
var hpaCheapestGPUFamily = Family{
	Name: "hpa-cheapest-gpu",
	Doc: "one Kubernetes HPA, as hpa-per-pool, on the single pool with the lowest price per row among those " +
		"that serve heavy requests (the spot GPUs); the other pools stay at their minimum",
	Knobs: []Knob{hpaTargetKnob},
	Build: func(p Point) NewPolicyFunc {
		return func(s Setup) (Policy, error) { return newHPAPools(s, p["target"], cheapestPool(s.Fleet, Heavy)), nil }
	},
}

// hpaPools is the Kubernetes HorizontalPodAutoscaler on some pools, one
// per pool as one per Deployment: each sees only its own pool's metric,
// the rows per second the router sent it per ready replica, against a
// target of a share of one replica's throughput at the SLO. Every
// hpaSyncPeriod each HPA computes its replicas as the controller does
// (plainMetricReplicas, tolerance, starting pods counted as idle on a
// scale-up) and normalizes them with the default behavior (hpaPool); its
// minReplicas is at least 1. Pools without an HPA stay at their Min.
type hpaPools struct {
	fleet   *Fleet
	target  float64
	scaled  []bool
	cap     []float64 // rows per second one replica serves, per pool
	pools   []hpaPool
	rows    []float64 // rows routed to each pool since the last sync
	elapsed time.Duration
	next    time.Duration
	out     []int
}

var _ Policy = (*hpaPools)(nil)

// newHPAPools returns HPAs at target on the pools scaled selects.
func newHPAPools(s Setup, target float64, scaled []bool) *hpaPools {
	f := s.Fleet
	n := len(f.Pools)
	p := &hpaPools{fleet: f, target: target, scaled: scaled, cap: make([]float64, n), pools: make([]hpaPool, n),
		rows: make([]float64, n), out: make([]int, n)}
	for i, fp := range f.Pools {
		p.cap[i] = groupCapacity(f, i, []int{Light, Heavy})
		p.pools[i] = hpaPool{min: max(fp.Min, 1), max: fp.Max}
	}
	return p
}

// everyPool selects every pool of f.
func everyPool(f *Fleet) []bool {
	all := make([]bool, len(f.Pools))
	for i := range all {
		all[i] = true
	}
	return all
}

// cheapestPool selects the pool of kind k's tier with the lowest price
// per row of k at the SLO.
func cheapestPool(f *Fleet, k int) []bool {
	sel := make([]bool, len(f.Pools))
	best, bestCost := -1, math.Inf(1)
	for i, p := range f.Pools {
		if c := f.capacity(i, k); c > 0 && p.PricePerHour/c < bestCost {
			best, bestCost = i, p.PricePerHour/c
		}
	}
	if best >= 0 {
		sel[best] = true
	}
	return sel
}

// Start returns where the HPAs settle for the first second's load: the
// cheapest fleet of the scaled pools that serves it at the target, each
// at least its minReplicas, and the other pools at their Min.
func (p *hpaPools) Start(obs *Observation) []int {
	prices := make([]float64, len(p.out))
	for i, fp := range p.fleet.Pools {
		prices[i] = fp.PricePerHour
	}
	d := demand{obs.Kinds[Light].ArrivalRate, obs.Kinds[Heavy].ArrivalRate}
	fleet := newSizer(p.fleet).cheapest(d, p.target, p.scaled, prices)
	for i := range p.out {
		p.out[i] = p.fleet.Pools[i].Min
		if p.scaled[i] {
			p.out[i] = min(max(fleet[i], p.pools[i].min), p.pools[i].max)
			p.pools[i].target = p.out[i]
		}
	}
	return p.out
}

// Decide records the rows routed to each pool and, every hpaSyncPeriod,
// runs each HPA on its pool's rows per second since the previous sync.
func (p *hpaPools) Decide(obs *Observation) Decision {
	for i, ps := range obs.Pools {
		p.rows[i] += ps.ArrivalRows * obs.Window.Seconds()
	}
	p.elapsed += obs.Window
	if obs.Now < p.next || p.elapsed <= 0 {
		return Decision{Replicas: p.out}
	}
	p.next = obs.Now + hpaSyncPeriod
	for i, ps := range obs.Pools {
		if p.scaled[i] {
			p.sync(obs.Now, i, ps.Ready, p.rows[i]/p.elapsed.Seconds())
		}
		p.rows[i] = 0
	}
	p.elapsed = 0
	return Decision{Replicas: p.out}
}

// sync runs pool i's HPA on rate, its rows per second, with ready pods.
func (p *hpaPools) sync(now time.Duration, i, ready int, rate float64) {
	hp := &p.pools[i]
	if ready == 0 || p.cap[i] <= 0 {
		return // no pod reports: the controller leaves the target alone
	}
	ratio := rate / (float64(ready) * p.cap[i] * p.target)
	current := hp.target
	if raw, ok := plainMetricReplicas(current, ready, max(current-ready, 0), ratio); ok {
		p.out[i] = hp.normalize(now, current, raw)
	}
}
