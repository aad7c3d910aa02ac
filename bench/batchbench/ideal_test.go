package batchbench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/costmodel"
)

func TestIdeal(t *testing.T) {
	ms := time.Millisecond
	curve := costmodel.Curve{Base: 10 * ms, PerItem: ms} // t(1) = 11ms, t(2) = 12ms
	tests := []struct {
		name     string
		offsets  []time.Duration
		maxBatch int
		// want is count, min, max and mean latency in ms.
		want []float64
	}{
		{name: "nothing", want: []float64{0, 0, 0, 0}},
		{name: "sparse arrivals go alone", offsets: []time.Duration{0, 20 * ms, 40 * ms}, maxBatch: 4, want: []float64{3, 11, 11, 11}},
		{
			// 0 goes alone, ends at 11; 5 and 8 go together at 11, end at 23.
			name: "arrivals during a batch join the next", offsets: []time.Duration{0, 5 * ms, 8 * ms}, maxBatch: 4,
			want: []float64{3, 11, 18, (11 + 18 + 15) / 3.0},
		},
		{
			// Batches of two at 0 (ends 12), 12 (ends 24), 24 (ends 36).
			name: "a burst fills max batch", offsets: make([]time.Duration, 6), maxBatch: 2,
			want: []float64{6, 12, 36, 24},
		},
		{
			name: "max batch 0 counts as 1", offsets: make([]time.Duration, 2), maxBatch: 0,
			want: []float64{2, 11, 22, 16.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Ideal(load.Schedule{Duration: time.Second, Offsets: tt.offsets}, curve, tt.maxBatch)
			got := []float64{float64(l.Count()), millis(l.Quantile(0)), millis(l.Max()), millis(l.Mean())}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0.001, 0)); diff != "" {
				t.Errorf("[count min max mean] (-want +got):\n%s", diff)
			}
		})
	}
}
