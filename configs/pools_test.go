package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// poolsBad lists the pools' bad files and their problems, in order.
var poolsBad = []badCase{
	{"negative-price", []string{"negative-price.bad.yaml:7: pools[1].price_per_hour: -0.5 must be >= 0"}},
	{"max-batch", []string{"max-batch.bad.yaml:6: pools[0].max_batch: -1 must be >= 1", "max-batch.bad.yaml:7: pools[0].max_batch_bytes: -3 must be >= 1"}},
	{"min-max", []string{"min-max.bad.yaml:7: pools[0].replicas.min: 5 must be <= max 2"}},
	{"initial-max", []string{"initial-max.bad.yaml:6: pools[0].replicas.initial: 3 must be between min 0 and max 2"}},
	{"pool-name", []string{`pool-name.bad.yaml:4: pools[0].name: "GPU_Pool" is not a DNS-1123 label`}},
	{"no-curve", []string{"no-curve.bad.yaml:4: pools[0].curve: is required for emulated workers"}},
	{"negative-curve", []string{"negative-curve.bad.yaml:7: pools[0].curve.per_item: -1ms must be >= 0"}},
	{"curve-points-order", []string{
		"curve-points-order.bad.yaml:8: pools[0].curve.points[1].batch: 4 must be greater than the previous point's batch 4",
		"curve-points-order.bad.yaml:8: pools[0].curve.points[1].latency: 40ms must be >= the previous point's latency 50ms",
	}},
	{"curve-points-and-line", []string{"curve-points-and-line.bad.yaml:7: pools[0].curve.points: must not be set together with base or per_item"}},
	{"curve-point-zero", []string{
		"curve-point-zero.bad.yaml:7: pools[0].curve.points[0].batch: 0 must be >= 1",
		"curve-point-zero.bad.yaml:8: pools[0].curve.points[0].latency: 0s must be > 0",
	}},
}

func TestPoolsBad(t *testing.T) { loadBad(t, poolsBad) }

func TestReplicasDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Replicas
		want Replicas
	}{
		{"nothing set", Replicas{}, Replicas{Min: 0, Initial: 1, Max: 1}},
		{"min only", Replicas{Min: 3}, Replicas{Min: 3, Initial: 3, Max: 3}},
		{"max only", Replicas{Max: 5}, Replicas{Min: 0, Initial: 1, Max: 5}},
		{"min and max", Replicas{Min: 2, Max: 5}, Replicas{Min: 2, Initial: 2, Max: 5}},
		{"initial only", Replicas{Initial: 4}, Replicas{Min: 0, Initial: 4, Max: 4}},
		{"all set", Replicas{Min: 1, Initial: 2, Max: 3}, Replicas{Min: 1, Initial: 2, Max: 3}},
		{"negative initial kept for validation", Replicas{Initial: -1}, Replicas{Initial: -1, Max: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.applyDefaults()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("applyDefaults(%+v) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestPoolCostModel(t *testing.T) {
	cfg, err := Load("testdata/curve-points.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	ms := time.Millisecond
	want := costmodel.Pool{
		Name:         "gpu",
		PricePerHour: 1.2,
		Spot:         true,
		Curve:        costmodel.Curve{Points: []costmodel.Point{{Batch: 1, Latency: 36 * ms}, {Batch: 8, Latency: 64 * ms}, {Batch: 32, Latency: 160 * ms}}},
		MaxBatch:     32,
		ColdStart:    60 * time.Second,
	}
	if diff := cmp.Diff(want, cfg.Pools[0].CostModel()); diff != "" {
		t.Errorf("CostModel() (-want +got):\n%s", diff)
	}
}

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
