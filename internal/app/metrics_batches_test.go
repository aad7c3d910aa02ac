package app

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/batcher"
)

func TestBatchMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := newBatchMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	o := m.observer("cpu")
	if m.observer("cpu") != o {
		t.Error("a second observer of the same pool is a new one; a reloaded pool config would differ")
	}
	o.ObserveBatch(3, 5)
	o.ObserveBatch(1, 1)
	o.ObserveWait(batcher.High, 20*time.Millisecond)
	o.ObserveWait(batcher.High, 40*time.Millisecond)
	o.ObserveWait(batcher.Priority(42), time.Second) // no such class: dropped
	got := gatherSamples(t, reg, "sluice_batch_size_rows", "sluice_queue_wait_seconds")
	want := map[string]float64{
		`sluice_batch_size_rows_count{pool="cpu"}`:                        2,
		`sluice_batch_size_rows_sum{pool="cpu"}`:                          6,
		`sluice_queue_wait_seconds_count{pool="cpu",priority="high"}`:     2,
		`sluice_queue_wait_seconds_sum{pool="cpu",priority="high"}`:       0.06,
		`sluice_queue_wait_seconds_count{pool="cpu",priority="low"}`:      0,
		`sluice_queue_wait_seconds_count{pool="cpu",priority="normal"}`:   0,
		`sluice_queue_wait_seconds_count{pool="cpu",priority="critical"}`: 0,
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			delete(got, k) // the buckets, and the sums of the empty classes
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if n := testing.AllocsPerRun(100, func() { o.ObserveBatch(2, 4); o.ObserveWait(batcher.Low, time.Millisecond) }); n != 0 {
		t.Errorf("observing a batch allocates %v times, want 0", n)
	}
}
