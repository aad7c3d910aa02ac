package scaler

import (
	"fmt"
	"math"
	"time"
)

// recommend sizes every pool: the larger of its fill and its own signals,
// plus its warm spares, held through the stabilization window and panics,
// then kept within its bounds. The window records what the pool needs, not
// what a panic held, so that a panic's end is not followed by a second
// full window.
func (d *decision) recommend() {
	for pi := range d.spec.pools {
		d.recommendPool(pi)
	}
}

func (d *decision) recommendPool(pi int) {
	p, w := &d.spec.pools[pi], &d.pools[pi]
	ps := d.st.pools[p.Name]
	n, why := roundUp(w.alloc), w.fillWhy
	if n == 0 {
		why = reason{}
	}
	limit := d.surgeLimit(p, w.snap)
	for _, f := range d.floors(p, w.snap, w.arrivalMean) {
		if f.n = min(f.n, limit); f.n > n {
			n, why = f.n, f.why
		}
	}
	n, why = withWarm(n, why, p.Warm)
	hold := d.spec.holdFor(pi)
	ps.window = ps.window.push(d.now, n, hold)
	if held := ps.window.max(); held > n {
		n, why = held, reason{ChangeStabilization, fmt.Sprintf("highest need of the last %v", hold)}
	}
	if d.surgedWithin(p, hold) && ps.seen && ps.desired > n {
		n, why = ps.desired, reason{ChangePanic, "holding during panic"}
	}
	if w.suspended && ps.retry > n {
		n, why = ps.retry, reason{ChangeSpot, "retrying spot after lost workers"}
	}
	w.desired, w.why = d.bound(pi, n, why)
	d.st.pools[p.Name] = ps
}

// floor is a pool's own lower bound and its reason.
type floor struct {
	n   int
	why reason
}

// floors returns the replicas pool p needs by its own signals, at the SLO
// of its traffic (see target): to drain its queue within
// QueueDrainTarget while arrivals continue (see continuing; mean is the
// pool's mean arrival rate over QueueDrainTarget); to bring a p95 above
// LatencyHeadroom of the SLO back under it (proportionally, but not
// beyond the ready and starting replicas while some are starting or the
// p95 is past the SLO); to hold the
// items in flight at its batch size. They also wake an empty pool that
// has arrivals or queued items.
func (d *decision) floors(p *poolSpec, s PoolSnapshot, mean float64) []floor {
	slo, thr, batch := target(p, s)
	if thr <= 0 {
		return nil
	}
	var fs []floor
	arriving := continuing(s, mean, thr, slo)
	if drain := arriving + float64(s.Queued)/d.cfg.QueueDrainTarget.Seconds(); drain > 0 {
		fs = append(fs, floor{max(roundUp(drain/thr), 1), reason{ChangeQueue, fmt.Sprintf(
			"queue %d with %.0f rps arriving, drained within %v", s.Queued, arriving, d.cfg.QueueDrainTarget)}})
	}
	target := time.Duration(d.cfg.LatencyHeadroom * float64(slo))
	if s.Ready > 0 && s.P95 > target {
		n := roundUp(float64(s.Ready) * float64(s.P95) / float64(target))
		if s.Starting > 0 || s.P95 > slo {
			// The p95 is the ready replicas' alone: the starting ones
			// answer it, and scaling on it again before they are ready
			// would compound it. A p95 past the SLO itself is the
			// wait of a backlog, whose size the queue floor sizes for:
			// in proportion it would start the pool's Max on the
			// leftover of a backlog already drained.
			n = min(n, s.Ready+s.Starting)
		}
		fs = append(fs, floor{n, reason{ChangeLatency, fmt.Sprintf("p95 %v over %.0f%% of SLO %v", s.P95.Round(time.Millisecond), 100*d.cfg.LatencyHeadroom, slo)}})
	}
	if s.InFlight > 0 && batch > 0 {
		fs = append(fs, floor{roundUp(float64(s.InFlight) / float64(batch)), reason{ChangeInFlight, fmt.Sprintf(
			"%d in flight at batch %d", s.InFlight, batch)}})
	}
	return fs
}

