package sim

import "time"

// retryBudget lets retries be at most ratio of the requests over the
// retry window, as the router's budget does, on simulated time.
type retryBudget struct {
	ratio             float64
	requests, retries window
}

// newRetryBudget returns the budget of ratio over a window of span.
func newRetryBudget(ratio float64, span time.Duration) retryBudget {
	width := max(span/windowBuckets, 1)
	return retryBudget{ratio: ratio, requests: window{width: width}, retries: window{width: width}}
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

// windowBuckets is how many buckets a window is cut into, as the router's
// sliding windows are.
const windowBuckets = 10

// window counts something over the last windowBuckets buckets of width,
// as the router's retry budget does. It is empty when made; width > 0.
type window struct {
	width time.Duration
	epoch [windowBuckets]int64
	n     [windowBuckets]int64
}

// add counts n at now.
func (w *window) add(now time.Duration, n int64) {
	e := int64(now / w.width)
	i := e % windowBuckets
	if w.epoch[i] != e+1 {
		w.epoch[i], w.n[i] = e+1, 0
	}
	w.n[i] += n
}

// sum returns the count over the window ending at now.
func (w *window) sum(now time.Duration) int64 {
	cur := int64(now / w.width)
	var total int64
	for i, e := range w.epoch {
		if e != 0 && e-1 <= cur && e-1 > cur-windowBuckets {
			total += w.n[i]
		}
	}
	return total
}
