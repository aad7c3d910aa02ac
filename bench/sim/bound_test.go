package sim

import (
	"errors"
	"math"
	"testing"
)

// TestLowerBound prices flat traces on the reference fleet by hand. Best
// throughputs within the SLO: cpu-small 5 rows/s (0.02 $/h per row/s),
// cpu-large 40 (0.0125), each GPU 200 (spot 0.006, on-demand 0.015).
func TestLowerBound(t *testing.T) {
	f := refFleet()
	flat := flatTrace("flat", 100, 400, 0.25) // 300 light rows/s, 200 heavy
	down := []Event{{Second: 50, Kind: PoolDown, Pool: "gpu-spot"}}
	dear := []Event{{Second: 0, Kind: Price, Pool: "gpu-spot", Value: 2.4}}
	tests := []struct {
		name    string
		trace   Trace
		events  []Event
		perHour [][2]float64 // (seconds, USD per hour) pieces
	}{
		// cpu-small's minimum (0.1 $/h) serves 5 light rows; the rest on spot.
		{name: "flat", trace: flat, perHour: [][2]float64{{100, 0.1 + 200*0.006 + 295*0.006}}},
		// Without spot: light on cpu-large, heavy on on-demand.
		{name: "spot down", trace: flat, events: down,
			perHour: [][2]float64{{50, 0.1 + 495*0.006}, {50, 0.1 + 295*0.0125 + 200*0.015}}},
		{name: "spot dearer", trace: flat, events: dear, perHour: [][2]float64{{100, 0.1 + 495*0.012}}},
		// More than the fleet can carry: every pool at its max.
		{name: "over capacity", trace: flatTrace("big", 10, 10000, 0), perHour: [][2]float64{{10, 6 + 15 + 19.2 + 48}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := 0.0
			for _, p := range tt.perHour {
				want += p[0] * p[1] / 3600
			}
			got, err := LowerBound(f, tt.trace, tt.events)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("lower bound %.9f $, want %.9f", got, want)
			}
		})
	}
	if _, err := LowerBound(f, flat, []Event{{Kind: PoolDown, Pool: "nope"}}); !errors.Is(err, ErrUnknownPool) {
		t.Errorf("unknown pool: error %v, want ErrUnknownPool", err)
	}
}

// TestFlowNet: two sources share a cheap sink edge; the one with no
// other way gets it.
func TestFlowNet(t *testing.T) {
	// 0 → a(1), b(2); a → cheap(3), dear(4); b → cheap only; sinks → 5.
	g := newFlowNet(6)
	g.add(0, 1, 10, 0)
	g.add(0, 2, 10, 0)
	g.add(1, 3, math.Inf(1), 0)
	g.add(1, 4, math.Inf(1), 0)
	g.add(2, 3, math.Inf(1), 0)
	g.add(3, 5, 10, 1)
	g.add(4, 5, 10, 2)
	if got := g.minCost(0, 5); math.Abs(got-30) > 1e-9 {
		t.Errorf("cost %v, want 30 (b's 10 cheap, a's 10 dear)", got)
	}
}
