package router

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 100; i++ {
		h.record(time.Duration(i) * ms)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0, ms}, {0.5, 50 * ms}, {0.95, 95 * ms}, {0.99, 99 * ms}, {1, 100 * ms}}
	for _, tt := range tests {
		got := h.quantile(tt.q)
		// Buckets are upper bounds within 1/16 of the value.
		if got < tt.want || got > tt.want+tt.want/16 {
			t.Errorf("quantile(%v) = %v, want %v to %v", tt.q, got, tt.want, tt.want+tt.want/16)
		}
	}
	if got := h.mean(); got != 50500*time.Microsecond {
		t.Errorf("mean = %v, want 50.5ms", got)
	}
	var empty histogram
	if got := empty.quantile(0.99); got != 0 {
		t.Errorf("empty quantile = %v, want 0", got)
	}
}

func TestHistogramBuckets(t *testing.T) {
	// Every value falls in a bucket whose bounds hold it, and bucket
	// bounds grow without gaps.
	for _, v := range []uint64{0, 1, 15, 16, 17, 31, 32, 33, 1000, 1 << 20, 1<<35 + 12345} {
		i := bucketOf(v)
		lo := uint64(0)
		if i > 0 {
			lo = upperOf(i-1) + 1
		}
		if v < lo || v > upperOf(i) {
			t.Errorf("value %d in bucket %d of [%d, %d]", v, i, lo, upperOf(i))
		}
	}
	if got := bucketOf(1 << 50); got != histLength-1 {
		t.Errorf("huge value in bucket %d, want the last, %d", got, histLength-1)
	}
}

func TestRingSlides(t *testing.T) {
	r := newRing[int](10 * time.Second)
	sum := func(now time.Time) int {
		n := 0
		r.each(now, func(v *int) { n += *v })
		return n
	}
	*r.at(t0) += 1
	*r.at(t0.Add(500 * ms)) += 2
	*r.at(t0.Add(3 * time.Second)) += 4
	got := []int{
		sum(t0.Add(3 * time.Second)),
		sum(t0.Add(9999 * ms)),
		sum(t0.Add(10 * time.Second)),
		sum(t0.Add(13 * time.Second)),
		sum(t0.Add(-time.Second)),
	}
	if diff := cmp.Diff([]int{7, 7, 4, 0, 0}, got); diff != "" {
		t.Errorf("window sums (-want +got):\n%s", diff)
	}
	*r.at(t0.Add(10 * time.Second)) += 8 // reuses t0's bucket
	if got := sum(t0.Add(10 * time.Second)); got != 12 {
		t.Errorf("after reuse, sum = %d, want 12", got)
	}
}

func TestPoolWindow(t *testing.T) {
	w := newPoolWindow(10*time.Second, t0)
	for i := range 20 {
		now := t0.Add(time.Duration(i) * 100 * ms)
		slo := 500 * ms // three quarters of the requests at 500 ms, the rest at 250 ms
		if i%4 == 3 {
			slo = 250 * ms
		}
		w.arrived(now, 2, slo)
		w.batch(now, time.Duration(i+1)*ms)
		w.answered(now, 10*ms)
	}
	now := t0.Add(2 * time.Second)
	var s PoolStats
	w.fill(&s, now)
	want := PoolStats{
		Window: 2 * time.Second, ArrivalRate: 10, RowRate: 20, Arrivals: 20, ArrivedRows: 40,
		SLO:     400 * ms, // 20 / (15/0.5 + 5/0.25) s
		Batch:   LatencySummary{Count: 20, Mean: 10500 * time.Microsecond, P50: 10 * ms, P95: 19 * ms, P99: 20 * ms, Max: 20 * ms},
		Latency: LatencySummary{Count: 20, Mean: 10 * ms, P50: 10 * ms, P95: 10 * ms, P99: 10 * ms, Max: 10 * ms},
	}
	approx := cmp.Comparer(func(a, b time.Duration) bool { return a <= b+b/16 && b <= a+a/16 })
	if diff := cmp.Diff(want, s, approx); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var later PoolStats
	w.fill(&later, t0.Add(30*time.Second))
	if later.RowRate != 0 {
		t.Errorf("long after, row rate %v; want 0", later.RowRate)
	}
	if later.Arrivals != 20 || later.ArrivedRows != 40 {
		t.Errorf("long after, arrivals %d and rows %d; want the totals 20 and 40", later.Arrivals, later.ArrivedRows)
	}
}
