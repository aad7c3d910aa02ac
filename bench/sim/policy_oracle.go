package sim

import (
	"math"
	"time"
)

// oracle knows the whole scenario. For every second it computes the
// cheapest fleet that serves that second's expected demand at full
// utilization, with the pools that are up and the prices of that second,
// and asks for each replica exactly one cold start ahead of the second
// that needs it. A replica needed again within a cold start is kept
// rather than restarted, since a restart would cost at least as much.
// Spot interruptions it cannot foresee; the simulator replaces lost
// replicas at the next decision. It is a lower bound on cost, not a
// policy that meets the SLO.
type oracle struct {
	plan [][]int // plan[s] is the fleet to have, ready or starting, during second s
}

var _ Policy = (*oracle)(nil)

// newOracle returns the oracle for the scenario of s.
func newOracle(s Setup) (Policy, error) {
	f := s.Fleet
	n := max(len(s.Trace.Seconds), 1)
	need := make([][]int, n)
	z := newSizer(f)
	sc := newScript(f, s.Events)
	for sec := range n {
		avail, prices := sc.at(sec)
		var d demand
		if sec < len(s.Trace.Seconds) {
			d = secondDemand(s.Trace.Seconds[sec])
		}
		need[sec] = z.cheapest(d, 1, avail, prices)
	}
	return &oracle{plan: lookAhead(f, need)}, nil
}

// lookAhead returns, per second and pool, the most replicas any second of
// the next cold start needs, so that each is requested one cold start
// before it must be ready and none is stopped to be started again within
// a cold start.
func lookAhead(f *Fleet, need [][]int) [][]int {
	plan := make([][]int, len(need))
	for sec := range need {
		plan[sec] = make([]int, len(f.Pools))
		for i, p := range f.Pools {
			ahead := int(math.Ceil(p.ColdStart.Seconds()))
			for k := sec; k <= min(sec+ahead, len(need)-1); k++ {
				plan[sec][i] = max(plan[sec][i], need[k][i])
			}
		}
	}
	return plan
}

// Start returns the plan of second 0.
func (p *oracle) Start(*Observation) []int { return p.plan[0] }

// Decide returns the plan of the current second (the last second's once
// the trace has ended).
func (p *oracle) Decide(obs *Observation) Decision {
	sec := min(int(obs.Now/time.Second), len(p.plan)-1)
	return Decision{Replicas: p.plan[sec]}
}

// script replays the scripted events that change what capacity exists:
// which pools are up and what they cost, second by second.
type script struct {
	events []Event
	next   int
	avail  []bool
	prices []float64
	index  func(string) int
}

// newScript returns the script of events over f, every pool up at its
// configured price. Events naming unknown pools are ignored here (Run
// rejects them).
func newScript(f *Fleet, events []Event) *script {
	sc := &script{events: events, index: f.PoolIndex}
	sc.avail, sc.prices = make([]bool, len(f.Pools)), make([]float64, len(f.Pools))
	for i, p := range f.Pools {
		sc.avail[i], sc.prices[i] = true, p.PricePerHour
	}
	return sc
}

// at applies the events up to second sec (seconds must not decrease from
// one call to the next) and returns the availability and prices then.
// The slices are the script's; they change on the next call.
func (sc *script) at(sec int) ([]bool, []float64) {
	for ; sc.next < len(sc.events) && sc.events[sc.next].Second <= sec; sc.next++ {
		ev := sc.events[sc.next]
		i := sc.index(ev.Pool)
		if i < 0 {
			continue
		}
		switch ev.Kind {
		case PoolDown:
			sc.avail[i] = false
		case PoolUp:
			sc.avail[i] = true
		case Price:
			sc.prices[i] = ev.Value
		}
	}
	return sc.avail, sc.prices
}
