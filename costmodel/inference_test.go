package costmodel

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestInferenceCosts prices one batch, one inference and one request. A
// price of 3.6 $/h is 0.001 $ for each second a replica works.
func TestInferenceCosts(t *testing.T) {
	linear := Pool{PricePerHour: 3.6, Curve: Curve{Base: 100 * ms, PerItem: 10 * ms}, MaxBatch: 8}
	tests := []struct {
		name      string
		pool      Pool
		slo       time.Duration
		rows      int64
		wantBatch float64 // BatchCost(rows)
		wantOne   float64 // CostPerInference(slo)
		wantReq   float64 // RequestCost(slo, rows)
	}{
		// A batch of 8 takes 180 ms, within the 500 ms service budget of
		// a 1 s SLO.
		{"batch of the SLO", linear, time.Second, 2, 0.001 * 0.120, 0.001 * 0.180 / 8, 2 * 0.001 * 0.180 / 8},
		// A batch of 3 (130 ms) is the largest within 135 ms, 270 ms / 2.
		{"batch cut by the SLO", linear, 270 * ms, 1, 0.001 * 0.110, 0.001 * 0.130 / 3, 0.001 * 0.130 / 3},
		// Not even a batch of 1 (110 ms) fits the 50 ms budget of a
		// 100 ms SLO: the request is priced as a batch of one.
		{"no batch fits the SLO", linear, 100 * ms, 3, 0.001 * 0.130, 0.001 * 0.110, 3 * 0.001 * 0.110},
		{"no rows", linear, time.Second, 0, 0.001 * 0.110, 0.001 * 0.180 / 8, 0},
		{"negative rows", linear, time.Second, -4, 0.001 * 0.110, 0.001 * 0.180 / 8, 0},
		{"rows beyond int32", linear, time.Second, math.MaxInt64,
			0.001 * (0.1 + 0.01*math.MaxInt32), 0.001 * 0.180 / 8, math.MaxInt64 * 0.001 * 0.180 / 8},
		{"free pool", Pool{Curve: linear.Curve, MaxBatch: 8}, time.Second, 4, 0, 0, 0},
		{"batches take no time", Pool{PricePerHour: 3.6, MaxBatch: 8}, time.Second, 4, 0, 0, 0},
		// The polyline through (1, 100 ms) and (4, 160 ms): a batch of 4
		// fits a 400 ms SLO's 200 ms budget; MaxBatch 0 counts as 1.
		{"points, MaxBatch unset", Pool{PricePerHour: 3.6, Curve: Curve{Points: []Point{{1, 100 * ms}, {4, 160 * ms}}}},
			400 * ms, 2, 0.001 * 0.120, 0.001 * 0.100, 2 * 0.001 * 0.100},
		{"points", Pool{PricePerHour: 3.6, Curve: Curve{Points: []Point{{1, 100 * ms}, {4, 160 * ms}}}, MaxBatch: 4},
			400 * ms, 2, 0.001 * 0.120, 0.001 * 0.160 / 4, 2 * 0.001 * 0.160 / 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := [3]float64{tt.wantBatch, tt.wantOne, tt.wantReq}
			got := [3]float64{tt.pool.BatchCost(tt.rows), tt.pool.CostPerInference(tt.slo), tt.pool.RequestCost(tt.slo, tt.rows)}
			if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
				t.Errorf("batch, inference and request cost (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCostPerInferenceAgreesWithCostPerMillion checks that, wherever a
// batch fits the SLO, the two prices of full use are one price.
func TestCostPerInferenceAgreesWithCostPerMillion(t *testing.T) {
	for _, p := range benchPools() {
		for _, slo := range []time.Duration{100 * ms, 500 * ms, 2 * time.Second} {
			if p.BatchAt(slo) == 0 {
				continue
			}
			perMillion, perOne := p.CostPerMillion(slo, 1), p.CostPerInference(slo)
			if math.Abs(perOne*1e6-perMillion) > 1e-9*perMillion {
				t.Errorf("%s at %v: CostPerInference × 1e6 = %g, CostPerMillion = %g", p.Name, slo, perOne*1e6, perMillion)
			}
		}
	}
}
