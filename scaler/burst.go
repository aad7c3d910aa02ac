package scaler

import (
	"math"
	"slices"
	"time"
)

// The burst headroom: see the package documentation, "Burst headroom".

// burstSpan returns the span over which tier ti's bursts are measured:
// its fastest pool's cold start, at least the panic window.
func (s *Spec) burstSpan(ti int) time.Duration {
	fastest := time.Duration(math.MaxInt64)
	for _, m := range s.tiers[ti].members {
		fastest = min(fastest, s.pools[m.pool].ColdStart)
	}
	return max(fastest, s.cfg.PanicWindow)
}

// learnBurst updates tier ti's burst memory from its samples and levels,
// decayed over the time since the previous decision; it changes nothing
// when BurstMemory is 0.
func (d *decision) learnBurst(ti int, ts *tierState) {
	if d.cfg.BurstMemory <= 0 {
		return
	}
	span := d.spec.burstSpan(ti)
	mean := meanSince(ts.samples, d.now, span)
	excess := max(mean-levelSince(ts.levels, d.now, span), 0)
	if d.overflowed(ti) {
		drain := d.cfg.QueueDrainTarget
		need := absorbing(ts.samples, d.now, drain, d.cfg.Interval, d.spec.tiers[ti].SLO)
		excess = max(excess, need-levelSince(ts.levels, d.now, drain))
		mean = max(mean, need)
	}
	keep := math.Exp2(-d.dt.Seconds() / d.cfg.BurstMemory.Seconds())
	ts.burst = max(ts.burst*keep, excess)
	ts.peak = max(ts.peak, mean)
}

// overflowed reports whether a pool of tier ti queues more items than its
// ready replicas serve within the tier's SLO: a burst the standing
// capacity did not absorb.
func (d *decision) overflowed(ti int) bool {
	t := &d.spec.tiers[ti]
	for _, m := range t.members {
		if s := d.pools[m.pool].snap; s.Queued > 0 && !absorbs(s, m.thr, t.SLO) {
			return true
		}
	}
	return false
}

// absorbing returns the least capacity, items/s, that serves the arrivals
// of samples ss within span before now, each sample the rate of one
// interval, within slo of their arrival: over every such window of the
// last S, the items that arrived in it divided by S plus slo. A burst of
// a second or two among quiet ones weighs in full, as a queue sees it,
// where the mean over a cold start dilutes it; 0 without samples.
func absorbing(ss []sample, now time.Time, span, interval, slo time.Duration) float64 {
	need, items := 0.0, 0.0
	for i := len(ss) - 1; i >= 0 && now.Sub(ss[i].at) < span; i-- {
		items += ss[i].rate * interval.Seconds()
		need = max(need, items/(now.Sub(ss[i].at)+interval+slo).Seconds())
	}
	return need
}

// headroom returns the items/s tier ts keeps standing above its level
// for the bursts it has seen, less what the level has risen over the
// burst span (before, the level that long ago): a burst under way that
// the level already counts is not provisioned twice. 0 with no burst
// memory.
func headroom(ts tierState, before float64) float64 {
	rise := max(ts.holt.level-before, 0)
	return max(min(ts.burst, ts.peak-ts.holt.level)-rise, 0)
}

// fillPriced fills the tiers' demand (see fill) and prices their burst
// headroom: when a tier's headroom exceeds its error band, it fills once
// without any headroom first, and the plan's HeadroomCostPerHour is the
// difference of the two fills' prices.
func (d *decision) fillPriced() {
	if !d.headroomCounts() {
		d.fill()
		return
	}
	pools, tiers := slices.Clone(d.pools), slices.Clone(d.tiers)
	d.withHeadroom = false
	d.fill()
	without := d.fillCost()
	d.pools, d.tiers, d.withHeadroom = pools, tiers, true
	d.fill()
	d.plan.HeadroomCostPerHour = d.fillCost() - without
}

// headroomCounts reports whether a tier's headroom exceeds its error band.
func (d *decision) headroomCounts() bool {
	for ti := range d.spec.tiers {
		if d.tiers[ti].headroom > d.band(ti) {
			return true
		}
	}
	return false
}

// fillCost returns the price of the whole replicas the fill placed, USD
// per hour.
func (d *decision) fillCost() float64 {
	c := 0.0
	for pi, p := range d.spec.pools {
		c += p.CostPerHour(roundUp(d.pools[pi].alloc))
	}
	return c
}

// meanSince returns the mean rate of the samples of ss within span
// before now; 0 when none.
func meanSince(ss []sample, now time.Time, span time.Duration) float64 {
	sum, n := 0.0, 0
	for _, s := range ss {
		if now.Sub(s.at) < span {
			sum += s.rate
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// levelSince returns the oldest level of levels within span before now:
// the forecast the tier had when the samples of that span began; 0 when
// none.
func levelSince(levels []sample, now time.Time, span time.Duration) float64 {
	for _, s := range levels {
		if now.Sub(s.at) <= span {
			return s.rate
		}
	}
	return 0
}
