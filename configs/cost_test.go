package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

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
