package load

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPoissonIsDeterministic(t *testing.T) {
	a, err := Poisson(100, 10*time.Second, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Poisson(100, 10*time.Second, 7)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different schedules (-first +second):\n%s", diff)
	}
	c, err := Poisson(100, 10*time.Second, 8)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(a, c) {
		t.Error("seeds 7 and 8 gave the same schedule")
	}
}

func TestPoissonRate(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		d    time.Duration
		seed uint64
	}{
		{name: "20/s over 20s", rate: 20, d: 20 * time.Second, seed: 1},
		{name: "200/s over 20s", rate: 200, d: 20 * time.Second, seed: 2},
		{name: "240/s over 20s", rate: 240, d: 20 * time.Second, seed: 3},
		{name: "5000/s over 10s", rate: 5000, d: 10 * time.Second, seed: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Poisson(tt.rate, tt.d, tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			checkOrdered(t, s)
			// The count is Poisson with mean and variance rate·d: it lies
			// within four standard deviations.
			mean := tt.rate * tt.d.Seconds()
			if n := float64(len(s.Offsets)); math.Abs(n-mean) > 4*math.Sqrt(mean) {
				t.Errorf("%v arrivals, want %v ± %.0f", n, mean, 4*math.Sqrt(mean))
			}
			// Exponential gaps: the coefficient of variation is 1 (evenly
			// spaced arrivals would give 0).
			if cv := gapCV(s); math.Abs(cv-1) > 0.1 {
				t.Errorf("coefficient of variation of the gaps = %.3f, want 1 ± 0.1", cv)
			}
		})
	}
}

// checkOrdered fails unless s's offsets ascend within [0, Duration).
func checkOrdered(t *testing.T, s Schedule) {
	t.Helper()
	for i, off := range s.Offsets {
		if off < 0 || off >= s.Duration {
			t.Fatalf("offset %d = %v, outside [0, %v)", i, off, s.Duration)
		}
		if i > 0 && off < s.Offsets[i-1] {
			t.Fatalf("offset %d = %v comes before offset %d = %v", i, off, i-1, s.Offsets[i-1])
		}
	}
}

// gapCV returns the standard deviation of the gaps between arrivals over
// their mean.
func gapCV(s Schedule) float64 {
	var sum, sumSq float64
	for i := 1; i < len(s.Offsets); i++ {
		g := (s.Offsets[i] - s.Offsets[i-1]).Seconds()
		sum += g
		sumSq += g * g
	}
	n := float64(len(s.Offsets) - 1)
	mean := sum / n
	return math.Sqrt(sumSq/n-mean*mean) / mean
}

func TestConstant(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		rate float64
		d    time.Duration
		want Schedule
	}{
		{name: "whole gaps", rate: 100, d: 50 * ms, want: Schedule{Duration: 50 * ms, Offsets: []time.Duration{0, 10 * ms, 20 * ms, 30 * ms, 40 * ms}}},
		{name: "partial last gap", rate: 100, d: 25 * ms, want: Schedule{Duration: 25 * ms, Offsets: []time.Duration{0, 10 * ms, 20 * ms}}},
		{name: "window shorter than a gap", rate: 1, d: 10 * ms, want: Schedule{Duration: 10 * ms, Offsets: []time.Duration{0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Constant(tt.rate, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("schedule (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		d    time.Duration
	}{
		{name: "zero rate", rate: 0, d: time.Second},
		{name: "negative rate", rate: -1, d: time.Second},
		{name: "NaN rate", rate: math.NaN(), d: time.Second},
		{name: "infinite rate", rate: math.Inf(1), d: time.Second},
		{name: "zero duration", rate: 10, d: 0},
		{name: "negative duration", rate: 10, d: -time.Second},
		{name: "too many arrivals", rate: 1e9, d: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Poisson(tt.rate, tt.d, 1); !errors.Is(err, ErrSchedule) {
				t.Errorf("Poisson error = %v, want ErrSchedule", err)
			}
			if _, err := Constant(tt.rate, tt.d); !errors.Is(err, ErrSchedule) {
				t.Errorf("Constant error = %v, want ErrSchedule", err)
			}
		})
	}
}

func TestScheduleRate(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
		want float64
	}{
		{name: "zero", s: Schedule{}, want: 0},
		{name: "four in two seconds", s: Schedule{Duration: 2 * time.Second, Offsets: make([]time.Duration, 4)}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Rate(); got != tt.want {
				t.Errorf("Rate() = %v, want %v", got, tt.want)
			}
		})
	}
}
