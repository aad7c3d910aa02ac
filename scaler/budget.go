package scaler

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// dailyThresholds are the fractions of the daily budget whose crossing by
// the projected spending is reported, once a day each.
var dailyThresholds = [...]float64{0.5, 0.8, 1}

// costTolerance absorbs rounding in sums of prices, USD per hour.
const costTolerance = 1e-9

// budget cuts the plan to the budget's ceiling, the capacity that costs
// most per inference served within its pool's hold window first and
// never below a pool's Min (see cutOrder); then works out each
// tier's capacity, what admission should shed, and the daily spend events.
func (d *decision) budget() {
	ceiling, what := d.ceiling()
	if cost := d.desiredCost(); cost > ceiling+costTolerance {
		d.cutTo(ceiling, what, cost)
	}
	for ti := range d.spec.tiers {
		d.admit(ti)
	}
	d.dailySpend()
}

// ceiling returns the highest price per hour the plan may have and what
// sets it: PerHour, or what keeps the day's spending within PerDay if it
// runs at that price until midnight. +Inf when there is no budget.
func (d *decision) ceiling() (float64, string) {
	c, what := math.Inf(1), ""
	b := d.cfg.Budget
	if b.PerHour > 0 {
		c, what = b.PerHour, fmt.Sprintf("budget %.2f $/h", b.PerHour)
	}
	if b.PerDay > 0 {
		left := midnight(d.now).AddDate(0, 0, 1).Sub(d.now).Hours()
		if perHour := max(b.PerDay-d.st.spend.usd, 0) / left; perHour < c {
			c, what = perHour, fmt.Sprintf("daily budget %.2f $ (%.2f $ spent)", b.PerDay, d.st.spend.usd)
		}
	}
	return c, what
}

// desiredCost returns the price of the desired sizes, USD per hour.
func (d *decision) desiredCost() float64 {
	c := 0.0
	for pi, p := range d.spec.pools {
		c += p.CostPerHour(d.pools[pi].desired)
	}
	return c
}

// cutTo removes replicas, those that cost most per inference served
// within their pool's hold window first (see cutOrder), until the plan
// costs no more than ceiling or only minimums and free pools are left.
func (d *decision) cutTo(ceiling float64, what string, cost float64) {
	before := cost
	for _, l := range d.cutOrder() {
		p, w := &d.spec.pools[l.pool], &d.pools[l.pool]
		n := 0
		for ; cost > ceiling+costTolerance && n < l.n; n++ {
			cost -= p.PricePerHour
		}
		if n > 0 {
			w.desired -= n
			w.why = reason{ChangeBudget, fmt.Sprintf("%s: cut %s replicas, dearest per inference served within %v first (%.2f $/M)",
				what, l.state, l.horizon.Round(time.Second), l.cost)}
			d.cut = true
		}
	}
	msg := fmt.Sprintf("%s: plan cut from %.2f to %.2f $/h", what, before, cost)
	if cost > ceiling+costTolerance {
		msg += "; the minimums alone cost more"
	}
	d.event(Event{Kind: EventBudgetCut, Message: msg})
}

// stateStarting is the state of a cut layer of starting replicas.
const stateStarting = "starting"

// stateBusy is the state of a cut layer of ready replicas that carry
// their pool's traffic now, which a cut takes last.
const stateBusy = "busy"

// cutLayer is a pool's replicas in one state of their start, which a cut
// takes together.
type cutLayer struct {
	pool    int
	n       int
	state   string        // "unstarted", "starting", "ready" or "busy"
	cost    float64       // USD per million inferences served within horizon; +Inf for none
	horizon time.Duration // the pool's hold window (Spec.holdFor)
	delay   time.Duration // until the replicas serve, on average
}

// cutOrder returns the replicas above each pool's Min in the order a cut
// takes them: every other replica before those that serve now (see
// servesNow: ready ones that carry the pool's traffic, starting ones
// about to), since a cut made while capacity starts (in a surge) must
// keep what serves now over what serves in a minute — the surge may be
// over by then, and the queue that ready capacity holds down grows at
// once without it. Within each group, those that cost most
// per inference served within their pool's hold window go first (pools
// that serve no tier first of all; ties: the dearer pool per inference).
// The hold window is the least a replica kept now is kept (rent-or-buy),
// and a replica serves from when it is ready: ready ones at once,
// starting ones half a cold start from now on average, those not started
// yet a cold start from now. So within a pool the unstarted go first,
// then the starting, then the ready; replicas of a slow pool that would
// serve a small part of their window go before a fast pool's that serve
// sooner, though the slow pool is cheaper per inference at full use; and
// ready replicas beyond the traffic (a dear pool the router has left for
// a cheaper one) may still fund cheaper capacity that starts.
func (d *decision) cutOrder() []cutLayer {
	var ls []cutLayer
	for pi := range d.spec.pools {
		ls = append(ls, d.cutLayers(pi)...)
	}
	slices.SortStableFunc(ls, func(a, b cutLayer) int {
		if ar, br := d.servesNow(a), d.servesNow(b); ar != br {
			if ar {
				return 1
			}
			return -1
		}
		if c := cmpFloat(b.cost, a.cost); c != 0 {
			return c
		}
		return cmpFloat(d.spec.pools[b.pool].cost, d.spec.pools[a.pool].cost)
	})
	return ls
}

