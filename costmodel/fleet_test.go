package costmodel

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFleetCostPerHour(t *testing.T) {
	fleet := Fleet{Pools: benchPools()}
	tests := []struct {
		name     string
		replicas map[string]int
		want     float64
	}{
		{"nil replicas", nil, 0},
		{"one of each", map[string]int{"cpu-small": 1, "cpu-large": 1, "gpu-spot": 1, "gpu-ondemand": 1}, 4.8},
		{"several", map[string]int{"cpu-small": 10, "gpu-spot": 2}, 1 + 2.4},
		{"unknown pool ignored", map[string]int{"tpu": 5, "cpu-large": 2}, 1},
		{"negative counts as 0", map[string]int{"gpu-ondemand": -1, "cpu-large": 1}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, fleet.CostPerHour(tt.replicas), approx); diff != "" {
				t.Errorf("CostPerHour (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFleetPool(t *testing.T) {
	fleet := Fleet{Pools: benchPools()}
	if p, ok := fleet.Pool("gpu-spot"); !ok || p.PricePerHour != 1.20 || !p.Spot {
		t.Errorf("Pool(gpu-spot) = %+v, %v; want the spot GPU pool", p, ok)
	}
	if _, ok := fleet.Pool("tpu"); ok {
		t.Error("Pool(tpu) found a pool the fleet lacks")
	}
	if _, ok := (Fleet{}).Pool("cpu-small"); ok {
		t.Error("the zero Fleet has a pool")
	}
}
