package router

import "time"

// hold chooses the pool that holds a request no pool of its tier can take
// now: among the tier's pools that start workers on demand (Activate) and
// have no ready worker, and that take the request's rows and meet its SLO
// when idle, the one with the fastest cold start, then the cheapest per
// inference, then the first in the tier. The fastest start answers the
// held request soonest; the scaler, seeing it queued, wakes that pool
// and sizes the tier's cheaper pools for what follows. ok is false when
// no pool qualifies.
func (r *Router) hold(tier []*Pool, f Facts, m Model) (p *Pool, ok bool) {
	now := r.clock.Now()
	var best Candidate
	for _, q := range tier {
		if !q.activate || q.Ready() > 0 {
			continue
		}
		c := Candidate{PoolView: q.view(f, m)}
		if (FitsFilter{}).Reject(f, c, now) != "" || (ReachableFilter{}).Reject(f, c, now) != "" {
			continue
		}
		if p == nil || holdsBetter(q.cost.ColdStart, c.CostPerMillion, p.cost.ColdStart, best.CostPerMillion) {
			p, best = q, c
		}
	}
	return p, p != nil
}

// holdsBetter reports whether a pool of cold start cs and cost cost
// holds a request better than one of cold start bestCS and cost
// bestCost: it starts faster, or as fast and is cheaper.
func holdsBetter(cs time.Duration, cost float64, bestCS time.Duration, bestCost float64) bool {
	return cs < bestCS || (cs == bestCS && cost < bestCost)
}
