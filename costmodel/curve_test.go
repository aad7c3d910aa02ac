package costmodel

import (
	"testing"
	"time"
)

const ms = time.Millisecond

func TestCurveLatency(t *testing.T) {
	line := Curve{Base: 40 * ms, PerItem: 20 * ms}
	points := Curve{Points: []Point{{2, 40 * ms}, {4, 50 * ms}, {8, 90 * ms}}}
	one := Curve{Points: []Point{{4, 30 * ms}}}
	tests := []struct {
		name  string
		curve Curve
		b     int
		want  time.Duration
	}{
		{"line at 1", line, 1, 60 * ms},
		{"line at 8", line, 8, 200 * ms},
		{"line below 1 counts as 1", line, 0, 60 * ms},
		{"zero curve", Curve{}, 5, 0},
		{"points at the first point", points, 2, 40 * ms},
		{"points below the first point stay at its latency", points, 1, 40 * ms},
		{"points between the first two", points, 3, 45 * ms},
		{"points at an inner point", points, 4, 50 * ms},
		{"points in the last segment", points, 7, 80 * ms},
		{"points at the last point", points, 8, 90 * ms},
		{"points beyond the last, last slope", points, 10, 110 * ms},
		{"points ignore base and per_item", Curve{Base: time.Second, PerItem: time.Second, Points: points.Points}, 4, 50 * ms},
		{"one point below it", one, 1, 30 * ms},
		{"one point beyond it is flat", one, 9, 30 * ms},
		{"uneven division truncates", Curve{Points: []Point{{1, 10 * ms}, {4, 20 * ms}}}, 2, 10*ms + 10*ms/3},
		{"decreasing extrapolation never negative", Curve{Points: []Point{{1, 10 * ms}, {2, 5 * ms}}}, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.curve.Latency(tt.b); got != tt.want {
				t.Errorf("Latency(%d) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
}

func TestCurveMaxBatchWithin(t *testing.T) {
	gpu := Curve{Base: 32 * ms, PerItem: 4 * ms}
	points := Curve{Points: []Point{{1, 36 * ms}, {8, 64 * ms}, {32, 160 * ms}}}
	tests := []struct {
		name     string
		curve    Curve
		maxBatch int
		budget   time.Duration
		want     int
	}{
		{"whole range fits", gpu, 32, 250 * ms, 32},
		{"exactly at the budget", gpu, 32, 160 * ms, 32},
		{"budget cuts the batch", gpu, 32, 100 * ms, 17},
		{"only one fits", gpu, 32, 36 * ms, 1},
		{"none fits", gpu, 32, 35 * ms, 0},
		{"max batch 1", gpu, 1, time.Second, 1},
		{"max batch 0", gpu, 0, time.Second, 0},
		{"negative max batch", gpu, -3, time.Second, 0},
		{"zero curve fits everything", Curve{}, 64, 0, 64},
		{"points between points", points, 32, 100 * ms, 17},
		{"points at a point", points, 32, 64 * ms, 8},
		{"points none fits", points, 32, 35 * ms, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.curve.MaxBatchWithin(tt.maxBatch, tt.budget); got != tt.want {
				t.Errorf("MaxBatchWithin(%d, %v) = %d, want %d", tt.maxBatch, tt.budget, got, tt.want)
			}
		})
	}
}

// TestMaxBatchWithinMatchesScan checks the binary search against a scan
// over every batch size.
func TestMaxBatchWithinMatchesScan(t *testing.T) {
	curves := []Curve{
		{Base: 40 * ms, PerItem: 20 * ms},
		{Base: 200 * ms},
		{Points: []Point{{1, 10 * ms}, {3, 10 * ms}, {5, 30 * ms}, {9, 31 * ms}}},
	}
	for ci, c := range curves {
		for budget := time.Duration(0); budget <= 300*ms; budget += ms {
			want := 0
			for b := 1; b <= 12; b++ {
				if c.Latency(b) <= budget {
					want = b
				}
			}
			if got := c.MaxBatchWithin(12, budget); got != want {
				t.Fatalf("curve %d: MaxBatchWithin(12, %v) = %d, want %d", ci, budget, got, want)
			}
		}
	}
}
