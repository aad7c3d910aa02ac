package sim

import "math"

// search is one branch-and-bound run of sizer.cheapest: pools are decided
// one at a time, cheapest per row first, and a branch is cut when its cost
// plus a lower bound of the rest reaches the best fleet found.
type search struct {
	z      *sizer
	order  []int     // pools in the order they are decided
	lo, hi []int     // bounds per pool
	price  []float64 // per pool
	need   [3]float64
	n      []int // the branch being explored
	best   []int
	bestC  float64
}

// newSearch prepares the search for the rows need per group.
func (z *sizer) newSearch(need [3]int64, avail []bool, prices []float64) *search {
	f := z.fleet
	s := &search{z: z, price: prices, bestC: math.Inf(1)}
	s.lo, s.hi, s.n = make([]int, len(f.Pools)), make([]int, len(f.Pools)), make([]int, len(f.Pools))
	for g := range need {
		s.need[g] = float64(need[g])
	}
	for i, p := range f.Pools {
		if avail[i] {
			s.lo[i], s.hi[i] = p.Min, p.Max
			s.order = append(s.order, i)
		}
	}
	s.sortOrder()
	return s
}

// sortOrder sorts the pools by price per row of the widest group.
func (s *search) sortOrder() {
	all := s.z.groups[len(s.z.groups)-1].cap
	perRow := func(i int) float64 {
		if all[i] <= 0 {
			return math.Inf(1)
		}
		return s.price[i] / all[i]
	}
	for a := 1; a < len(s.order); a++ {
		for b := a; b > 0 && perRow(s.order[b]) < perRow(s.order[b-1]); b-- {
			s.order[b], s.order[b-1] = s.order[b-1], s.order[b]
		}
	}
}

// run returns the cheapest fleet, or every available pool at its Max when
// none serves the need.
func (s *search) run() []int {
	s.visit(0, 0)
	if s.best == nil {
		s.best = make([]int, len(s.n))
		for _, i := range s.order {
			s.best[i] = s.hi[i]
		}
	}
	return s.best
}

// visit decides pool s.order[d] onward, the pools before costing cost.
func (s *search) visit(d int, cost float64) {
	if cost+s.bound(d) >= s.bestC-1e-12 {
		return
	}
	if d == len(s.order) {
		if s.deficit() <= 0 {
			s.bestC = cost
			s.best = append(s.best[:0:0], s.n...)
		}
		return
	}
	i := s.order[d]
	if d == len(s.order)-1 {
		s.n[i] = s.least(i)
		if s.n[i] <= s.hi[i] {
			s.visit(d+1, cost+float64(s.n[i])*s.price[i])
		}
		s.n[i] = 0
		return
	}
	for v := min(s.least(i), s.hi[i]); v >= s.lo[i]; v-- {
		s.n[i] = v
		s.visit(d+1, cost+float64(v)*s.price[i])
	}
	s.n[i] = 0
}

// least returns the fewest replicas of pool i that close every group's
// deficit given the pools decided so far (at least its lower bound); more
// than that is never cheaper.
func (s *search) least(i int) int {
	v := s.lo[i]
	for g, grp := range s.z.groups {
		if c := grp.cap[i]; c > 0 {
			short := s.need[g] - s.served(g)
			v = max(v, int(math.Ceil(short/c-1e-9)))
		}
	}
	return v
}

// served returns the rows per second group g gets from the branch.
func (s *search) served(g int) float64 {
	total := 0.0
	for i, n := range s.n {
		total += float64(n) * s.z.groups[g].cap[i]
	}
	return total
}

// deficit returns the largest shortfall of any group, <= 0 when the
// branch serves the need.
func (s *search) deficit() float64 {
	worst := math.Inf(-1)
	for g := range s.z.groups {
		worst = max(worst, s.need[g]-s.served(g)-1e-9)
	}
	return worst
}

// bound returns a lower bound of the cost of pools s.order[d:] given the
// branch: for each group, its shortfall at the best price per row among
// those pools (or +Inf when they cannot close it), the largest of these.
func (s *search) bound(d int) float64 {
	lb := 0.0
	for g, grp := range s.z.groups {
		short := s.need[g] - s.served(g)
		if short <= 1e-9 {
			continue
		}
		room, perRow := 0.0, math.Inf(1)
		for _, i := range s.order[d:] {
			if c := grp.cap[i]; c > 0 {
				room += float64(s.hi[i]) * c
				perRow = min(perRow, s.price[i]/c)
			}
		}
		if room < short-1e-9 {
			return math.Inf(1)
		}
		lb = max(lb, short*perRow)
	}
	return lb
}
