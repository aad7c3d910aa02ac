package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// TestFleet builds the fleet of a configuration with two pools, the
// second's bounds left to their defaults.
func TestFleet(t *testing.T) {
	cfg, err := Parse("fleet.yaml", []byte(`
models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu, gpu]}]
pools:
  - {name: cpu, price_per_hour: 0.1, curve: {base: 2ms, per_item: 1ms}, max_batch: 8, replicas: {min: 1, initial: 2, max: 4, warm: 1}}
  - {name: gpu, price_per_hour: 1.2, spot: true, curve: {base: 30ms, per_item: 4ms}, max_batch: 32, cold_start: 1m}
`))
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	want := costmodel.Fleet{
		Pools: []costmodel.Pool{
			{Name: "cpu", PricePerHour: 0.1, Curve: costmodel.Curve{Base: 2 * ms, PerItem: ms}, MaxBatch: 8},
			{Name: "gpu", PricePerHour: 1.2, Spot: true, Curve: costmodel.Curve{Base: 30 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: time.Minute},
		},
		Bounds: map[string]costmodel.Bounds{
			"cpu": {Min: 1, Initial: 2, Max: 4, Warm: 1},
			"gpu": {Min: 0, Initial: 1, Max: 1},
		},
	}
	if diff := cmp.Diff(want, cfg.Fleet()); diff != "" {
		t.Errorf("Fleet() (-want +got):\n%s", diff)
	}
}
