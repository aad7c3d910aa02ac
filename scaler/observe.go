package scaler

import (
	"fmt"
	"time"
)

// observe updates the forecasts, panic modes, spot back-offs and the day's
// spending from the snapshot.
func (d *decision) observe() {
	for pi := range d.spec.pools {
		d.observePool(pi)
	}
	for ti := range d.spec.tiers {
		d.observeTier(ti)
	}
	d.observeSpend()
}

func (d *decision) observePool(pi int) {
	p := &d.spec.pools[pi]
	w, ps := &d.pools[pi], d.st.pools[p.Name]
	w.snap = d.snap.pool(p.Name)
	w.readyLeft = float64(w.snap.Ready)
	if d.fresh {
		ps.arrivals = addSample(ps.arrivals, d.now, w.snap.ArrivalRate, d.cfg.QueueDrainTarget)
	}
	w.arrivalMean = meanSince(ps.arrivals, d.now, d.cfg.QueueDrainTarget)
	if p.Spot {
		ps = d.spot(p.Name, ps, w.snap)
		w.suspended = !ps.spotUntil.IsZero()
	}
	d.st.pools[p.Name] = ps
}

// spot starts a spot pool's back-off when it lost workers: those the
// driver reports interrupted, or those that vanished from what the
// previous plan kept. It ends the back-off once SpotBackoff has passed
// since the last loss and the pool's ready replicas are back to what it
// had when it lost them.
func (d *decision) spot(name string, ps poolState, s PoolSnapshot) poolState {
	lost := s.Interrupted
	if ps.seen {
		lost = max(lost, min(ps.total, ps.desired)-(s.Ready+s.Starting))
	}
	switch {
	case lost > 0:
		ps.retry = max(ps.retry, ps.desired, s.Ready+s.Starting+lost)
		ps.spotUntil = d.now.Add(d.cfg.SpotBackoff)
		d.event(Event{Kind: EventSpotLost, Pool: name, Message: fmt.Sprintf(
			"%s lost %d workers; other pools cover them, spot retried at %d, back-off until %s",
			name, lost, ps.retry, ps.spotUntil.Format(time.TimeOnly))})
	case !ps.spotUntil.IsZero() && !d.now.Before(ps.spotUntil) && s.Ready >= ps.retry:
		ps.spotUntil, ps.retry = time.Time{}, 0
		d.event(Event{Kind: EventSpotRestored, Pool: name, Message: fmt.Sprintf(
			"%s has %d ready workers again; it takes its share back", name, s.Ready)})
	}
	return ps
}

func (d *decision) observeTier(ti int) {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	ts := d.st.tiers[t.Name]
	w.snap = d.snap.tier(t.Name)
	x := w.snap.ArrivalRate
	if d.fresh {
		ts.holt = ts.holt.update(x, d.dt, d.cfg.Forecast.Alpha, d.cfg.Forecast.Beta, d.cfg.Forecast.ErrorGain)
		ts.samples = addSample(ts.samples, d.now, x, max(d.cfg.PanicWindow, d.spec.burstSpan(ti)))
		ts.levels = addSample(ts.levels, d.now, ts.holt.level, max(d.spec.longestLead(ti), d.cfg.PanicWindow)+time.Nanosecond)
		d.learnBurst(ti, &ts)
		ts.high = d.highShare(ts.high, w.snap)
	}
	w.panicRate = meanSince(ts.samples, d.now, d.cfg.PanicWindow)
	w.headroom = headroom(ts, levelSince(ts.levels, d.now, d.spec.burstSpan(ti)))
	w.slope = pace(ts.levels, d.now, d.cfg.PanicWindow)
	w.readyCap = d.readyCapacity(ti)
	d.st.tiers[t.Name] = d.panicMode(t.Name, ts, w)
}

// highShare returns the share of high-priority items in the tier's
// arrivals, smoothed as the forecast's level is (Forecast.Alpha) from
// prev: the arrivals less the low and normal classes, so that arrivals of
// unknown class count as high. A snapshot without arrivals keeps prev.
func (d *decision) highShare(prev float64, s TierSnapshot) float64 {
	if !(s.ArrivalRate > 0) {
		return prev
	}
	share := max(s.ArrivalRate-s.LowRate-s.NormalRate, 0) / s.ArrivalRate
	if prev == 0 {
		return share
	}
	return prev + d.cfg.Forecast.Alpha*(share-prev)
}

// readyCapacity returns the items/s that tier ti's ready replicas serve at
// its SLO, counting a shared pool for the tier's share of it.
func (d *decision) readyCapacity(ti int) float64 {
	c := 0.0
	for _, m := range d.spec.tiers[ti].members {
		c += float64(d.pools[m.pool].snap.Ready) * m.thr * d.share(ti, m.pool)
	}
	return c
}

// share returns the part of pool pi that serves tier ti: the tier's part of
// the replicas the previous decision placed on the pool, or an equal split
// among the pool's tiers when it placed none.
func (d *decision) share(ti, pi int) float64 {
	p := &d.spec.pools[pi]
	mine, total := 0.0, 0.0
	for _, tj := range p.tiers {
		a := d.st.tiers[d.spec.tiers[tj].Name].alloc[p.Name]
		total += a
		if tj == ti {
			mine = a
		}
	}
	if total > 0 {
		return mine / total
	}
	return 1 / float64(len(p.tiers))
}

// panicMode enters panic mode when the panic window's demand exceeds
// PanicThreshold times the ready capacity (any demand on no ready capacity
// counts), and leaves it after Stabilization without that.
func (d *decision) panicMode(name string, ts tierState, w *tierWork) tierState {
	surge := w.panicRate > 0 && w.panicRate > d.cfg.PanicThreshold*w.readyCap
	switch {
	case surge && ts.panicSince.IsZero():
		ts.panicSince = d.now
		d.event(Event{Kind: EventPanic, Tier: name, Message: fmt.Sprintf(
			"%s: %.0f rps over %.0f%% of ready capacity %.0f rps", name, w.panicRate, 100*d.cfg.PanicThreshold, w.readyCap)})
	case !surge && !ts.panicSince.IsZero() && d.now.Sub(ts.panicLast) >= d.cfg.Stabilization:
		d.event(Event{Kind: EventCalm, Tier: name, Message: fmt.Sprintf(
			"%s: calm for %v after a panic of %v", name, d.cfg.Stabilization, ts.panicLast.Sub(ts.panicSince))})
		ts.panicSince, ts.panicLast = time.Time{}, time.Time{}
	}
	if surge {
		ts.panicLast = d.now
	}
	w.panic = !ts.panicSince.IsZero()
	return ts
}

// observeSpend adds the observed fleet's price over the time since the
// previous decision to the day's spending, starting afresh at midnight.
func (d *decision) observeSpend() {
	perHour := 0.0
	for pi, p := range d.spec.pools {
		s := d.pools[pi].snap
		perHour += p.CostPerHour(s.Ready + s.Starting)
	}
	dt, day := d.dt, midnight(d.now)
	if !day.Equal(d.st.spend.day) {
		d.st.spend = spend{day: day}
		dt = min(dt, d.now.Sub(day))
	}
	d.st.spend.usd += perHour * dt.Hours()
}

// midnight returns the start of t's day in t's location.
func midnight(t time.Time) time.Time {
	y, m, day := t.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, t.Location())
}
