package router

import (
	"sort"
	"sync"

	"github.com/sluice-gateway/sluice/batcher"
)

// TierStats counts what was routed to one tier since the router started:
// the tier's demand, whichever of its pools served it. Counts only grow;
// a rate over any span is the difference of two snapshots.
type TierStats struct {
	Name string `json:"name"`
	// Requests counts the requests routed to the tier, by class: each
	// request once, however many tries it took. Rows counts their rows
	// (dimension 0 of the inputs, at least 1 per request).
	Requests batcher.ClassCounts `json:"requests"`
	Rows     batcher.ClassCounts `json:"rows"`
}

// tierArrivals counts one tier's requests. It is safe for concurrent use;
// a nil *tierArrivals counts nothing.
type tierArrivals struct {
	mu             sync.Mutex
	requests, rows batcher.ClassCounts
}

// add counts a request of class p with rows rows.
func (a *tierArrivals) add(p batcher.Priority, rows int64) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	bump(&a.requests, p, 1)
	bump(&a.rows, p, int(rows))
}

// bump adds n to class p's count; a value outside the classes counts as
// Normal, the default class.
func bump(c *batcher.ClassCounts, p batcher.Priority, n int) {
	switch p {
	case batcher.Critical:
		c.Critical += n
	case batcher.High:
		c.High += n
	case batcher.Low:
		c.Low += n
	default:
		c.Normal += n
	}
}

// TierStats returns every tier's counts, sorted by name.
func (r *Router) TierStats() []TierStats {
	arrivals := r.tables().arrivals
	out := make([]TierStats, 0, len(arrivals))
	for name, a := range arrivals {
		a.mu.Lock()
		out = append(out, TierStats{Name: name, Requests: a.requests, Rows: a.rows})
		a.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
