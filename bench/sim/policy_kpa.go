package sim

import (
	"math"
	"time"
)

// The defaults of Knative Serving's autoscaler (KPA) that the kpa
// baseline keeps.
const (
	kpaTick             = 2 * time.Second // how often the decider runs
	kpaStableWindow     = 60 * time.Second
	kpaPanicWindow      = 6 * time.Second // 10 % of the stable window
	kpaPanicThreshold   = 2.0             // 200 %
	kpaTargetUtil       = 0.7
	kpaMaxScaleUpRate   = 1000.0
	kpaMaxScaleDownRate = 2.0
	kpaScaleToZeroGrace = 30 * time.Second
)

// kpaFamily is Knative's autoscaler with the two settings operators of
// slow-starting model servers change: a scale-down delay and a minimum.
var kpaFamily = Family{
	Name: "kpa",
	Doc: "Knative's pod autoscaler, one per pool, on concurrency against 70 % of a replica's batch (Knative's defaults), " +
		"with a scale-down delay and min-scale on the cheapest pool of each tier",
	Knobs: []Knob{
		{Name: "scale_down_delay_s", Doc: "seconds over which Knative keeps the highest pod count it wanted (scale-down-delay)",
			Values: []float64{0, 120, 300}, Default: 0},
		{Name: "min_scale", Doc: "replicas the cheapest pool per row of each tier keeps (min-scale); the others keep their minimum",
			Values: []float64{0, 1}, Default: 0},
	},
	Build: func(p Point) NewPolicyFunc {
		return func(s Setup) (Policy, error) {
			return newKPAWith(s, time.Duration(p["scale_down_delay_s"]*float64(time.Second)), int(p["min_scale"])), nil
		}
	},
}

// kpa is Knative's pod autoscaler, one per pool, on concurrency: every
// 2 s it wants ceil(observed concurrency / target) pods, where the
// target is 70 % of the requests (in rows) one replica serves at once —
// its batch size at the SLO, the container concurrency of a batching
// model server. It averages concurrency over a 60 s stable window and a
// 6 s panic window; when the panic window wants at least twice the ready
// pods it panics: it follows the larger of the two and never scales down
// until the stable window has stayed under the threshold for 60 s. Scale
// up is bounded by 1000× and scale down by ½ of the ready pods per
// decision. With a scale-down delay it then wants the most pods it
// wanted over the delay (Knative's delay window). A pool scales to zero
// (when its minimum allows) once it has wanted zero for the 30 s grace
// period, and back from zero on the activator's buffer (see activated);
// its minimum is its Min, raised to min-scale on the cheapest pool of
// each tier.
type kpa struct {
	fleet   *Fleet
	target  []float64 // target concurrency per replica, per pool
	samples [][]stamped64
	panicAt []time.Duration // when the pool last was over the threshold; -1 if not panicking
	maxPods []int
	zeroAt  []time.Duration // since when the pool has wanted zero; -1 if not
	delay   time.Duration
	wanted  [][]stamped // pod counts wanted within the delay, per pool
	floor   []int       // the minimum of each pool
	next    time.Duration
	out     []int
}

// stamped64 is a concurrency sample averaged over d ending at at.
type stamped64 struct {
	at time.Duration
	d  time.Duration
	v  float64
}

var _ Policy = (*kpa)(nil)

// newKPAWith returns the kpa baseline with a scale-down delay and
// min-scale on the cheapest pool of each tier.
func newKPAWith(s Setup, delay time.Duration, minScale int) *kpa {
	f := s.Fleet
	n := len(f.Pools)
	p := &kpa{fleet: f, target: make([]float64, n), samples: make([][]stamped64, n),
		panicAt: make([]time.Duration, n), maxPods: make([]int, n), zeroAt: make([]time.Duration, n),
		delay: delay, wanted: make([][]stamped, n), floor: make([]int, n), out: make([]int, n)}
	for i, fp := range f.Pools {
		p.target[i] = kpaTargetUtil * float64(batchRows(f, i))
		p.panicAt[i], p.zeroAt[i] = -1, -1
		p.floor[i] = fp.Min
	}
	for k := range f.Kinds {
		for i, sel := range cheapestPool(f, k) {
			if sel {
				p.floor[i] = min(max(p.floor[i], minScale), f.Pools[i].Max)
			}
		}
	}
	return p
}

