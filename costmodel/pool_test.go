package costmodel

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// benchPools is the reference fleet of configs/bench.yaml.
func benchPools() []Pool {
	return []Pool{
		{Name: "cpu-small", PricePerHour: 0.10, Curve: Curve{Base: 200 * ms}, MaxBatch: 1},
		{Name: "cpu-large", PricePerHour: 0.50, Curve: Curve{Base: 40 * ms, PerItem: 20 * ms}, MaxBatch: 8},
		{Name: "gpu-spot", PricePerHour: 1.20, Spot: true, Curve: Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32},
		{Name: "gpu-ondemand", PricePerHour: 3.00, Curve: Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32},
	}
}

var approx = cmpopts.EquateApprox(0, 1e-9)

// TestReferenceFleet checks the figures the design quotes for the bench
// fleet at a 500 ms SLO: full batches, 5/40/200/200 inferences per second,
// and 5.56, 3.47, 1.67, 4.17 $ per million at full utilization.
func TestReferenceFleet(t *testing.T) {
	type figures struct {
		Batch            int
		Throughput       float64
		Full, Seventy    float64 // $/M, rounded to cents
		MinLatencyMillis int64
	}
	want := map[string]figures{
		"cpu-small":    {1, 5, 5.56, 7.94, 200},
		"cpu-large":    {8, 40, 3.47, 4.96, 60},
		"gpu-spot":     {32, 200, 1.67, 2.38, 36},
		"gpu-ondemand": {32, 200, 4.17, 5.95, 36},
	}
	got := map[string]figures{}
	slo := 500 * ms
	for _, p := range benchPools() {
		got[p.Name] = figures{
			Batch:            p.BatchAt(slo),
			Throughput:       p.Throughput(slo),
			Full:             cents(p.CostPerMillion(slo, 1)),
			Seventy:          cents(p.CostPerMillion(slo, 0.7)),
			MinLatencyMillis: p.MinLatency().Milliseconds(),
		}
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("reference fleet (-want +got):\n%s", diff)
	}
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }

func TestPoolAtSLO(t *testing.T) {
	gpu := benchPools()[2]
	tests := []struct {
		name       string
		pool       Pool
		slo        time.Duration
		batch      int
		throughput float64
		costFull   float64
	}{
		{"reference", gpu, 500 * ms, 32, 200, 1.2 / 0.72},
		{"SLO halves into the service budget", gpu, 200 * ms, 17, 17 / 0.1, 1.2 / (3600 * 170) * 1e6},
		{"SLO too tight for one item", gpu, 70 * ms, 0, 0, math.Inf(1)},
		{"max batch 0 counts as 1", Pool{PricePerHour: 1, Curve: Curve{Base: 100 * ms}}, time.Second, 1, 10, 1 / 0.036},
		{"free pool", Pool{Curve: Curve{Base: 100 * ms}, MaxBatch: 1}, time.Second, 1, 10, 0},
		{"curve that takes no time", Pool{PricePerHour: 1, MaxBatch: 4}, time.Second, 4, math.Inf(1), 0},
		{"points curve", Pool{PricePerHour: 1.2, Curve: Curve{Points: []Point{{1, 36 * ms}, {32, 160 * ms}}}, MaxBatch: 64}, 500 * ms, 54, 54 / 0.248, 1.2 / (3600 * 54 / 0.248) * 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.pool
			got := []float64{float64(p.BatchAt(tt.slo)), p.Throughput(tt.slo), p.CostPerMillion(tt.slo, 1)}
			want := []float64{float64(tt.batch), tt.throughput, tt.costFull}
			if diff := cmp.Diff(want, got, approx); diff != "" {
				t.Errorf("[batch, throughput, $/M] (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCostPerMillionUtilization(t *testing.T) {
	p := benchPools()[0] // 5.5556 $/M at full utilization
	full := 0.10 / (3600 * 5) * 1e6
	tests := []struct {
		name        string
		utilization float64
		want        float64
	}{
		{"full", 1, full},
		{"half costs double", 0.5, 2 * full},
		{"above 1 counts as 1", 1.5, full},
		{"zero", 0, math.Inf(1)},
		{"negative", -0.5, math.Inf(1)},
		{"NaN", math.NaN(), math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.CostPerMillion(500*ms, tt.utilization)
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("CostPerMillion(500ms, %v) (-want +got):\n%s", tt.utilization, diff)
			}
		})
	}
}

func TestMarginal(t *testing.T) {
	gpu := benchPools()[2] // 200/s, 1.20 $/h per replica at 500 ms
	tests := []struct {
		name     string
		slo      time.Duration
		replicas int
		up, down Step
	}{
		{"from three", 500 * ms, 3, Step{4, 200, 1.2}, Step{2, -200, -1.2}},
		{"from one", 500 * ms, 1, Step{2, 200, 1.2}, Step{0, -200, -1.2}},
		{"from empty", 500 * ms, 0, Step{1, 200, 1.2}, Step{}},
		{"negative counts as empty", 500 * ms, -2, Step{1, 200, 1.2}, Step{}},
		{"SLO no batch fits: cost without capacity", 50 * ms, 2, Step{3, 0, 1.2}, Step{1, 0, -1.2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, down := gpu.Marginal(tt.slo, tt.replicas)
			if diff := cmp.Diff([]Step{tt.up, tt.down}, []Step{up, down}, approx); diff != "" {
				t.Errorf("Marginal(%v, %d) [up, down] (-want +got):\n%s", tt.slo, tt.replicas, diff)
			}
		})
	}
}

func TestCapacityAndCostPerHour(t *testing.T) {
	p := benchPools()[1] // 40/s, 0.50 $/h
	got := []float64{p.Capacity(500*ms, 3), p.CostPerHour(3), p.Capacity(500*ms, -1), p.CostPerHour(-1)}
	if diff := cmp.Diff([]float64{120, 1.5, 0, 0}, got, approx); diff != "" {
		t.Errorf("[Capacity(3), CostPerHour(3), Capacity(-1), CostPerHour(-1)] (-want +got):\n%s", diff)
	}
}

func TestServiceBudget(t *testing.T) {
	if got := ServiceBudget(500 * ms); got != 250*ms {
		t.Errorf("ServiceBudget(500ms) = %v, want 250ms", got)
	}
}
