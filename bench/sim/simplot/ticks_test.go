package simplot

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/plot"
)

// labels returns the labelled ticks' labels.
func labels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestRoundTicks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		want   []string
	}{
		{name: "queue of thousands", lo: 0, hi: 25000, want: []string{"0", "5k", "10k", "15k", "20k", "25k"}},
		{name: "requests per second", lo: 0, hi: 2100, want: []string{"0", "500", "1000", "1500", "2000"}},
		{name: "dollars per hour", lo: 0, hi: 3.7, want: []string{"0", "1", "2", "3"}},
		{name: "fractions", lo: 0, hi: 0.37, want: []string{"0", "0.1", "0.2", "0.3"}},
		{name: "minutes", lo: 0, hi: 30, want: []string{"0", "10", "20", "30"}},
		{name: "empty range", lo: 4, hi: 4, want: []string{"4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, labels(roundTicks{}.Ticks(tt.lo, tt.hi))); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMSLogTicks(t *testing.T) {
	want := []string{"50ms", "100ms", "200ms", "500ms", "1s", "2s", "5s", "10s", "20s"}
	if diff := cmp.Diff(want, labels(msLogTicks{}.Ticks(40, 30000))); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}

func TestNines(t *testing.T) {
	want := []string{"0.5", "0.9", "0.99", "0.999", "0.9999", "≥0.99999"}
	if diff := cmp.Diff(want, labels(ninesTicks{}.Ticks(0.4, 1))); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	s := ninesScale{}
	// 0.9, 0.99 and 0.999 sit one step apart; 1 sits with 0.99999.
	a, b, c := s.Normalize(0, 0.99999, 0.9), s.Normalize(0, 0.99999, 0.99), s.Normalize(0, 0.99999, 0.999)
	if d1, d2 := b-a, c-b; d1 <= 0 || d2-d1 > 1e-9 || d1-d2 > 1e-9 {
		t.Errorf("steps %v and %v, want equal", d1, d2)
	}
	if got := s.Normalize(0, 0.99999, 1); got != 1 {
		t.Errorf("1 at %v, want the top", got)
	}
}
