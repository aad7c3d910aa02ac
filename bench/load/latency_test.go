package load

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLatencies(t *testing.T) {
	ms := time.Millisecond
	// Three significant digits: a value read back is within 0.1%.
	approx := cmpopts.EquateApprox(0.001, 0)
	tests := []struct {
		name   string
		record []time.Duration
		// want is count, p50, p99, max and mean, in milliseconds.
		want []float64
	}{
		{name: "empty", want: []float64{0, 0, 0, 0, 0}},
		{name: "one", record: []time.Duration{40 * ms}, want: []float64{1, 40, 40, 40, 40}},
		{
			name:   "one to a hundred",
			record: ramp(100, ms),
			want:   []float64{100, 50, 99, 100, 50.5},
		},
		{
			name:   "clamped to the range",
			record: []time.Duration{0, 2 * MaxLatency},
			want:   []float64{2, 0.001, float64(MaxLatency / ms), float64(MaxLatency / ms), float64(MaxLatency/ms) / 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLatencies()
			for _, d := range tt.record {
				l.Record(d)
			}
			got := []float64{float64(l.Count()), msOf(l.Quantile(0.5)), msOf(l.Quantile(0.99)), msOf(l.Max()), msOf(l.Mean())}
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("[count p50 p99 max mean] (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatenciesMerge(t *testing.T) {
	a, b := NewLatencies(), NewLatencies()
	for _, d := range ramp(50, time.Millisecond) {
		a.Record(d)
		b.Record(d + 50*time.Millisecond)
	}
	a.Merge(b)
	got := []float64{float64(a.Count()), msOf(a.Quantile(0.5)), msOf(a.Max())}
	if diff := cmp.Diff([]float64{100, 50, 100}, got, cmpopts.EquateApprox(0.001, 0)); diff != "" {
		t.Errorf("[count p50 max] after merge (-want +got):\n%s", diff)
	}
	if b.Count() != 50 {
		t.Errorf("merged-from histogram changed: count %d, want 50", b.Count())
	}
}

// ramp returns unit, 2·unit, ..., n·unit.
func ramp(n int, unit time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * unit
	}
	return out
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
