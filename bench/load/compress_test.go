package load

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

func TestTraceScheduleCompress(t *testing.T) {
	secs := []Second{{RPS: 20000, HeavyFraction: 0.25}, {}, {RPS: 50000, HeavyFraction: 1}}
	tests := []struct {
		name string
		opts TraceOptions
		// want is the schedule's duration; slice the width in which
		// each trace second is sent; share the part of a second's
		// requests it sends: rate × speedup over 1/(speedup × compress)
		// of a second.
		want, slice time.Duration
		share       float64
	}{
		{name: "unset", opts: TraceOptions{}, want: 3 * time.Second, slice: time.Second, share: 1},
		{name: "one", opts: TraceOptions{Compress: 1}, want: 3 * time.Second, slice: time.Second, share: 1},
		{name: "ten", opts: TraceOptions{Compress: 10}, want: 300 * time.Millisecond, slice: 100 * time.Millisecond, share: 0.1},
		{name: "four", opts: TraceOptions{Compress: 4}, want: 750 * time.Millisecond, slice: 250 * time.Millisecond, share: 0.25},
		{name: "ten with a speedup of two", opts: TraceOptions{Compress: 10, Speedup: 2}, want: 150 * time.Millisecond, slice: 50 * time.Millisecond, share: 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Seed = 5
			tr, err := TraceSchedule(secs, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Duration != tt.want {
				t.Errorf("duration %v, want %v", tr.Duration, tt.want)
			}
			checkOrdered(t, tr.Schedule)
			count, heavy := countBySecond(tr, tt.slice)
			for i, s := range secs {
				mean := s.RPS * tt.share
				within(t, fmt.Sprintf("arrivals in second %d", i), float64(count[i]), mean, mean)
				within(t, fmt.Sprintf("heavy in second %d", i), float64(heavy[i]), mean*s.HeavyFraction, mean*s.HeavyFraction)
			}
		})
	}
}

// TestTraceScheduleCompressKeepsRates checks that a compressed second is
// sent at the trace's own rate, not a multiple of it.
func TestTraceScheduleCompressKeepsRates(t *testing.T) {
	const rps = 5000
	secs := []Second{{RPS: rps}, {RPS: rps}, {RPS: rps}, {RPS: rps}}
	tr, err := TraceSchedule(secs, TraceOptions{Compress: 8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(tr.Offsets))
	if got := tr.Rate(); math.Abs(got-rps) > 4*math.Sqrt(n)/tr.Duration.Seconds() {
		t.Errorf("rate %.0f/s, want %d/s", got, rps)
	}
}

func TestTraceScheduleRejectsCompress(t *testing.T) {
	for _, k := range []float64{-1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			_, err := TraceSchedule([]Second{{RPS: 1}}, TraceOptions{Compress: k})
			if !errors.Is(err, ErrSchedule) {
				t.Errorf("TraceSchedule(Compress: %g) error = %v, want ErrSchedule", k, err)
			}
		})
	}
}
