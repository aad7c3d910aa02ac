package system

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/sim"
)

func TestSimKindOf(t *testing.T) {
	ms := time.Millisecond
	gpus := []string{"gpu-spot", "gpu-ondemand"}
	tests := []struct {
		name string
		kind RequestKind
		want sim.Kind
	}{
		{
			name: "light: the model's tier",
			kind: RequestKind{Model: "sum", Rows: 1, Elements: 4},
			want: sim.Kind{Model: "sum [*,4]", Tier: "light", Pools: []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"},
				SLO: 500 * ms, Timeout: 30 * time.Second, Rows: 1},
		},
		{
			name: "heavy: routed by its elements, with its model's SLO",
			kind: RequestKind{Model: "sum", Rows: 2, Elements: 4096},
			want: sim.Kind{Model: "sum [*,2048]", Tier: "heavy", Pools: gpus, SLO: 500 * ms, Timeout: 30 * time.Second, Rows: 2},
		},
		{
			name: "a heavy model by name",
			kind: RequestKind{Model: "sum-heavy", Rows: 2, Elements: 8},
			want: sim.Kind{Model: "sum-heavy [*,4]", Tier: "heavy", Pools: gpus, SLO: time.Second, Timeout: 30 * time.Second, Rows: 2},
		},
	}
	cfg := loadBenchConfig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := simKindOf(cfg, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("simKindOf() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRealFleetTurnsOffWhatLocalWorkersLack(t *testing.T) {
	kinds := [2]RequestKind{{Model: "sum", Rows: 1, Elements: 4}, {Model: "sum", Rows: 2, Elements: 4096}}
	f, err := realFleet(loadBenchConfig(t), kinds)
	if err != nil {
		t.Fatal(err)
	}
	if f.SpotRate >= 0 || f.MinBilling != time.Nanosecond || len(f.Pools) != 4 || f.Kinds[sim.Heavy].Tier != "heavy" {
		t.Errorf("spot rate %g, min billing %v, %d pools, heavy tier %q: want < 0, 1ns, 4, heavy",
			f.SpotRate, f.MinBilling, len(f.Pools), f.Kinds[sim.Heavy].Tier)
	}
}
