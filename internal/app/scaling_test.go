package app

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

func TestScalerConfig(t *testing.T) {
	ms := time.Millisecond
	cfg := &configs.Config{
		Models: []configs.Model{
			{Name: "small", Tier: "light", SLO: 500 * ms},
			{Name: "big", Tier: "heavy", SLO: 2 * time.Second},
			{Name: "chat", Tier: "light", SLO: 300 * ms},
		},
		Tiers: []configs.Tier{
			{Name: "light", Pools: []string{"cpu", "gpu"}},
			{Name: "heavy", Pools: []string{"gpu"}},
			{Name: "idle", Pools: []string{"cpu"}},
		},
		Routes: []configs.Route{{Match: configs.RouteMatch{Model: "ch*", MinElements: 1000}, Tier: "heavy"}},
		Pools: []configs.Pool{
			{Name: "cpu", PricePerHour: 0.1, Curve: costmodel.Curve{Base: 5 * ms}, MaxBatch: 1,
				Replicas: configs.Replicas{Min: 1, Initial: 2, Max: 4, Warm: 1}},
			{Name: "gpu", PricePerHour: 1.2, Spot: true, Curve: costmodel.Curve{Base: 30 * ms}, MaxBatch: 8,
				ColdStart: time.Minute, Replicas: configs.Replicas{Initial: 1, Max: 8}},
		},
		Scaler: configs.Scaler{
			Interval: time.Second, Stabilization: time.Minute, HoldColdStarts: 2, PanicWindow: 3 * time.Second, PanicThreshold: 3,
			SpotShareMax: 0.5, SpotBackoff: 30 * time.Second, QueueDrainTarget: 2 * time.Second, DryRun: true,
			Prewarm: []configs.Prewarm{{Schedule: "@daily", Duration: time.Hour, Pool: "gpu", Min: 2}},
		},
		Budget: configs.Budget{PerHour: 5, PerDay: 100},
	}
	want := scaler.Config{
		Pools: []scaler.PoolConfig{
			{Pool: cfg.Pools[0].CostModel(), Min: 1, Max: 4, Warm: 1},
			{Pool: cfg.Pools[1].CostModel(), Max: 8},
		},
		Tiers: []scaler.TierConfig{
			{Name: "light", SLO: 300 * ms, Pools: []string{"cpu", "gpu"}},
			{Name: "heavy", SLO: 300 * ms, Pools: []string{"gpu"}}, // chat may be routed here
			{Name: "idle", SLO: configs.DefaultSLO, Pools: []string{"cpu"}},
		},
		Interval: time.Second, Stabilization: time.Minute, HoldColdStarts: 2, PanicWindow: 3 * time.Second, PanicThreshold: 3,
		SpotShareMax: 0.5, SpotBackoff: 30 * time.Second, QueueDrainTarget: 2 * time.Second,
		Budget:  scaler.Budget{PerHour: 5, PerDay: 100},
		Prewarm: []scaler.Prewarm{{Schedule: "@daily", Duration: time.Hour, Pool: "gpu", Min: 2}},
	}
	if diff := cmp.Diff(want, scalerConfig(newInForce(cfg))); diff != "" {
		t.Errorf("scalerConfig (-want +got):\n%s", diff)
	}
}

// TestScalerSpecOfShippedConfigs checks that the scaler can plan with every
// configuration Sluice ships.
func TestScalerSpecOfShippedConfigs(t *testing.T) {
	files, err := filepath.Glob("../../configs/examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../configs/quickstart.yaml", "../../configs/bench.yaml", "../../configs/testdata/scaler.good.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := configs.Load(f)
			if err != nil {
				t.Skipf("not a Sluice configuration here: %v", err)
			}
			if _, err := ScalerSpec(cfg); err != nil {
				t.Errorf("ScalerSpec: %v", err)
			}
		})
	}
}
