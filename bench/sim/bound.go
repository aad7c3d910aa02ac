package sim

import (
	"fmt"
	"math"
)

// LowerBound returns a lower bound, in USD, on what serving every
// request of a trace costs on f, following the scripted events: the sum
// over the trace's seconds of the cheapest fleet for that second's
// expected rows, where replicas may be fractions, every replica is busy
// all the time at its best throughput within the SLO (the largest batch
// whose latency fits the whole SLO), every pool that is up pays for its
// Min and offers at most its Max, and pools cost that second's prices.
// Cold starts, minimum billing, queueing and spot interruptions only add
// to a real run's cost.
//
// A run may fail some requests and pay less than serving all of them;
// the bound is for runs that serve nearly all, and stays below runs that
// reach 0.99 of the SLO by the margin queueing needs (see the tests). It
// fails as Run does for a fleet it cannot run or an event naming an
// unknown pool.
func LowerBound(f Fleet, tr Trace, events []Event) (float64, error) {
	f = f.withDefaults()
	if err := f.validate(); err != nil {
		return 0, err
	}
	for _, ev := range events {
		if f.PoolIndex(ev.Pool) < 0 {
			return 0, fmt.Errorf("%w: %s at second %d: pool %q", ErrUnknownPool, ev.Kind, ev.Second, ev.Pool)
		}
	}
	b := newBounder(&f)
	sc := newScript(&f, events)
	total := 0.0
	for sec, s := range tr.Seconds {
		avail, prices := sc.at(sec)
		total += b.perHour(secondDemand(s), avail, prices) / 3600
	}
	return total, nil
}

// bounder prices one second of the lower bound.
type bounder struct {
	fleet *Fleet
	rows  []float64 // per pool, rows per second one replica serves at best
	memo  map[boundKey]float64
}

// boundKey identifies a priced second: its demand and the pools' state.
type boundKey struct {
	demand  demand
	avail   uint64
	priceID uint64
}

// newBounder works out every pool's best throughput on f.
func newBounder(f *Fleet) *bounder {
	b := &bounder{fleet: f, rows: make([]float64, len(f.Pools)), memo: map[boundKey]float64{}}
	for i := range f.Pools {
		for k := range f.Kinds {
			b.rows[i] = max(b.rows[i], bestThroughput(f, i, k))
		}
	}
	return b
}

// bestThroughput returns the most rows per second one replica of pool i
// serves of kind k with every batch within the kind's SLO; 0 when it does
// not serve k or no batch fits.
func bestThroughput(f *Fleet, i, k int) float64 {
	if !f.serves(i, k) {
		return 0
	}
	form, slo := f.formConfig(i, k), f.Kinds[k].SLO
	most := form.MaxBatch
	if !form.Batching {
		most = 1
	}
	best := 0.0
	for n := 1; n <= most; n++ {
		if lat := f.Pools[i].Curve.Latency(n); lat <= slo {
			best = max(best, float64(n)/lat.Seconds())
		}
	}
	return best
}

// perHour returns the bound's USD per hour for demand d with the pools
// avail at prices: the Min of the pools that are up, and the cheapest
// transport of the rows onto their capacity (what no fleet within the
// bounds can carry is left out).
func (b *bounder) perHour(d demand, avail []bool, prices []float64) float64 {
	key := boundKey{demand: d, avail: availBits(avail), priceID: pricesID(prices)}
	if v, ok := b.memo[key]; ok {
		return v
	}
	v := b.solve(d, avail, prices)
	b.memo[key] = v
	return v
}

// solve prices one second as a min-cost flow: source → kinds (their rows)
// → the pools that may serve them → sink, each pool through a free edge
// (its Min) and a paid one (up to its Max, at its price per row).
func (b *bounder) solve(d demand, avail []bool, prices []float64) float64 {
	f := b.fleet
	n := len(f.Pools)
	src, sink := 0, 3+n
	g := newFlowNet(4 + n)
	fixed := 0.0
	for k := range f.Kinds {
		g.add(src, 1+k, d[k]*float64(f.Kinds[k].Rows), 0)
	}
	for i, p := range f.Pools {
		if !avail[i] {
			continue
		}
		fixed += float64(p.Min) * prices[i]
		c := b.rows[i]
		if c <= 0 {
			continue
		}
		for k := range f.Kinds {
			if f.serves(i, k) {
				g.add(1+k, 3+i, math.Inf(1), 0)
			}
		}
		g.add(3+i, sink, float64(p.Min)*c, 0)
		g.add(3+i, sink, float64(p.Max-p.Min)*c, prices[i]/c)
	}
	return fixed + g.minCost(src, sink)
}