// Start returns the cheapest fleet that serves the first second's load
// at the target utilization, each pool at least at its minimum: where
// the autoscalers settle for it, with the router filling the cheapest
// pools first.
func (p *kpa) Start(obs *Observation) []int {
	copy(p.out, startFleet(p.fleet, obs, kpaTargetUtil))
	for i := range p.out {
		p.out[i] = max(p.out[i], p.floor[i])
	}
	return p.out
}

// Decide records the pools' concurrency and, every kpaTick, scales each.
func (p *kpa) Decide(obs *Observation) Decision {
	for i, ps := range obs.Pools {
		s := append(p.samples[i], stamped64{at: obs.Now, d: obs.Window, v: activated(ps)})
		p.samples[i] = dropBefore64(s, obs.Now-kpaStableWindow)
	}
	if obs.Now < p.next {
		return Decision{Replicas: p.out}
	}
	p.next = obs.Now + kpaTick
	for i := range p.out {
		p.out[i] = p.scale(obs.Now, i, obs.Pools[i].Ready)
	}
	return Decision{Replicas: p.out}
}

// scale is the autoscaler's Scale for pool i with ready pods, followed by
// the scale-to-zero grace period.
func (p *kpa) scale(now time.Duration, i, ready int) int {
	stable := average(p.samples[i], now-kpaStableWindow)
	panicked := average(p.samples[i], now-kpaPanicWindow)
	readyF := math.Max(1, float64(ready))
	upMax, downMin := math.Ceil(kpaMaxScaleUpRate*readyF), math.Floor(readyF/kpaMaxScaleDownRate)
	dspc, dppc := math.Ceil(stable/p.target[i]), math.Ceil(panicked/p.target[i])
	want := int(min(max(dspc, downMin), upMax))
	wantPanic := int(min(max(dppc, downMin), upMax))
	over := dppc/readyF >= kpaPanicThreshold
	switch {
	case over:
		p.panicAt[i] = now
	case p.panicAt[i] >= 0 && p.panicAt[i]+kpaStableWindow < now:
		p.panicAt[i], p.maxPods[i] = -1, 0
	}
	if p.panicAt[i] >= 0 {
		p.maxPods[i] = max(p.maxPods[i], want, wantPanic)
		want = p.maxPods[i]
	}
	return p.graceToZero(now, i, p.delayed(now, i, want))
}

// delayed records want for pool i and returns the most pods wanted over
// the scale-down delay; want itself without a delay.
func (p *kpa) delayed(now time.Duration, i, want int) int {
	if p.delay <= 0 {
		return want
	}
	p.wanted[i] = append(dropBefore(p.wanted[i], now-p.delay), stamped{now, want})
	for _, w := range p.wanted[i] {
		want = max(want, w.n)
	}
	return want
}

// graceToZero keeps one replica until pool i has wanted none for the
// grace period, and applies the pool's bounds and minimum.
func (p *kpa) graceToZero(now time.Duration, i, want int) int {
	floor, most := p.floor[i], p.fleet.Pools[i].Max
	if want > 0 {
		p.zeroAt[i] = -1
		return min(max(want, floor), most)
	}
	if p.zeroAt[i] < 0 {
		p.zeroAt[i] = now
	}
	if now-p.zeroAt[i] < kpaScaleToZeroGrace && p.out[i] > 0 {
		return max(1, floor)
	}
	return floor
}

// activated returns the concurrency Knative sees for a pool: its own, or
// for a pool without ready replicas, the activator's buffer — the
// requests of the last second that found no ready replica.
func activated(ps PoolState) float64 {
	if ps.Ready == 0 {
		return ps.Concurrency + ps.UnservedRows*time.Second.Seconds()
	}
	return ps.Concurrency
}

// average returns the time-weighted mean of the samples after cutoff; 0
// when there are none.
func average(s []stamped64, cutoff time.Duration) float64 {
	var sum float64
	var d time.Duration
	for _, e := range s {
		if e.at > cutoff {
			sum += e.v * e.d.Seconds()
			d += e.d
		}
	}
	if d <= 0 {
		return 0
	}
	return sum / d.Seconds()
}

// dropBefore64 removes the leading samples at or before cutoff.
func dropBefore64(s []stamped64, cutoff time.Duration) []stamped64 {
	i := 0
	for i < len(s) && s[i].at <= cutoff {
		i++
	}
	return append(s[:0], s[i:]...)
}
