package router

import (
	"sync"
	"time"
)

// retryBudget lets retries be at most a share of the requests seen over a
// sliding window, so that a failing pool cannot multiply the load on the
// others. It is safe for concurrent use; time is passed in.
type retryBudget struct {
	ratio float64

	mu  sync.Mutex
	win *ring[budgetCounts]
	// total counts the retries allowed since the start.
	total uint64
}

type budgetCounts struct{ requests, retries int }

// newRetryBudget returns a budget of ratio (retries per request) over
// window; ratio <= 0 allows no retry.
func newRetryBudget(ratio float64, window time.Duration) *retryBudget {
	return &retryBudget{ratio: ratio, win: newRing[budgetCounts](window)}
}

// request counts one request at now.
func (b *retryBudget) request(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.win.at(now).requests++
}

// allow reports whether one more retry at now keeps the retries of the
// window within ratio × requests, and counts it if so.
func (b *retryBudget) allow(now time.Time) bool {
	if b.ratio <= 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var sum budgetCounts
	b.win.each(now, func(c *budgetCounts) {
		sum.requests += c.requests
		sum.retries += c.retries
	})
	if float64(sum.retries+1) > b.ratio*float64(sum.requests)+1e-9 {
		return false
	}
	b.win.at(now).retries++
	b.total++
	return true
}
