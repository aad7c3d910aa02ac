package sim

import "time"

// retryBudget lets retries be at most ratio of the requests over the
// router's retry window, as the router's budget does, on simulated time.
type retryBudget struct {
	ratio             float64
	requests, retries window
}

// request counts one request routed at now.
func (b *retryBudget) request(now time.Duration) { b.requests.add(now, 1) }

// allow reports whether one more retry at now stays within the budget,
// and counts it if so.
func (b *retryBudget) allow(now time.Duration) bool {
	if b.ratio <= 0 {
		return false
	}
	if float64(b.retries.sum(now)+1) > b.ratio*float64(b.requests.sum(now))+1e-9 {
		return false
	}
	b.retries.add(now, 1)
	return true
}
