package pareto

import (
	"cmp"
	"slices"
)

// Of returns the runs of family on scenario, in the result's order.
func (r *Result) Of(scenario, family string) []Run {
	var out []Run
	for _, run := range r.Runs {
		if run.Scenario == scenario && run.Family == family {
			out = append(out, run)
		}
	}
	return out
}

// Bounds returns the bounds of scenario; false when the result has none.
func (r *Result) Bounds(scenario string) (Bounds, bool) {
	for _, s := range r.Scenarios {
		if s.Scenario == scenario {
			return s.Bounds, true
		}
	}
	return Bounds{}, false
}

// Cheapest returns the cheapest of runs that reaches level (see
// Run.Reaches), the higher attainment breaking ties, then the earlier
// run; false when none reaches it.
func Cheapest(runs []Run, level float64) (Run, bool) {
	var best Run
	found := false
	for _, r := range runs {
		if r.Reaches(level) && (!found || better(r, best)) {
			best, found = r, true
		}
	}
	return best, found
}

// better reports whether a costs less than b, or as much at a higher
// attainment.
func better(a, b Run) bool {
	return a.CostUSD < b.CostUSD || (a.CostUSD == b.CostUSD && a.SLOAll > b.SLOAll)
}

// Closest returns the run with the highest attainment of all requests
// among runs that did not fail, the cheaper breaking ties; false when
// every run failed.
func Closest(runs []Run) (Run, bool) {
	var best Run
	found := false
	for _, r := range runs {
		if r.Error == "" && (!found || r.SLOAll > best.SLOAll || (r.SLOAll == best.SLOAll && r.CostUSD < best.CostUSD)) {
			best, found = r, true
		}
	}
	return best, found
}

// Front returns the runs no other run beats on both cost and attainment
// of all requests (failed runs left out), cheapest first: each costs more
// than the one before it and attains more.
func Front(runs []Run) []Run {
	sorted := slices.Clone(runs)
	slices.SortStableFunc(sorted, func(a, b Run) int {
		return cmp.Or(cmp.Compare(a.CostUSD, b.CostUSD), cmp.Compare(b.SLOAll, a.SLOAll))
	})
	var front []Run
	for _, r := range sorted {
		if r.Error == "" && (len(front) == 0 || r.SLOAll > front[len(front)-1].SLOAll) {
			front = append(front, r)
		}
	}
	return front
}