// cutLayers returns pool pi's replicas above its Min by state, those a
// cut takes first first; none for a free pool.
func (d *decision) cutLayers(pi int) []cutLayer {
	p, w := &d.spec.pools[pi], &d.pools[pi]
	if !(p.PricePerHour > 0) {
		return nil
	}
	ready := min(w.snap.Ready, w.desired)
	starting := min(w.snap.Starting, w.desired-ready)
	busy := min(d.busy(p, w.snap), ready)
	h, left := d.spec.holdFor(pi), w.desired-p.Min
	var ls []cutLayer
	for _, l := range []struct {
		state string
		n     int
		delay time.Duration
	}{
		{"unstarted", w.desired - ready - starting, p.ColdStart},
		{stateStarting, starting, p.ColdStart / 2},
		{"ready", ready - busy, 0},
		{stateBusy, busy, 0},
	} {
		n := min(l.n, left)
		if n <= 0 {
			continue
		}
		left -= n
		ls = append(ls, cutLayer{pool: pi, n: n, state: l.state, cost: servedCost(p.cost, h, l.delay), horizon: h, delay: l.delay})
	}
	return ls
}

// servesNow reports whether a cut keeps layer l last, as capacity that
// serves now: ready replicas the traffic keeps busy, and starting ones
// that serve within QueueDrainTarget on average, as soon as a queue is
// meant to drain.
func (d *decision) servesNow(l cutLayer) bool {
	return l.state == stateBusy || (l.state == stateStarting && l.delay <= d.cfg.QueueDrainTarget)
}

// busy returns the replicas of pool p that its traffic now keeps busy:
// those that serve its arrivals and drain its queue within
// QueueDrainTarget (the queue floor, see floors).
func (d *decision) busy(p *poolSpec, s PoolSnapshot) int {
	_, thr, _ := target(p, s)
	if !(thr > 0) {
		return 0
	}
	return roundUp((s.ArrivalRate + float64(s.Queued)/d.cfg.QueueDrainTarget.Seconds()) / thr)
}

// servedCost returns the USD per million inferences of a replica that
// costs perMillion at full use and serves from delay on, over horizon:
// +Inf when it would not serve within it.
func servedCost(perMillion float64, horizon, delay time.Duration) float64 {
	if delay >= horizon {
		return math.Inf(1)
	}
	return perMillion * float64(horizon) / float64(horizon-delay)
}

// admit works out tier ti's planned capacity and, when the budget cut the
// plan and the tier falls short of what arrives now, how far admission
// sheds: low first, then normal, then fallback models, each once the
// shortfall exceeds what the classes shed before it bring.
func (d *decision) admit(ti int) {
	w := &d.tiers[ti]
	w.capacity = d.plannedCapacity(ti)
	short := w.needNow - w.capacity
	if !d.cut || !(short > 0) {
		return
	}
	w.shed = ShedLow
	if short > w.snap.LowRate {
		w.shed = ShedNormal
	}
	w.fallback = short > w.snap.LowRate+w.snap.NormalRate
}

// plannedCapacity returns the items/s the desired sizes give tier ti at its
// SLO: each pool counted for the tier's part of what the fills placed on
// it (an equal split among its tiers when they placed nothing).
func (d *decision) plannedCapacity(ti int) float64 {
	w, c := &d.tiers[ti], 0.0
	for i, m := range d.spec.tiers[ti].members {
		pw := &d.pools[m.pool]
		part := 1 / float64(len(d.spec.pools[m.pool].tiers))
		if pw.alloc > 0 {
			part = w.alloc[i] / pw.alloc
		}
		c += float64(pw.desired) * part * m.thr
	}
	return c
}

// dailySpend reports each daily threshold the day's projected spending
// (spent so far plus the plan's price until midnight) crosses, once a day.
func (d *decision) dailySpend() {
	perDay := d.cfg.Budget.PerDay
	if perDay <= 0 {
		return
	}
	left := midnight(d.now).AddDate(0, 0, 1).Sub(d.now)
	projected := d.st.spend.usd + d.desiredCost()*left.Hours()
	for s := &d.st.spend; s.alerted < len(dailyThresholds); s.alerted++ {
		f := dailyThresholds[s.alerted]
		if projected < f*perDay*(1-1e-9) {
			break
		}
		d.event(Event{Kind: EventDailySpend, Fraction: f, Message: fmt.Sprintf(
			"projected spending today %.2f $ crosses %.0f%% of the daily budget %.2f $ (%.2f $ spent by %s)",
			projected, 100*f, perDay, s.usd, d.now.Format(time.TimeOnly))})
	}
}
