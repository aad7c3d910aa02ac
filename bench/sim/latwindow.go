package sim

import (
	"math"
	"math/bits"
	"time"

	"github.com/sluice-gateway/sluice/router"
)

// latencyBuckets is how many buckets the latency window is cut into, as
// the router's sliding windows are: a 10 s window forgets its oldest
// second at a time.
const latencyBuckets = 10

// latencyWidth is the time one bucket of the latency window covers.
const latencyWidth = router.DefaultStatsWindow / latencyBuckets

// The latency histogram's resolution, the router's: microseconds, exact
// below 16 µs and in 16 sub-buckets per power of two above (at most
// 6.25 % relative error), up to 2³⁶ µs; larger values count in the last
// bucket.
const (
	latSubBits  = 4
	latSubCount = 1 << latSubBits
	latMaxExp   = 36
	latLength   = latSubCount + (latMaxExp-latSubBits)*latSubCount
)

// latencyWindow holds the latencies a pool answered over the router's
// stats window (router.DefaultStatsWindow), in buckets that expire whole,
// and gives their percentiles as the router's PoolStats.Latency does:
// the production scaler reads its p95 from there. The zero value is
// empty and ready to use.
type latencyWindow struct {
	slots [latencyBuckets]latencySlot
	total [latLength]uint32 // the counts of the live slots
	n     uint64
}

// latencySlot is one bucket of a latencyWindow.
type latencySlot struct {
	epoch  int64 // now / latencyWidth, plus one; 0 for an unused slot
	counts [latLength]uint32
	n      uint64
	max    time.Duration
}

// record counts a latency d answered at now.
func (w *latencyWindow) record(now, d time.Duration) {
	e := int64(now/latencyWidth) + 1
	s := &w.slots[e%latencyBuckets]
	if s.epoch != e {
		w.drop(s)
		s.epoch = e
	}
	i := latBucket(uint64(max(d, 0) / time.Microsecond))
	s.counts[i]++
	s.n++
	s.max = max(s.max, d)
	w.total[i]++
	w.n++
}

// drop takes slot s out of the window's totals and empties it.
func (w *latencyWindow) drop(s *latencySlot) {
	if s.n > 0 {
		for i, c := range s.counts {
			w.total[i] -= c
		}
		w.n -= s.n
	}
	*s = latencySlot{}
}

// quantile returns the q-quantile of the latencies of the window that
// ends at now, as the router computes it: the upper bound of the bucket
// holding the nearest rank, capped at the largest latency; 0 when empty.
func (w *latencyWindow) quantile(now time.Duration, q float64) time.Duration {
	cur := int64(now/latencyWidth) + 1
	var top time.Duration
	for i := range w.slots {
		s := &w.slots[i]
		if s.epoch != 0 && s.epoch <= cur-latencyBuckets {
			w.drop(s)
		}
		top = max(top, s.max)
	}
	if w.n == 0 {
		return 0
	}
	rank := min(max(uint64(math.Ceil(q*float64(w.n))), 1), w.n)
	var seen uint64
	for i, c := range w.total {
		if seen += uint64(c); seen >= rank {
			return min(time.Duration(latUpper(i)+1)*time.Microsecond-1, top)
		}
	}
	return top
}

// latBucket returns the bucket of v microseconds.
func latBucket(v uint64) int {
	if v < latSubCount {
		return int(v)
	}
	e := bits.Len64(v) - 1
	if e >= latMaxExp {
		return latLength - 1
	}
	m := (v >> (e - latSubBits)) & (latSubCount - 1)
	return latSubCount + (e-latSubBits)*latSubCount + int(m)
}

// latUpper returns the largest value, in microseconds, of bucket i.
func latUpper(i int) uint64 {
	if i < latSubCount {
		return uint64(i)
	}
	e := (i-latSubCount)/latSubCount + latSubBits
	m := uint64((i - latSubCount) % latSubCount)
	lower := (latSubCount + m) << (e - latSubBits)
	return lower + 1<<(e-latSubBits) - 1
}
