package sim

import (
	"testing"
	"time"
)

func TestLatencyWindow(t *testing.T) {
	ms, s := time.Millisecond, time.Second
	type rec struct{ at, lat time.Duration }
	tests := []struct {
		name string
		recs []rec
		now  time.Duration
		q    float64
		want time.Duration
	}{
		{name: "empty", now: 5 * s, q: 0.95, want: 0},
		{name: "one latency, capped at itself", recs: []rec{{s, 100 * ms}}, now: 2 * s, q: 0.95, want: 100 * ms},
		{
			name: "the bucket's upper bound",
			// 19 at 10 ms, 1 at 300 ms: the 95th of 20 is the 19th.
			recs: append(repeat(19, rec{s, 10 * ms}), rec{s, 300 * ms}),
			now:  s, q: 0.95, want: 10239*time.Microsecond + 999*time.Nanosecond,
		},
		{
			name: "older than the window is forgotten",
			recs: []rec{{0, 900 * ms}, {5 * s, 20 * ms}},
			now:  10 * s, q: 0.95, want: 20 * ms,
		},
		{
			name: "within the window is kept",
			recs: []rec{{500 * ms, 900 * ms}, {5 * s, 20 * ms}},
			now:  9900 * ms, q: 0.95, want: 900 * ms,
		},
		{
			name: "a bucket reused a window later",
			recs: []rec{{s, 900 * ms}, {11 * s, 20 * ms}},
			now:  11 * s, q: 0.99, want: 20 * ms,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w latencyWindow
			for _, r := range tt.recs {
				w.record(r.at, r.lat)
			}
			if got := w.quantile(tt.now, tt.q); got != tt.want {
				t.Errorf("quantile(%v, %g) = %v, want %v", tt.now, tt.q, got, tt.want)
			}
		})
	}
}

func repeat[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestLatencyBucketsBoundTheirValues(t *testing.T) {
	for _, v := range []uint64{0, 1, 15, 16, 17, 31, 32, 1000, 10_000, 123_456_789, 1 << 40} {
		i := latBucket(v)
		if up := latUpper(i); up < v && i != latLength-1 {
			t.Errorf("value %d in bucket %d, whose upper bound %d is below it", v, i, up)
		}
		if i > 0 && i < latLength-1 && latUpper(i-1) >= v {
			t.Errorf("value %d in bucket %d, but bucket %d already reaches %d", v, i, i-1, latUpper(i-1))
		}
	}
}