// continuing returns the arrival rate a pool's queue floor expects to go
// on while its queue drains, items/s: mean, its mean rate over the last
// QueueDrainTarget, unless the last snapshot's rate is higher and the
// pool did not absorb it: no replica is ready, or its queue would take
// the ready replicas, thr items/s each, longer than slo to serve. A rate
// measured over one interval is noisy: a second at three times the mean
// among quieter ones, which the ready replicas served leaving a queue
// they clear within the SLO, does not go on, and a slow pool sized for
// it would keep the replicas, ready a cold start later, through a whole
// scale-down window.
func continuing(s PoolSnapshot, mean, thr float64, slo time.Duration) float64 {
	if s.ArrivalRate <= mean {
		return mean
	}
	if !absorbs(s, thr, slo) {
		return s.ArrivalRate
	}
	return mean
}

// absorbs reports whether a pool's ready replicas, thr items/s each,
// serve its queue within slo; never with no replica ready.
func absorbs(s PoolSnapshot, thr float64, slo time.Duration) bool {
	return s.Ready > 0 && float64(s.Queued) <= float64(s.Ready)*thr*slo.Seconds()
}

// surgeLimit returns the most replicas pool p's own floors may ask for:
// while a tier it serves panics and the surge has not lasted p's cold
// start, its ready and starting replicas (at least one, to wake an empty
// pool), since new ones would be ready after a burst that short is over;
// else no limit. A queue or p95 the surge built must not start the slow
// pools at once: the fill sizes them for the surge's rate (see panicAt),
// and a backlog is drained or timed out before they are ready.
func (d *decision) surgeLimit(p *poolSpec, s PoolSnapshot) int {
	for _, ti := range p.tiers {
		if d.tiers[ti].panic && !d.lastedLead(ti, p.ColdStart) {
			return max(s.Ready+s.Starting, 1)
		}
	}
	return math.MaxInt
}

// target returns the SLO pool p's own floors aim at, with the pool's
// throughput per replica and batch size there: the SLO of the traffic
// the pool has (PoolSnapshot.SLO), when the snapshot knows it and the
// pool can meet it; else the tightest SLO of its tiers. A pool shared by
// a model with a tight SLO that sends nothing and a looser one that
// sends everything is sized for the looser one.
func target(p *poolSpec, s PoolSnapshot) (slo time.Duration, thr float64, batch int) {
	if s.SLO > 0 && s.SLO != p.slo {
		if thr := p.Throughput(s.SLO); thr > 0 && !math.IsInf(thr, 1) {
			return s.SLO, thr, p.BatchAt(s.SLO)
		}
	}
	return p.slo, p.thr, p.batch
}

// withWarm adds warm spare replicas to n and says so in why.
func withWarm(n int, why reason, warm int) (int, reason) {
	switch {
	case warm == 0:
		return n, why
	case why.text == "":
		return n + warm, reason{ChangeWarm, fmt.Sprintf("warm pool of %d", warm)}
	}
	return n + warm, reason{why.kind, fmt.Sprintf("%s, +%d warm", why.text, warm)}
}

// surgedWithin reports whether a tier that pool p serves is in panic mode
// and surged within the last hold: a pool keeps its size through a panic
// until a scale-down window of its own has passed without a surge.
func (d *decision) surgedWithin(p *poolSpec, hold time.Duration) bool {
	for _, ti := range p.tiers {
		ts := d.st.tiers[d.spec.tiers[ti].Name]
		if d.tiers[ti].panic && d.now.Sub(ts.panicLast) < hold {
			return true
		}
	}
	return false
}

// bound keeps n within pool pi's Max and its floor: Min, raised by an
// active pre-warm entry.
func (d *decision) bound(pi, n int, why reason) (int, reason) {
	p := &d.spec.pools[pi]
	lo, loWhy := p.Min, reason{ChangeMin, fmt.Sprintf("min %d", p.Min)}
	if m, e, ok := d.spec.prewarmMin(pi, d.now); ok && m > lo {
		lo, loWhy = m, reason{ChangePrewarm, fmt.Sprintf("pre-warm %q min %d", e.Schedule, m)}
	}
	switch {
	case n > p.Max:
		return p.Max, reason{ChangeMax, fmt.Sprintf("max %d (%s)", p.Max, why.text)}
	case n < lo:
		return lo, loWhy
	case why.text == "":
		return n, reason{ChangeNoDemand, "no demand"}
	}
	return n, why
}
