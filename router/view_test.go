package router

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

// TestViewOf builds views from plain values, as the router and the
// simulator do.
func TestViewOf(t *testing.T) {
	gpu := costmodel.Pool{Name: "gpu", PricePerHour: 1.2, MaxBatch: 32,
		Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}}
	// Heavy requests of 2 rows are queued and in flight: the wait is in
	// rows, the unit of the throughput, not in requests.
	busy := batcher.Stats{
		Queued:       batcher.ClassCounts{High: 2, Normal: 5, Low: 7},
		QueuedRows:   batcher.ClassCounts{High: 4, Normal: 10, Low: 7},
		ArrivingRows: batcher.ClassRates{High: 30, Normal: 100, Low: 10},
		Workers:      3, Slots: 3, InFlightBatches: 2, InFlightItems: 40, InFlightRows: 80,
	}
	standing := busy
	standing.Standing = batcher.Classes(1 << 2) // the normal class
	heavy := Facts{Model: "m", Rows: 2, Priority: batcher.Normal, SLO: time.Second}
	tests := []struct {
		name string
		s    batcher.Stats
		m    Model
		f    Facts
		want PoolView
	}{{
		name: "a batching model: the batch within half the SLO, the rows at its class or above ahead",
		s:    busy, m: Model{Name: "m", Batching: true}, f: heavy,
		want: PoolView{Name: "gpu", Ready: 3, FreeSlots: 1, Ahead: 14, InFlight: 80, Overtaking: 30, MaxBatch: 32, BatchAt: 32,
			Throughput: 200, CostPerMillion: gpu.CostPerMillion(time.Second, 1), Curve: gpu.Curve},
	}, {
		name: "the model's own batch limit",
		s:    busy, m: Model{Name: "m", Batching: true, MaxBatch: 8}, f: heavy,
		want: PoolView{Name: "gpu", Ready: 3, FreeSlots: 1, Ahead: 14, InFlight: 80, Overtaking: 30, MaxBatch: 32, BatchAt: 8,
			Throughput: 8 / 0.064, CostPerMillion: gpu.CostPerMillion(time.Second, 1), Curve: gpu.Curve},
	}, {
		name: "a model that does not batch goes one at a time; a high request has only its class ahead",
		s:    busy, m: Model{Name: "m"}, f: Facts{Model: "m", Rows: 1, Priority: batcher.High, SLO: time.Second},
		want: PoolView{Name: "gpu", Ready: 3, FreeSlots: 1, Ahead: 4, InFlight: 80, MaxBatch: 32, BatchAt: 1,
			Throughput: 1 / 0.036, CostPerMillion: gpu.CostPerMillion(time.Second, 1), Curve: gpu.Curve},
	}, {
		name: "a standing class serves its newest first, yet its rows count: later arrivals go first and the pool is behind",
		s:    standing, m: Model{Name: "m", Batching: true}, f: heavy,
		want: PoolView{Name: "gpu", Ready: 3, FreeSlots: 1, Ahead: 14, InFlight: 80, Overtaking: 30, MaxBatch: 32, BatchAt: 32,
			Throughput: 200, CostPerMillion: gpu.CostPerMillion(time.Second, 1), Curve: gpu.Curve},
	}, {
		name: "a low request is overtaken by every other class",
		s:    busy, m: Model{Name: "m", Batching: true}, f: Facts{Model: "m", Rows: 1, Priority: batcher.Low, SLO: time.Second},
		want: PoolView{Name: "gpu", Ready: 3, FreeSlots: 1, Ahead: 21, InFlight: 80, Overtaking: 130, MaxBatch: 32, BatchAt: 32,
			Throughput: 200, CostPerMillion: gpu.CostPerMillion(time.Second, 1), Curve: gpu.Curve},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ViewOf("gpu", tt.s, gpu, tt.m, tt.f)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(closeTo)); diff != "" {
				t.Errorf("ViewOf (-want +got):\n%s", diff)
			}
		})
	}
}

// closeTo compares floats within a part in a billion.
func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}
