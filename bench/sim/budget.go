package sim

import (
	"math"
	"slices"
)

// resize brings every pool to the policy's want, within its bounds.
// Under a budget cap it first shrinks, then grows the pools cheapest per
// row first, each only by the starts the cap leaves room for: the cap
// refuses starts, as a quota would, for every policy alike, and buys the
// most capacity it can. Without a cap it resizes the pools in order.
func (s *sim) resize(want []int) {
	if s.budgetCap <= 0 {
		for i, p := range s.pools {
			s.scale(p, s.clamp(p, want, i))
		}
		return
	}
	for i, p := range s.pools {
		if n := s.clamp(p, want, i); n < p.live() {
			s.scale(p, n)
		}
	}
	for _, i := range s.cheapestFirst() {
		p := s.pools[i]
		if n := s.clamp(p, want, i); n > p.live() {
			s.scale(p, s.affordable(p, n))
		}
	}
}

// affordable returns the size up to want that p may grow to under the
// budget cap (want itself without one): draining replicas kept cost
// nothing more, each new start costs p's price. It counts the starts it
// refuses.
func (s *sim) affordable(p *poolSim, want int) int {
	if s.budgetCap <= 0 || p.price <= 0 {
		return want
	}
	kept := min(p.draining, max(want-p.live(), 0))
	starts := max(want-p.live()-kept, 0)
	room := int(math.Floor((s.budgetCap-s.fleetRate())/p.price + 1e-9))
	allowed := min(starts, max(room, 0))
	s.st.refused += int64(starts - allowed)
	return p.live() + kept + allowed
}

// fleetRate returns what the billed replicas cost now, USD per hour.
func (s *sim) fleetRate() float64 {
	rate := 0.0
	for _, p := range s.pools {
		rate += float64(p.billed) * p.price
	}
	return rate
}

// cheapestFirst returns the pool indexes, cheapest per row at full load
// first (the lower of a pool's kinds), ties in fleet order. The slice is
// reused by the next call.
func (s *sim) cheapestFirst() []int {
	s.growOrder = s.growOrder[:0]
	for i := range s.pools {
		s.growOrder = append(s.growOrder, i)
	}
	perRow := func(i int) float64 { return min(s.pools[i].cpm[Light], s.pools[i].cpm[Heavy]) }
	slices.SortStableFunc(s.growOrder, func(a, b int) int {
		switch x, y := perRow(a), perRow(b); {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	return s.growOrder
}
