package router

import (
	"math"
	"math/bits"
	"time"
)

// windowBuckets is how many buckets a sliding window is cut into: a
// window of 10 s forgets its oldest second at a time.
const windowBuckets = 10

// ring is a sliding window of windowBuckets buckets, each holding a T for
// one slice of time. A bucket is zeroed when it is reused for a later
// slice. The zero ring is unusable; make it with newRing. Not safe for
// concurrent use.
type ring[T any] struct {
	width time.Duration
	slots [windowBuckets]slot[T]
}

type slot[T any] struct {
	epoch int64 // the slice the bucket holds: time / width
	used  bool
	v     T
}

// newRing returns a window of length span (at least windowBuckets ns).
func newRing[T any](span time.Duration) *ring[T] {
	return &ring[T]{width: max(span/windowBuckets, 1)}
}

// span returns the window's length.
func (r *ring[T]) span() time.Duration { return r.width * windowBuckets }

func (r *ring[T]) epoch(now time.Time) int64 { return now.UnixNano() / int64(r.width) }

// at returns the bucket of now, zeroed first if it held an older slice.
func (r *ring[T]) at(now time.Time) *T {
	e := r.epoch(now)
	s := &r.slots[uint64(e)%windowBuckets]
	if !s.used || s.epoch != e {
		var zero T
		*s = slot[T]{epoch: e, used: true, v: zero}
	}
	return &s.v
}

// each calls fn on every bucket of the window that ends at now.
func (r *ring[T]) each(now time.Time, fn func(*T)) {
	cur := r.epoch(now)
	for i := range r.slots {
		s := &r.slots[i]
		if s.used && s.epoch <= cur && s.epoch > cur-windowBuckets {
			fn(&s.v)
		}
	}
}

// Histogram resolution: values are counted in microseconds, exactly below
// 16 µs and in 16 sub-buckets per power of two above (at most 6.25 %
// relative error), up to 2³⁶ µs (about 19 hours); larger values count in
// the last bucket.
const (
	subBits    = 4
	subCount   = 1 << subBits
	maxExp     = 36
	histLength = subCount + (maxExp-subBits)*subCount
)

// histogram counts durations in log-linear buckets. The zero value is
// empty and ready to use. Not safe for concurrent use.
type histogram struct {
	counts [histLength]uint32
	n      uint64
	sum    time.Duration
	max    time.Duration
}

// record counts d; negative durations count as 0.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d/time.Microsecond))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

// add merges o into h.
func (h *histogram) add(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// mean returns the mean duration, 0 when empty.
func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// quantile returns the upper bound of the bucket holding the q-quantile
// (q in [0, 1], nearest rank), capped at the largest value seen; 0 when
// empty.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := min(max(uint64(math.Ceil(q*float64(h.n))), 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		if seen += uint64(c); seen >= rank {
			return min(time.Duration(upperOf(i)+1)*time.Microsecond-1, h.max)
		}
	}
	return h.max
}

// bucketOf returns the bucket of v microseconds.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(v) - 1
	if e >= maxExp {
		return histLength - 1
	}
	m := (v >> (e - subBits)) & (subCount - 1)
	return subCount + (e-subBits)*subCount + int(m)
}

// upperOf returns the largest value, in microseconds, of bucket i.
func upperOf(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	e := (i-subCount)/subCount + subBits
	m := uint64((i - subCount) % subCount)
	lower := (subCount + m) << (e - subBits)
	return lower + 1<<(e-subBits) - 1
}
