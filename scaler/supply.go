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
// now: the forecast plus its error band or its burst headroom, the larger
// (see headroom), its trend no faster than the level rose over the panic
// window (see pace). In a panic, the forecast counts for a pool only as
// far as it has lasted the pool's cold start (see sustained), and the
// panic demand, the rate observed, counts for it as panicAt says.
func (d *decision) demandAt(ti int, lead time.Duration) float64 {
	ts, w := d.st.tiers[d.spec.tiers[ti].Name], &d.tiers[ti]
	r := ts.holt.forecast(lead, d.cfg.Forecast.Damping, w.slope)
	if w.panic {
		r = min(r, sustained(ts.levels, d.now, lead, ts.holt.level))
	}
	if d.withHeadroom {
		r += max(d.band(ti), w.headroom)
	} else {
		r += d.band(ti)
	}
	if d.panicAt(ti, lead) {
		r = max(r, w.panicRate)
	}
	return r
}

// band returns tier ti's forecast error band, items/s.
func (d *decision) band(ti int) float64 {
	return d.cfg.Forecast.ErrorBand * d.st.tiers[d.spec.tiers[ti].Name].holt.mae
}

// panicAt reports whether tier ti's panic demand counts for a pool that
// takes lead to start: the tier panics, and its surge has either lasted
// lead, the panic window included, or outlasted a whole panic window. A
// surge whose mean has stayed over the panic threshold for a window is a
// shift of the level, not a blip: waiting a slow pool's cold start more
// before starting it leaves the tier short for two cold starts (a tier
// whose only pools are slow has nothing to bridge with), while a surge
// that ends within the cold start costs the replicas' scale-down window.
func (d *decision) panicAt(ti int, lead time.Duration) bool {
	return d.tiers[ti].panic && (d.surgeAge(ti) >= d.cfg.PanicWindow || d.lastedLead(ti, lead))
}

// lastedLead reports whether tier ti panics and its surge, panic window
// included, has lasted lead.
func (d *decision) lastedLead(ti int, lead time.Duration) bool {
	return d.tiers[ti].panic && lead <= d.surgeAge(ti)+d.cfg.PanicWindow
}

// surgeAge returns how long tier ti has been in panic.
func (d *decision) surgeAge(ti int) time.Duration {
	return d.now.Sub(d.st.tiers[d.spec.tiers[ti].Name].panicSince)
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
			d.explainFill(ti, m.pool, n, want, d.panicAt(ti, p.ColdStart))
		}
	}
	d.consolidate(ti)
	d.onDemandFloor(ti)
}

// consolidate moves what tier ti placed on a member to a cheaper member
// that starts at least as fast, whenever the whole replicas that adds
// there cost less per hour than those it saves: a forecast a few items/s
// higher at a slow pool's longer lead, or a part the cheaper pool's
// rounding already covers, must not start a replica of a dearer pool.
func (d *decision) consolidate(ti int) {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	for i := len(t.members) - 1; i > 0; i-- {
		for j := 0; j < i && w.alloc[i] > 0; j++ {
			if d.cheaperOn(ti, i, j) {
				d.move(ti, i, j)
			}
		}
	}
}

// cheaperOn reports whether the replicas tier ti placed on its member
// from would cost less per hour on its member to, which must start at
// least as fast, have room under its Max and not be a spot pool in
// back-off or under a spot cap.
func (d *decision) cheaperOn(ti, from, to int) bool {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	src, dst := t.members[from], t.members[to]
	ps, pd := &d.spec.pools[src.pool], &d.spec.pools[dst.pool]
	ws, wd := &d.pools[src.pool], &d.pools[dst.pool]
	if pd.ColdStart > ps.ColdStart || wd.suspended || (pd.Spot && d.cfg.SpotShareMax < 1) {
		return false
	}
	n := w.alloc[from] * src.thr / dst.thr
	if wd.alloc+n > float64(pd.Max) {
		return false
	}
	added := roundUp(wd.alloc+n) - roundUp(wd.alloc)
	saved := roundUp(ws.alloc) - roundUp(ws.alloc-w.alloc[from])
	return float64(added)*pd.PricePerHour < float64(saved)*ps.PricePerHour
}

// move takes everything tier ti placed on its member from to its member
// to, converted at the two pools' throughputs, ready replicas first.
func (d *decision) move(ti, from, to int) {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	src, dst := t.members[from], t.members[to]
	ws, wd := &d.pools[src.pool], &d.pools[dst.pool]
	n := w.alloc[from] * src.thr / dst.thr
	ws.alloc -= w.alloc[from]
	ws.readyLeft += w.readyUsed[from]
	w.alloc[from], w.readyUsed[from] = 0, 0
	used := min(n, wd.readyLeft)
	wd.alloc += n
	wd.readyLeft -= used
	w.alloc[to] += n
	w.readyUsed[to] += used
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
// the largest part any tier placed there; panicked says whether the panic
// demand counted for the pool.
func (d *decision) explainFill(ti, pi int, n, want float64, panicked bool) {
	pw, w := &d.pools[pi], &d.tiers[ti]
	if n <= pw.fillTop {
		return
	}
	what := ChangeForecast
	if panicked && w.panicRate >= want {
		what = ChangePanic
	}
	rel := "over"
	if want <= w.readyCap {
		rel = "under"
	}
	why := fmt.Sprintf("%s %s %.0f rps %s %.0f at SLO", d.spec.tiers[ti].Name, what, want, rel, w.readyCap)
	if w.headroom > d.band(ti) {
		why += fmt.Sprintf(" with %.0f rps burst headroom", w.headroom)
	}
	if lost := d.lostSpot(ti, pi); lost != "" {
		why += "; covering " + lost + "'s lost workers"
	}
	pw.fillTop, pw.fillWhy = n, reason{what, why}
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
