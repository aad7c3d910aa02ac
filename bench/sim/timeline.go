package sim

import (
	"math"
	"time"
)

// TimelineWindow is the width of the windows Timeline.P99 is taken over.
const TimelineWindow = 10 * time.Second

// Timeline is a run second by second, for plots. Every slice indexed by
// second has one entry per second of the trace.
type Timeline struct {
	// Pools names the pools of Replicas.
	Pools []string
	// Offered is the requests that arrived in each second.
	Offered []float64
	// Replicas is, per pool, the replicas billed (starting, ready or
	// finishing a batch) at the end of each second.
	Replicas [][]float64
	// Queued is the requests waiting in all queues at the end of each
	// second.
	Queued []float64
	// CostPerHour is the fleet's price in USD per hour at the end of each
	// second.
	CostPerHour []float64
	// P99 is the 99th percentile latency in ms of the requests answered
	// in each TimelineWindow; NaN for a window that answered none.
	P99 []float64
}

// newTimeline returns an empty timeline for f over seconds seconds.
func newTimeline(f *Fleet, seconds int) *Timeline {
	tl := &Timeline{
		Offered: make([]float64, seconds), Queued: make([]float64, seconds),
		CostPerHour: make([]float64, seconds), Replicas: make([][]float64, len(f.Pools)),
	}
	for i, p := range f.Pools {
		tl.Pools = append(tl.Pools, p.Name)
		tl.Replicas[i] = make([]float64, seconds)
	}
	return tl
}

// record fills second sec from the run's state as that second ends.
func (tl *Timeline) record(sec int, s *sim) {
	if sec >= len(tl.Offered) {
		return
	}
	tl.Offered[sec] = float64(s.secIn)
	for i, p := range s.pools {
		tl.Replicas[i][sec] = float64(p.billed)
		tl.Queued[sec] += float64(p.queued)
		tl.CostPerHour[sec] += float64(p.billed) * p.price
	}
	if (sec+1)%int(TimelineWindow/time.Second) == 0 || sec == len(tl.Offered)-1 {
		tl.P99 = append(tl.P99, windowP99(s.st))
	}
}

// windowP99 returns the window's p99 in ms and starts a new window.
func windowP99(st *stats) float64 {
	defer st.window.Reset()
	if st.window.TotalCount() == 0 {
		return math.NaN()
	}
	return float64(st.window.ValueAtQuantile(99)) / float64(time.Millisecond/time.Microsecond)
}
