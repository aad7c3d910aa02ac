package costmodel

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestQuote quotes the bench fleet's small CPU pod, which meets a 500 ms
// SLO with batches of one at 5/s, and the GPU pool at an SLO it cannot
// meet.
func TestQuote(t *testing.T) {
	pools := benchPools()
	want := Quote{
		Pool: "cpu-small", PricePerHour: 0.10, SLO: 500 * ms, Batch: 1, Throughput: 5,
		PerMillionBusy: 0.10 / (3600 * 5) * 1e6, PerMillionTypical: 0.10 / (3600 * 5 * 0.7) * 1e6,
	}
	if diff := cmp.Diff(want, pools[0].Quote(500*ms), approx); diff != "" {
		t.Errorf("Quote (-want +got):\n%s", diff)
	}
	q := pools[2].Quote(50 * ms)
	if q.Batch != 0 || q.Throughput != 0 || !math.IsInf(q.PerMillionBusy, 1) || !math.IsInf(q.PerMillionTypical, 1) || !q.Spot {
		t.Errorf("Quote of a pool that cannot meet the SLO = %+v; want no batch, no throughput, infinite costs", q)
	}
}
