package pareto

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// scenarioDir is the scenarios the repository ships, relative to this
// package.
const scenarioDir = "../scenarios"

// The configuration's defaults this package's fleets and specs are given
// by hand, since the simulator and the scaler have none of their own.
const (
	testInterval    = time.Second
	testTimeout     = 30 * time.Second
	testRetryWindow = 10 * time.Second
)

// refFleet returns the reference fleet of the bench scenarios
// (configs/bench.yaml).
func refFleet() sim.Fleet {
	ms := time.Millisecond
	return sim.Fleet{
		Pools: []sim.Pool{
			{Pool: costmodel.Pool{Name: "cpu-small", PricePerHour: 0.1, Curve: costmodel.Curve{Base: 200 * ms}, MaxBatch: 1, ColdStart: 10 * time.Second}, Min: 1, Max: 60},
			{Pool: costmodel.Pool{Name: "cpu-large", PricePerHour: 0.5, Curve: costmodel.Curve{Base: 40 * ms, PerItem: 20 * ms}, MaxBatch: 8, ColdStart: 20 * time.Second}, Max: 30},
			{Pool: costmodel.Pool{Name: "gpu-spot", PricePerHour: 1.2, Spot: true, Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: time.Minute}, Max: 16},
			{Pool: costmodel.Pool{Name: "gpu-ondemand", PricePerHour: 3, Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: 90 * time.Second}, Max: 16},
		},
		Kinds: [2]sim.Kind{
			{Model: "sum", Tier: "light", Pools: []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"}, SLO: 500 * ms, Timeout: testTimeout, Rows: 1},
			{Model: "sum-heavy", Tier: "heavy", Pools: []string{"gpu-spot", "gpu-ondemand"}, SLO: time.Second, Timeout: testTimeout, Rows: 2},
		},
		Interval:      testInterval,
		RetryBudget:   0.2,
		RetryWindow:   testRetryWindow,
		BudgetPerHour: 30,
	}
}

// refSpec returns the scaler's spec of f, its rules' knobs at the
// configuration's defaults but for the fleet's interval.
func refSpec(t testing.TB, f sim.Fleet) *scaler.Spec {
	t.Helper()
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

// gpuFleet is one GPU pool of 200 rows/s per replica at 1 $/h serving
// every request, light and heavy alike.
func gpuFleet() sim.Fleet {
	ms := time.Millisecond
	gpu := costmodel.Pool{Name: "gpu", PricePerHour: 1, Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: 10 * time.Second}
	return sim.Fleet{
		Pools: []sim.Pool{{Pool: gpu, Max: 8}},
		Kinds: [2]sim.Kind{
			{Model: "m", Tier: "t", Pools: []string{"gpu"}, SLO: 500 * ms, Timeout: testTimeout, Rows: 1},
			{Model: "m", Tier: "t", Pools: []string{"gpu"}, SLO: 500 * ms, Timeout: testTimeout, Rows: 1},
		},
		Interval: testInterval, SpotRate: -1, BudgetPerHour: 30,
	}
}

// fixed is a family that holds n replicas of every pool, for tests whose
// answer is known.
var fixed = sim.Family{
	Name:  "fixed",
	Doc:   "n replicas of every pool, all the time",
	Knobs: []sim.Knob{{Name: "n", Doc: "replicas", Values: []float64{1, 2, 3, 4}, Default: 3}},
	Build: func(p sim.Point) sim.NewPolicyFunc {
		return func(s sim.Setup) (sim.Policy, error) { return hold(make([]int, len(s.Fleet.Pools)), int(p["n"])), nil }
	},
}

// one is fixed at one replica only: it reaches no level on flat.
var one = sim.Family{Name: "one", Doc: "one replica of every pool", Build: fixed.Build,
	Knobs: []sim.Knob{{Name: "n", Doc: "replicas", Values: []float64{1}, Default: 1}}}

// hold is a policy that keeps every pool at n replicas.
type holdPolicy []int

func hold(out []int, n int) holdPolicy {
	for i := range out {
		out[i] = n
	}
	return out
}

func (h holdPolicy) Start(*sim.Observation) []int         { return h }
func (h holdPolicy) Decide(*sim.Observation) sim.Decision { return sim.Decision{Replicas: h} }

// flat returns a scenario of seconds seconds at rps, light only.
func flat(name string, seconds int, rps float64) sim.Scenario {
	tr := sim.Trace{Name: name, Seconds: make([]sim.Second, seconds)}
	for i := range tr.Seconds {
		tr.Seconds[i] = sim.Second{RPS: rps}
	}
	return sim.Scenario{Name: name, Trace: tr}
}
