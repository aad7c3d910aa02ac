package router

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/costmodel"
)

func TestEstimatedCosts(t *testing.T) {
	// 3.6 USD/h is 0.001 USD per second of worker time.
	linear := costmodel.Pool{PricePerHour: 3.6, Curve: costmodel.Curve{Base: 100 * time.Millisecond, PerItem: 10 * time.Millisecond}, MaxBatch: 8}
	tests := []struct {
		name      string
		pool      costmodel.Pool
		slo       time.Duration
		rows      int64
		wantBatch float64
		wantReq   float64
	}{
		// A batch of 8 takes 180 ms, within the 500 ms budget of a 1 s SLO.
		{"batch of the SLO", linear, time.Second, 2, 0.001 * 0.120, 2 * 0.001 * 0.180 / 8},
		// Not even a batch of 1 (110 ms) fits the 50 ms budget of a 100 ms
		// SLO: the request costs as one of a batch of 1.
		{"no batch fits the SLO", linear, 100 * time.Millisecond, 3, 0.001 * 0.130, 3 * 0.001 * 0.110},
		{"free pool", costmodel.Pool{Curve: linear.Curve}, time.Second, 4, 0, 0},
		{"rows beyond int32", linear, time.Second, math.MaxInt64, 0.001 * (0.1 + 0.01*math.MaxInt32), math.MaxInt64 * 0.001 * 0.180 / 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := [2]float64{batchCost(tt.pool, tt.rows), requestCost(tt.pool, tt.slo, tt.rows)}
			if diff := cmp.Diff([2]float64{tt.wantBatch, tt.wantReq}, got, cmpopts.EquateApprox(1e-9, 0)); diff != "" {
				t.Errorf("batch and request cost (-want +got):\n%s", diff)
			}
		})
	}
}
