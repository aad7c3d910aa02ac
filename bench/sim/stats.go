package sim

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sluice-gateway/sluice/batcher"
)

// maxLatencyUS is the largest latency the histograms tell apart, in µs.
const maxLatencyUS = int64(time.Hour / time.Microsecond)

// stats counts the outcome of every request of a run.
type stats struct {
	requests [2][4]int64 // by kind and class index (critical .. low)
	inSLO    [2][4]int64 // answered within the kind's SLO
	served   int64
	lost     int64
	rejected map[string]int64
	retried  int64
	refused  int64 // replica starts the budget cap refused
	// interruptions counts replicas lost to spot interruptions and
	// pool_down.
	interruptions int
	lat           *hdrhistogram.Histogram // every answered request, µs
	window        *hdrhistogram.Histogram // answered in the current timeline window, µs
}

// newStats returns empty counters with every known rejection reason at 0.
func newStats(pools int) *stats {
	st := &stats{
		rejected: map[string]int64{},
		lat:      hdrhistogram.New(1, maxLatencyUS, 3),
		window:   hdrhistogram.New(1, maxLatencyUS, 2),
	}
	for _, r := range []string{reasonShed, reasonNoCapacity, reasonQueueFull, reasonQueueTimeout, reasonTimeout, reasonBackend} {
		st.rejected[r] = 0
	}
	return st
}

// classIndex returns the index of class p in the counters.
func classIndex(p batcher.Priority) int { return int(batcher.Critical - p) }

// answer counts a request of kind k and class prio answered at now after
// lat, on pool p.
func (st *stats) answer(k int, prio batcher.Priority, now, lat, slo time.Duration, p *poolSim) {
	c := classIndex(prio)
	st.requests[k][c]++
	st.served++
	if lat <= slo {
		st.inSLO[k][c]++
	}
	us := min(max(int64(lat/time.Microsecond), 1), maxLatencyUS)
	// In range by construction, so RecordValue cannot fail.
	_ = st.lat.RecordValue(us)
	_ = st.window.RecordValue(us)
	p.lat.record(now, lat)
}

// reject counts a request failed for reason.
func (st *stats) reject(k int, prio batcher.Priority, reason string) {
	st.requests[k][classIndex(prio)]++
	st.rejected[reason]++
}

// lose counts a request accepted and never answered.
func (st *stats) lose(k int, prio batcher.Priority) {
	st.requests[k][classIndex(prio)]++
	st.lost++
}

// attainment returns the share of the requests selected by kinds and
// classes answered within their SLO; 1 when there were none.
func (st *stats) attainment(kinds []int, classes []int) float64 {
	var n, ok int64
	for _, k := range kinds {
		for _, c := range classes {
			n += st.requests[k][c]
			ok += st.inSLO[k][c]
		}
	}
	if n == 0 {
		return 1
	}
	return float64(ok) / float64(n)
}
