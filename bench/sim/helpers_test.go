package sim

import (
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// scenarioDir is the scenarios the repository ships, relative to this
// package.
const scenarioDir = "../scenarios"

// refFleet returns the reference fleet of the bench scenarios.
func refFleet() Fleet {
	ms := time.Millisecond
	return Fleet{
		Pools: []Pool{
			{Pool: costmodel.Pool{Name: "cpu-small", PricePerHour: 0.1, Curve: costmodel.Curve{Base: 200 * ms}, MaxBatch: 1, ColdStart: 10 * time.Second}, Min: 1, Max: 60},
			{Pool: costmodel.Pool{Name: "cpu-large", PricePerHour: 0.5, Curve: costmodel.Curve{Base: 40 * ms, PerItem: 20 * ms}, MaxBatch: 8, ColdStart: 20 * time.Second}, Max: 30},
			{Pool: costmodel.Pool{Name: "gpu-spot", PricePerHour: 1.2, Spot: true, Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: time.Minute}, Max: 16},
			{Pool: costmodel.Pool{Name: "gpu-ondemand", PricePerHour: 3, Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: 90 * time.Second}, Max: 16},
		},
		Kinds: [2]Kind{
			{Model: "sum", Tier: "light", Pools: []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"}, SLO: 500 * ms, Timeout: 30 * time.Second, Rows: 1},
			{Model: "sum-heavy", Tier: "heavy", Pools: []string{"gpu-spot", "gpu-ondemand"}, SLO: time.Second, Timeout: 30 * time.Second, Rows: 2},
		},
		Interval:      time.Second,
		RetryBudget:   0.2,
		RetryWindow:   10 * time.Second,
		BudgetPerHour: 30,
	}
}

// refSpec returns the scaler's spec of f with its defaults.
func refSpec(t testing.TB, f Fleet) *scaler.Spec {
	t.Helper()
	// The rules' knobs at the configuration's defaults, but for the
	// fleet's interval.
	c := scaler.Config{
		Interval: f.Interval, Stabilization: 5 * time.Minute, HoldColdStarts: 3, PanicWindow: 6 * time.Second,
		PanicThreshold: 2, SpotShareMax: 1, SpotBackoff: 2 * time.Minute, QueueDrainTarget: 5 * time.Second,
		Budget: scaler.Budget{PerHour: f.BudgetPerHour},
	}
	for _, p := range f.Pools {
		c.Pools = append(c.Pools, scaler.PoolConfig{Pool: p.Pool, Min: p.Min, Max: p.Max})
	}
	for _, k := range f.Kinds {
		c.Tiers = append(c.Tiers, scaler.TierConfig{Name: k.Tier, SLO: k.SLO, Pools: k.Pools})
	}
	spec, err := scaler.NewSpec(c)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// flatTrace returns seconds seconds at rps with a heavy share.
func flatTrace(name string, seconds int, rps, heavy float64) Trace {
	tr := Trace{Name: name, Seconds: make([]Second, seconds)}
	for i := range tr.Seconds {
		tr.Seconds[i] = Second{RPS: rps, HeavyFraction: heavy}
	}
	return tr
}

// mustLoad reads a scenario of testdata.
func mustLoad(t testing.TB, name string) Scenario {
	t.Helper()
	sc, err := loadScenario("testdata/" + name + ".trace.csv")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
