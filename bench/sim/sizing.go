package sim

import (
	"math"
	"slices"
)

// demand is an offered load in requests per second of each kind, indexed
// by Light and Heavy.
type demand [2]float64

// sizer finds the cheapest fleet that serves a demand at the kinds' SLOs,
// the capacity the static, oracle and start-up fleets are sized with.
//
// A fleet serves a demand when every set S of kinds gets at least its
// rows from the pools that may serve some kind of S (Hall's condition for
// the flow of kinds to pools), each replica counting for the smallest
// throughput it has for a kind of S. With a light and a heavy kind this is
// three constraints: the heavy rows fit the heavy pools, the light rows
// the light pools, and all rows all pools.
type sizer struct {
	fleet  *Fleet
	groups []group
	memo   map[sizeKey][]int
}

// group is one constraint: the kinds of a set, and the rows per second
// each pool serves of them.
type group struct {
	kinds []int
	cap   []float64 // per pool; 0 for pools serving none of kinds
}

// sizeKey identifies a solved problem: the rows per group, rounded up,
// and which pools may be used at what price.
type sizeKey struct {
	need    [3]int64
	avail   uint64
	priceID uint64
}

// newSizer returns a sizer for f. pre: f validated, at most 64 pools.
func newSizer(f *Fleet) *sizer {
	z := &sizer{fleet: f, memo: map[sizeKey][]int{}}
	for _, kinds := range [][]int{{Heavy}, {Light}, {Light, Heavy}} {
		g := group{kinds: kinds, cap: make([]float64, len(f.Pools))}
		for i := range f.Pools {
			g.cap[i] = groupCapacity(f, i, kinds)
		}
		z.groups = append(z.groups, g)
	}
	return z
}

// groupCapacity returns the rows per second one replica of pool i serves
// of any kind in kinds: the smallest of its throughputs for those it
// serves, 0 when it serves none.
func groupCapacity(f *Fleet, i int, kinds []int) float64 {
	c := math.Inf(1)
	for _, k := range kinds {
		if f.serves(i, k) {
			c = min(c, f.capacity(i, k))
		}
	}
	if math.IsInf(c, 1) {
		return 0
	}
	return c
}

// cheapest returns the replicas per pool of the cheapest fleet that serves
// d with every replica busy at most util of the time (0 < util <= 1),
// using only pools with avail set, at prices (USD per hour, per pool).
// Pool bounds are [Min, Max] (Max is 0 for unavailable pools). When no
// fleet within the bounds serves d, it returns every available pool at its
// Max. The result is the caller's.
func (z *sizer) cheapest(d demand, util float64, avail []bool, prices []float64) []int {
	return z.solve(z.needs(d, util), avail, prices)
}

// solve returns the cheapest fleet that gives each group its rows per
// second need; see cheapest.
func (z *sizer) solve(need [3]float64, avail []bool, prices []float64) []int {
	key := sizeKey{avail: availBits(avail), priceID: pricesID(prices)}
	for g, n := range need {
		key.need[g] = int64(math.Ceil(n - 1e-9))
	}
	if got, ok := z.memo[key]; ok {
		return slices.Clone(got)
	}
	best := z.newSearch(key.need, avail, prices).run()
	z.memo[key] = best
	return slices.Clone(best)
}

// needs returns the rows per second each group must serve.
func (z *sizer) needs(d demand, util float64) [3]float64 {
	var need [3]float64
	for g, grp := range z.groups {
		for _, k := range grp.kinds {
			need[g] += d[k] * float64(z.fleet.Kinds[k].Rows) / util
		}
	}
	return need
}

// availBits packs avail into a bit set.
func availBits(avail []bool) uint64 {
	var b uint64
	for i, a := range avail {
		if a {
			b |= 1 << i
		}
	}
	return b
}

// pricesID hashes prices (FNV-1a over their bits).
func pricesID(prices []float64) uint64 {
	h := uint64(14695981039346656037)
	for _, p := range prices {
		h ^= math.Float64bits(p)
		h *= 1099511628211
	}
	return h
}

// startFleet returns the cheapest fleet of f that serves the load of obs
// (the kinds' arrival rates) with replicas busy util of the time, every
// pool up at its configured price.
func startFleet(f *Fleet, obs *Observation, util float64) []int {
	avail, prices := make([]bool, len(f.Pools)), make([]float64, len(f.Pools))
	for i, p := range f.Pools {
		avail[i], prices[i] = true, p.PricePerHour
	}
	d := demand{obs.Kinds[Light].ArrivalRate, obs.Kinds[Heavy].ArrivalRate}
	return newSizer(f).cheapest(d, util, avail, prices)
}

// batchRows returns the rows one replica of pool i serves at once within
// the SLO: the smallest, over the kinds it serves, of its batch size at
// the kind's SLO; at least 1.
func batchRows(f *Fleet, i int) int {
	rows := math.MaxInt
	for k := range f.Kinds {
		if !f.serves(i, k) {
			continue
		}
		p, form := f.Pools[i].Pool, f.formConfig(i, k)
		p.MaxBatch = form.MaxBatch
		if !form.Batching {
			p.MaxBatch = 1
		}
		rows = min(rows, p.BatchAt(f.Kinds[k].SLO))
	}
	if rows == math.MaxInt {
		return 1
	}
	return max(rows, 1)
}
