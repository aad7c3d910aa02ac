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

// budget cuts the plan to the budget's ceiling, the dearest capacity per
// inference first and never below a pool's Min; then works out each
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

// cutTo removes replicas, the dearest per inference first, until the plan
// costs no more than ceiling or only minimums and free pools are left.
func (d *decision) cutTo(ceiling float64, what string, cost float64) {
	before := cost
	for _, pi := range d.cutOrder() {
		p, w := &d.spec.pools[pi], &d.pools[pi]
		n := w.desired
		for cost > ceiling+costTolerance && n > p.Min && p.PricePerHour > 0 {
			n--
			cost -= p.PricePerHour
		}
		if n < w.desired {
			w.desired = n
			w.why = reason{ChangeBudget, fmt.Sprintf("%s: cut dearest per inference first (%.2f $/M)", what, p.cost)}
			d.cut = true
		}
	}
	msg := fmt.Sprintf("%s: plan cut from %.2f to %.2f $/h", what, before, cost)
	if cost > ceiling+costTolerance {
		msg += "; the minimums alone cost more"
	}
	d.event(Event{Kind: EventBudgetCut, Message: msg})
}

// cutOrder returns the pool indexes, dearest per inference first (pools
// that serve no tier first of all).
func (d *decision) cutOrder() []int {
	order := make([]int, len(d.spec.pools))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmpFloat(d.spec.pools[b].cost, d.spec.pools[a].cost)
	})
	return order
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
