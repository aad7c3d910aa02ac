package sim

import (
	"time"

	"github.com/sluice-gateway/sluice/router"
)

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

// statsBuckets is the number of one-second buckets of a window: the
// router's DefaultRetryWindow.
const statsBuckets = int64(router.DefaultRetryWindow / time.Second)

// window counts something per second over the last statsBuckets seconds,
// as the router's retry budget does. The zero value is empty.
type window struct {
	epoch [statsBuckets]int64
	n     [statsBuckets]int64
}

// add counts n at now.
func (w *window) add(now time.Duration, n int64) {
	e := int64(now / time.Second)
	i := e % statsBuckets
	if w.epoch[i] != e+1 {
		w.epoch[i], w.n[i] = e+1, 0
	}
	w.n[i] += n
}

// sum returns the count over the window ending at now.
func (w *window) sum(now time.Duration) int64 {
	cur := int64(now / time.Second)
	var total int64
	for i, e := range w.epoch {
		if e != 0 && e-1 <= cur && e-1 > cur-statsBuckets {
			total += w.n[i]
		}
	}
	return total
}
