package scaler

import "time"

// peak is one recommendation kept by a maxWindow.
type peak struct {
	at time.Time
	n  int
}

// maxWindow keeps the highest recommendation of a sliding window: a deque
// whose times increase and whose values strictly decrease, so its front is
// the window's maximum. The zero value is an empty window.
type maxWindow []peak

// push records n at now, forgets what is older than span (a value recorded
// at t counts while now-t < span) and returns the window. Values no
// greater than n recorded before it can never be the maximum again and are
// dropped.
func (w maxWindow) push(now time.Time, n int, span time.Duration) maxWindow {
	for len(w) > 0 && w[len(w)-1].n <= n {
		w = w[:len(w)-1]
	}
	w = append(w, peak{at: now, n: n})
	i := 0
	for i < len(w)-1 && now.Sub(w[i].at) >= span {
		i++
	}
	return w[i:]
}

// max returns the highest value in the window; 0 when empty.
func (w maxWindow) max() int {
	if len(w) == 0 {
		return 0
	}
	return w[0].n
}

// sample is one observed arrival rate.
type sample struct {
	at   time.Time
	rate float64
}

// addSample appends (now, r) to ss, drops samples older than span and
// returns the result.
func addSample(ss []sample, now time.Time, r float64, span time.Duration) []sample {
	ss = append(ss, sample{at: now, rate: r})
	i := 0
	for i < len(ss)-1 && now.Sub(ss[i].at) >= span {
		i++
	}
	return ss[i:]
}

// sustained returns the lowest level of ss within lead before now: the
// rate that has lasted at least lead, which a pool that takes lead to
// start is sized for. Having lasted that long, it likely lasts as long
// again, and a burst shorter than a pool's cold start is over before the
// pool's new replicas could serve it. It is level when lead is 0 or ss
// has nothing that recent.
func sustained(ss []sample, now time.Time, lead time.Duration, level float64) float64 {
	low := level
	for _, s := range ss {
		if now.Sub(s.at) <= lead {
			low = min(low, s.rate)
		}
	}
	return low
}
