package pareto

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// run is a run with the figures a selection reads.
func run(label string, cost, all, high float64, lost int64) Run {
	return Run{label: label, CostUSD: cost, SLOAll: all, SLOHigh: high, Lost: lost}
}

func TestCheapest(t *testing.T) {
	runs := []Run{
		run("dear", 9, 0.9999, 1, 0),
		run("cheap but loses", 1, 0.9999, 1, 2),
		run("cheap but high misses", 2, 0.9995, 0.99, 0),
		run("mid", 4, 0.9991, 0.999, 0),
		run("mid, better", 4, 0.9993, 0.999, 0),
		run("low", 3, 0.97, 1, 0),
		{label: "failed", Error: "boom"},
	}
	tests := []struct {
		level  float64
		want   string
		wantOK bool
	}{
		{level: 0.95, want: "low", wantOK: true},
		{level: 0.99, want: "mid, better", wantOK: true}, // a tie on cost goes to the higher attainment
		{level: 0.9995, want: "dear", wantOK: true},
		{level: 0.99999},
	}
	for _, tt := range tests {
		got, ok := Cheapest(runs, tt.level)
		if ok != tt.wantOK || got.label != tt.want {
			t.Errorf("level %v: %q, %v; want %q, %v", tt.level, got.label, ok, tt.want, tt.wantOK)
		}
	}
	if got, ok := Closest(runs); !ok || got.label != "cheap but loses" {
		t.Errorf("closest: %q, %v; want the cheaper of the two at 0.9999", got.label, ok)
	}
	if _, ok := Closest([]Run{{Error: "boom"}}); ok {
		t.Error("closest of failed runs found one")
	}
}

func TestFront(t *testing.T) {
	runs := []Run{
		run("a", 5, 0.99, 1, 0),
		run("dominated", 6, 0.98, 1, 0),
		run("b", 2, 0.9, 1, 0),
		run("same cost, less", 2, 0.8, 1, 0),
		run("c", 8, 0.999, 1, 0),
		{label: "failed", CostUSD: 1, SLOAll: 1, Error: "boom"},
	}
	var got []string
	for _, r := range Front(runs) {
		got = append(got, r.label)
	}
	if diff := cmp.Diff([]string{"b", "a", "c"}, got); diff != "" {
		t.Errorf("front (-want +got):\n%s", diff)
	}
}
