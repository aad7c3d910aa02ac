package scaler

import (
	"math"
	"time"
)

// Decide is the policy: from the spec, what it remembers, what was just
// observed and the time, it returns the plan and what to remember next. It
// does no IO and reads no clock; it never modifies prev. A nil spec plans
// nothing and returns prev unchanged.
//
// now should not go backwards between calls; a repeated or earlier time
// adds no arrival rate to the forecast or the panic window, and no
// spending.
func Decide(spec *Spec, prev State, snap Snapshot, now time.Time) (Plan, State) {
	if spec == nil {
		return Plan{At: now, Replicas: map[string]int{}, Tiers: map[string]TierPlan{}}, prev
	}
	d := newDecision(spec, prev, snap, now)
	d.observe()
	d.fillPriced()
	d.recommend()
	d.budget()
	return d.finish()
}

// decision is the working state of one Decide call.
type decision struct {
	spec  *Spec
	cfg   Config
	st    State // a clone of prev, updated in place
	snap  Snapshot
	now   time.Time
	dt    time.Duration // since the previous decision; 0 at the first
	fresh bool          // the first decision, or time has passed since the previous
	pools []poolWork    // by spec pool index
	tiers []tierWork    // by spec tier index
	cut   bool          // the budget cut the plan
	// withHeadroom adds the tiers' burst headroom to their demand.
	withHeadroom bool
	plan         Plan
}

// poolWork is what a decision works out for one pool.
type poolWork struct {
	snap      PoolSnapshot
	suspended bool    // a spot pool in back-off
	readyLeft float64 // ready replicas no tier's fill has claimed yet
	alloc     float64 // fractional replicas the tiers' fills placed here
	fillTop   float64 // the largest single tier's part of alloc
	fillWhy   reason  // why that tier placed it
	desired   int
	why       reason

	// arrivalMean is the pool's mean arrival rate over the last
	// QueueDrainTarget, items/s.
	arrivalMean float64
}

// tierWork is what a decision works out for one tier.
type tierWork struct {
	snap      TierSnapshot
	panicRate float64   // mean arrival rate of the panic window
	slope     float64   // the level's pace over the panic window, items/s per second
	headroom  float64   // items/s kept standing above the forecast for bursts seen
	panic     bool      // in panic mode
	readyCap  float64   // items/s the ready replicas give the tier at SLO
	demand    float64   // items/s provisioned for now, error band included
	needNow   float64   // items/s arriving now, without the error band
	alloc     []float64 // replicas placed on each member
	readyUsed []float64 // of which ready now
	capacity  float64   // items/s of the final plan at SLO
	shed      Shed
	fallback  bool
}

func newDecision(spec *Spec, prev State, snap Snapshot, now time.Time) *decision {
	d := &decision{
		spec: spec, cfg: spec.cfg, st: prev.clone(), snap: snap, now: now,
		pools:        make([]poolWork, len(spec.pools)),
		tiers:        make([]tierWork, len(spec.tiers)),
		plan:         Plan{At: now, Replicas: map[string]int{}, Tiers: map[string]TierPlan{}},
		withHeadroom: true,
	}
	if !prev.at.IsZero() && now.After(prev.at) {
		d.dt = now.Sub(prev.at)
	}
	d.fresh = prev.at.IsZero() || d.dt > 0
	return d
}

// event records an event in the plan.
func (d *decision) event(e Event) { d.plan.Events = append(d.plan.Events, e) }

// finish fills the plan's sizes, changes and tiers, and records them in the
// state.
func (d *decision) finish() (Plan, State) {
	for pi, p := range d.spec.pools {
		d.finishPool(pi, p)
	}
	for ti, t := range d.spec.tiers {
		w := &d.tiers[ti]
		d.plan.Tiers[t.Name] = TierPlan{
			Demand: w.demand, Capacity: w.capacity, Headroom: w.headroom,
			Panic: w.panic, Shed: w.shed, Fallback: w.fallback,
		}
		ts := d.st.tiers[t.Name]
		ts.alloc = map[string]float64{}
		for i, m := range t.members {
			ts.alloc[d.spec.pools[m.pool].Name] = w.alloc[i]
		}
		d.st.tiers[t.Name] = ts
	}
	if d.now.After(d.st.at) {
		d.st.at = d.now
	}
	return d.plan, d.st
}

func (d *decision) finishPool(pi int, p poolSpec) {
	w, ps := &d.pools[pi], d.st.pools[p.Name]
	total := w.snap.Ready + w.snap.Starting
	from := total
	if ps.seen {
		from = ps.desired
	}
	to := w.desired
	d.plan.Replicas[p.Name] = to
	d.plan.CostPerHour += p.CostPerHour(to)
	if to != from {
		d.plan.Changes = append(d.plan.Changes, Change{
			Pool: p.Name, From: from, To: to, Kind: w.why.kind, Reason: w.why.text,
			CostPerHour: float64(to-from) * p.PricePerHour,
		})
	}
	ps.seen, ps.desired, ps.total = true, to, total
	d.st.pools[p.Name] = ps
}

// roundTolerance is the part of a replica that allocations may exceed a
// whole number by and still round down, so that a forecast decaying towards
// zero reaches zero.
const roundTolerance = 0.01

// roundUp returns the replicas that cover x fractional replicas.
func roundUp(x float64) int {
	if !(x > roundTolerance) {
		return 0
	}
	return int(math.Ceil(x - roundTolerance))
}
