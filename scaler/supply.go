package scaler

import (
	"fmt"
	"time"
)

// fill places every tier's demand on its pools, cheapest per inference
// first; see the package documentation for the rule.
func (d *decision) fill() {
	for _, ti := range d.spec.order {
		d.fillTier(ti)
	}
}

// demandAt returns the items/s tier ti must be able to serve lead from
// now: the forecast plus its error band, or the panic demand when the tier
// panics and that is higher.
func (d *decision) demandAt(ti int, lead time.Duration) float64 {
	h := d.st.tiers[d.spec.tiers[ti].Name].holt
	r := h.forecast(lead) + d.cfg.Forecast.ErrorBand*h.mae
	if w := &d.tiers[ti]; w.panic {
		r = max(r, w.panicRate)
	}
	return r
}

func (d *decision) fillTier(ti int) {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	h := d.st.tiers[t.Name].holt
	w.demand = d.demandAt(ti, 0)
	w.needNow = h.level
	if w.panic {
		w.needNow = max(w.needNow, w.panicRate)
	}
	w.alloc = make([]float64, len(t.members))
	w.readyUsed = make([]float64, len(t.members))
	spot := 0.0 // items/s placed on spot pools so far
	for i, m := range t.members {
		p := &d.spec.pools[m.pool]
		want := d.demandAt(ti, p.ColdStart)
		need := want - d.availableAt(ti, i, p.ColdStart)
		if p.Spot {
			need = min(need, d.cfg.SpotShareMax*want-spot)
		}
		n := d.place(ti, i, need/m.thr)
		if p.Spot {
			spot += n * m.thr
		}
		if n > 0 {
			d.explainFill(ti, m.pool, n, want)
		}
	}
}

// availableAt returns the items/s that the members of tier ti before
// member i will serve lead from now: what was placed on those that start
// within lead, and only the ready part of what was placed on the others and
// on spot pools in back-off.
func (d *decision) availableAt(ti, i int, lead time.Duration) float64 {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	c := 0.0
	for j, m := range t.members[:i] {
		n := w.readyUsed[j]
		if p := &d.spec.pools[m.pool]; p.ColdStart <= lead && !d.pools[m.pool].suspended {
			n = w.alloc[j]
		}
		c += n * m.thr
	}
	return c
}

// place puts up to want replicas of tier ti on its member i, within the
// pool's Max less what other tiers placed, and within its ready replicas
// while it is a spot pool in back-off; it returns the replicas placed.
func (d *decision) place(ti, i int, want float64) float64 {
	w, pi := &d.tiers[ti], d.spec.tiers[ti].members[i].pool
	pw := &d.pools[pi]
	n := min(want, float64(d.spec.pools[pi].Max)-pw.alloc)
	if pw.suspended {
		n = min(n, pw.readyLeft)
	}
	if !(n > 0) {
		return 0
	}
	used := min(n, pw.readyLeft)
	w.alloc[i], w.readyUsed[i] = n, used
	pw.alloc += n
	pw.readyLeft -= used
	return n
}

// explainFill records why tier ti placed n replicas on pool pi, if that is
// the largest part any tier placed there.
func (d *decision) explainFill(ti, pi int, n, want float64) {
	pw, w := &d.pools[pi], &d.tiers[ti]
	if n <= pw.fillTop {
		return
	}
	what := "forecast"
	if w.panic && w.panicRate >= want {
		what = "panic"
	}
	rel := "over"
	if want <= w.readyCap {
		rel = "under"
	}
	why := fmt.Sprintf("%s %s %.0f rps %s %.0f at SLO", d.spec.tiers[ti].Name, what, want, rel, w.readyCap)
	if lost := d.lostSpot(ti, pi); lost != "" {
		why += "; covering " + lost + "'s lost workers"
	}
	pw.fillTop, pw.fillWhy = n, why
}

// lostSpot names a spot pool of tier ti in back-off that is cheaper than
// pool pi, whose lost share pi may be covering; "" if none.
func (d *decision) lostSpot(ti, pi int) string {
	for _, m := range d.spec.tiers[ti].members {
		if m.pool == pi {
			return ""
		}
		if d.pools[m.pool].suspended {
			return d.spec.pools[m.pool].Name
		}
	}
	return ""
}
