package load

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTraceScheduleIsDeterministic(t *testing.T) {
	secs := []Second{{RPS: 50, HeavyFraction: 0.3}, {RPS: 80, HeavyFraction: 0.5}}
	a, err := TraceSchedule(secs, TraceOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := TraceSchedule(secs, TraceOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different schedules (-first +second):\n%s", diff)
	}
	c, err := TraceSchedule(secs, TraceOptions{Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(a, c) {
		t.Error("seeds 7 and 8 gave the same schedule")
	}
}

// within fails unless got is mean ± 4 standard deviations of a count with
// variance variance.
func within(t *testing.T, what string, got, mean, variance float64) {
	t.Helper()
	if tol := 4 * math.Sqrt(variance); math.Abs(got-mean) > tol {
		t.Errorf("%s = %v, want %v ± %.1f", what, got, mean, tol)
	}
}

func TestTraceScheduleFollowsTheTrace(t *testing.T) {
	secs := []Second{{RPS: 2000, HeavyFraction: 0}, {}, {RPS: 500, HeavyFraction: 1}, {RPS: 4000, HeavyFraction: 0.25}}
	tests := []struct {
		name    string
		speedup float64
		want    time.Duration // the schedule's duration
	}{
		{name: "real time", speedup: 1, want: 4 * time.Second},
		{name: "default speedup", speedup: 0, want: 4 * time.Second},
		{name: "ten times faster", speedup: 10, want: 400 * time.Millisecond},
		{name: "slower", speedup: 0.5, want: 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := TraceSchedule(secs, TraceOptions{Speedup: tt.speedup, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Duration != tt.want || len(tr.Arrivals) != len(tr.Offsets) {
				t.Fatalf("duration %v, %d arrivals for %d offsets; want %v and as many", tr.Duration, len(tr.Arrivals), len(tr.Offsets), tt.want)
			}
			checkOrdered(t, tr.Schedule)
			count, heavy := countBySecond(tr, tt.want/time.Duration(len(secs)))
			for i, s := range secs {
				// A Poisson count has variance equal to its mean, and so
				// has the heavy part of it (a thinned Poisson process).
				within(t, fmt.Sprintf("arrivals in second %d", i), float64(count[i]), s.RPS, s.RPS)
				within(t, fmt.Sprintf("heavy in second %d", i), float64(heavy[i]), s.RPS*s.HeavyFraction, s.RPS*s.HeavyFraction)
			}
		})
	}
}

// countBySecond counts the arrivals, and the heavy ones, in each slice of
// width sec of tr.
func countBySecond(tr Traced, sec time.Duration) (count, heavy map[int]int) {
	count, heavy = map[int]int{}, map[int]int{}
	for i, off := range tr.Offsets {
		s := int(off / sec)
		count[s]++
		if tr.Arrivals[i].Heavy {
			heavy[s]++
		}
	}
	return count, heavy
}

func TestTraceScheduleClasses(t *testing.T) {
	const rps = 20000
	tr, err := TraceSchedule([]Second{{RPS: rps, HeavyFraction: 0.5}}, TraceOptions{Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	var n [NumClasses]float64
	for _, a := range tr.Arrivals {
		n[a.Class]++
	}
	total := float64(len(tr.Arrivals))
	for c, share := range map[Class]float64{High: 0.2, Normal: 0.7, Low: 0.1} {
		within(t, c.String()+" requests", n[c], total*share, total*share*(1-share))
	}
}

func TestTraceScheduleLimit(t *testing.T) {
	secs := []Second{{RPS: 1000}, {RPS: 1000}, {RPS: 1000}}
	tests := []struct {
		name    string
		opts    TraceOptions
		want    time.Duration
		seconds float64 // trace seconds replayed
	}{
		{name: "whole seconds", opts: TraceOptions{Limit: 2 * time.Second}, want: 2 * time.Second, seconds: 2},
		{name: "part of a second", opts: TraceOptions{Limit: 1500 * time.Millisecond}, want: 1500 * time.Millisecond, seconds: 1.5},
		{name: "longer than the trace", opts: TraceOptions{Limit: time.Hour}, want: 3 * time.Second, seconds: 3},
		{name: "with a speedup", opts: TraceOptions{Limit: 2 * time.Second, Speedup: 4}, want: 500 * time.Millisecond, seconds: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := TraceSchedule(secs, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Duration != tt.want {
				t.Errorf("duration %v, want %v", tr.Duration, tt.want)
			}
			checkOrdered(t, tr.Schedule)
			within(t, "arrivals", float64(len(tr.Offsets)), 1000*tt.seconds, 1000*tt.seconds)
		})
	}
}

func TestTraceScheduleRejects(t *testing.T) {
	tests := []struct {
		name string
		secs []Second
		opts TraceOptions
	}{
		{name: "negative rate", secs: []Second{{RPS: 1}, {RPS: -1}}},
		{name: "infinite rate", secs: []Second{{RPS: math.Inf(1)}}},
		{name: "NaN rate", secs: []Second{{RPS: math.NaN()}}},
		{name: "heavy fraction above 1", secs: []Second{{RPS: 1, HeavyFraction: 1.5}}},
		{name: "negative speedup", secs: []Second{{RPS: 1}}, opts: TraceOptions{Speedup: -2}},
		{name: "infinite speedup", secs: []Second{{RPS: 1}}, opts: TraceOptions{Speedup: math.Inf(1)}},
		{name: "negative limit", secs: []Second{{RPS: 1}}, opts: TraceOptions{Limit: -time.Second}},
		{name: "too many requests", secs: []Second{{RPS: MaxRequests / 2}, {RPS: MaxRequests}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := TraceSchedule(tt.secs, tt.opts); !errors.Is(err, ErrSchedule) {
				t.Errorf("TraceSchedule() error = %v, want ErrSchedule", err)
			}
		})
	}
}

func TestClassString(t *testing.T) {
	got := []string{High.String(), Normal.String(), Low.String(), Class(7).String()}
	if diff := cmp.Diff([]string{"high", "normal", "low", "class(7)"}, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}
