package scaler

import (
	"maps"
	"slices"
	"time"
)

// State is what Decide remembers between decisions: forecasts, recent
// arrival rates, panic and spot timers, the stabilization windows, the
// previous plan's sizes and the day's spending. The zero value is a State
// that has seen nothing. Decide never modifies the State it is given; pass
// the one it returns to the next call. A State is not safe for concurrent
// modification, but Decide only reads its argument.
type State struct {
	at    time.Time // of the previous decision; zero before the first
	tiers map[string]tierState
	pools map[string]poolState
	spend spend
}

// tierState is what a tier remembers.
type tierState struct {
	holt    holt
	samples []sample // arrival rates of the last panic window or burst span
	// levels are the forecast's levels over the longest cold start of
	// the tier's pools, or the panic window when longer.
	levels []sample
	// panicSince is when the current panic began, panicLast when its
	// condition last held; both zero when not in panic.
	panicSince, panicLast time.Time
	// burst is the largest excess of a burst span's mean rate over the
	// level before it, decaying by half every BurstMemory; peak is the
	// largest such mean (see headroom).
	burst, peak float64
	// alloc is the previous decision's fractional replicas per pool, which
	// splits a shared pool's ready capacity among its tiers.
	alloc map[string]float64
	// high is the smoothed share of high-priority items in the arrivals.
	high float64
}

// poolState is what a pool remembers.
type poolState struct {
	seen    bool      // decided on before
	desired int       // the previous plan's size
	total   int       // ready + starting at the previous decision
	window  maxWindow // recommendations of the stabilization window
	// spotUntil ends a spot pool's back-off; zero when not backing off.
	spotUntil time.Time
	// retry is the size a backing-off spot pool keeps asking for: the
	// plan's size when it lost workers.
	retry int
	// arrivals are the pool's arrival rates of the last QueueDrainTarget.
	arrivals []sample
}

// spend accumulates the day's spending.
type spend struct {
	day     time.Time // midnight starting the day being summed
	usd     float64   // spent since day, USD
	alerted int       // daily thresholds already reported today
}

// At returns the time of the decision that produced s; zero for a State
// that has seen none.
func (s State) At() time.Time { return s.at }

// SpentToday returns the USD the fleet is estimated to have cost since
// midnight of the day of the last decision, from the replicas observed at
// each decision.
func (s State) SpentToday() float64 { return s.spend.usd }

// clone returns a deep copy of s, which the caller may modify.
func (s State) clone() State {
	c := State{at: s.at, spend: s.spend, tiers: map[string]tierState{}, pools: map[string]poolState{}}
	for name, t := range s.tiers {
		t.samples = slices.Clone(t.samples)
		t.levels = slices.Clone(t.levels)
		t.alloc = maps.Clone(t.alloc)
		c.tiers[name] = t
	}
	for name, p := range s.pools {
		p.window = slices.Clone(p.window)
		p.arrivals = slices.Clone(p.arrivals)
		c.pools[name] = p
	}
	return c
}
