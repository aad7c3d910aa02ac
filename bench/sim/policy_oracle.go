package sim

import (
	"fmt"
	"math"
	"time"
)

// oracle knows the whole scenario: a hindsight plan at a utilization cap.
// For every second it computes the cheapest fleet that serves that
// second's expected demand with every replica busy at most the cap, with
// the pools that can serve then (up, and a cold start past a pool_up)
// and the prices of that second, and asks for each
// replica exactly one cold start ahead of the second that needs it. A
// replica needed again within a cold start is kept rather than
// restarted, since a restart would cost at least as much, and one is
// never stopped within the minimum billing time it pays for anyway. Spot
// interruptions it cannot foresee; the simulator replaces lost replicas
// at the next decision.
//
// At cap 1 (the "oracle" policy of the matrix) it ignores queueing near
// full load and misses the SLO, so it is neither a feasible policy nor a
// bound on cost. At a cap whose run meets an SLO level it is a feasible
// plan, hence an upper bound on the cost of the best policy at that
// level; LowerBound gives the other side.
type oracle struct {
	plan [][]int // plan[s] is the fleet to have, ready or starting, during second s
}

var _ Policy = (*oracle)(nil)

// OracleAt returns the hindsight plan at utilization cap, in (0, 1]; a
// cap outside fails with ErrPolicy when the policy is built.
func OracleAt(cap float64) NewPolicyFunc {
	return func(s Setup) (Policy, error) { return newOracleAt(s, cap) }
}

// newOracle returns the oracle at full utilization.
func newOracle(s Setup) (Policy, error) { return newOracleAt(s, 1) }

// newOracleAt returns the hindsight plan at cap for the scenario of s.
func newOracleAt(s Setup, cap float64) (Policy, error) {
	if !(cap > 0 && cap <= 1) {
		return nil, fmt.Errorf("%w: oracle: utilization cap %v, want (0, 1]", ErrPolicy, cap)
	}
	f := s.Fleet
	n := max(len(s.Trace.Seconds), 1)
	need, up := make([][]int, n), make([]uint64, n)
	z := newSizer(f)
	sc := newScript(f, s.Events)
	ready := newReadiness(f)
	for sec := range n {
		avail, prices := sc.at(sec)
		var d demand
		if sec < len(s.Trace.Seconds) {
			d = secondDemand(s.Trace.Seconds[sec])
		}
		need[sec], up[sec] = z.cheapest(d, cap, ready.at(sec, avail), prices), availBits(avail)
	}
	plan := lookAhead(f, need)
	holdForBilling(f, plan, up)
	return &oracle{plan: plan}, nil
}

// readiness tells, second by second, which pools can have ready replicas:
// a pool that comes back up (pool_up) starts empty and serves only a cold
// start later.
type readiness struct {
	cold    []int // each pool's cold start, whole seconds
	upSince []int // the first second of each pool's current time up
	usable  []bool
}

// newReadiness returns the readiness of f's pools, every one up and warm
// from the start.
func newReadiness(f *Fleet) *readiness {
	r := &readiness{cold: make([]int, len(f.Pools)), upSince: make([]int, len(f.Pools)), usable: make([]bool, len(f.Pools))}
	for i, p := range f.Pools {
		r.cold[i], r.upSince[i] = int(math.Ceil(p.ColdStart.Seconds())), math.MinInt32
	}
	return r
}

// at returns, for second sec (not decreasing from one call to the next)
// with the pools avail then, the pools that may serve in it. The slice
// is the readiness's; it changes on the next call.
func (r *readiness) at(sec int, avail []bool) []bool {
	for i, a := range avail {
		if !a {
			r.upSince[i] = sec + 1
		}
		r.usable[i] = a && sec >= r.upSince[i]+r.cold[i]
	}
	return r.usable
}

// holdForBilling raises plan so that no replica stops within
// f.MinBilling of its start: stopping it sooner saves nothing and a
// restart would pay the minimum again. Replicas stop oldest first; a
// pool that is down (up, a bit per pool per second) holds none.
func holdForBilling(f *Fleet, plan [][]int, up []uint64) {
	hold := int(math.Ceil(f.MinBilling.Seconds()))
	for i := range f.Pools {
		var starts []int // seconds of the replicas started within hold, oldest first
		alive := 0
		for sec := range plan {
			for len(starts) > 0 && starts[0] <= sec-hold {
				starts = starts[1:]
			}
			if up[sec]&(1<<i) == 0 {
				alive, starts = 0, starts[:0]
				continue
			}
			want := plan[sec][i]
			for ; alive < want; alive++ {
				starts = append(starts, sec)
			}
			alive = max(want, len(starts))
			plan[sec][i] = alive
		}
	}
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
