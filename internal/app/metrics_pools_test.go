package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// fakePools is a poolSource with fixed statistics.
type fakePools struct {
	stats   []router.PoolStats
	queues  map[string]batcher.Stats
	retries uint64
}

var _ poolSource = (*fakePools)(nil)

func (f *fakePools) Stats() []router.PoolStats { return f.stats }

func (f *fakePools) QueueStats(pool string) (batcher.Stats, bool) {
	s, ok := f.queues[pool]
	return s, ok
}

func (f *fakePools) Retries() uint64 { return f.retries }

func TestPoolCollector(t *testing.T) {
	src := &fakePools{
		stats: []router.PoolStats{{
			Name: "cpu", Queued: batcher.ClassCounts{High: 1, Low: 3}, InFlight: 4,
			Warmup: router.Warmup{
				Cold: router.ServiceTime{Inferences: 10, Seconds: 2},
				Warm: router.ServiceTime{Inferences: 30, Seconds: 1.5},
			},
		}},
		queues: map[string]batcher.Stats{"cpu": {
			InFlightBatches: 2, Slots: 4, Batches: 9, FailedBatches: 1,
			Usage: batcher.Usage{BusySeconds: 3, SlotSeconds: 12},
		}},
		retries: 5,
	}
	want := map[string]float64{
		`sluice_queue_length{pool="cpu",priority="critical"}`:                     0,
		`sluice_queue_length{pool="cpu",priority="high"}`:                         1,
		`sluice_queue_length{pool="cpu",priority="low"}`:                          3,
		`sluice_queue_length{pool="cpu",priority="normal"}`:                       0,
		`sluice_pool_in_flight_requests{pool="cpu"}`:                              4,
		`sluice_pool_in_flight_batches{pool="cpu"}`:                               2,
		`sluice_pool_slots{pool="cpu"}`:                                           4,
		`sluice_pool_busy_seconds_total{pool="cpu"}`:                              3,
		`sluice_pool_slot_seconds_total{pool="cpu"}`:                              12,
		`sluice_pool_batches_total{pool="cpu"}`:                                   9,
		`sluice_pool_failed_batches_total{pool="cpu"}`:                            1,
		`sluice_worker_inference_duration_seconds_sum{pool="cpu",state="cold"}`:   2,
		`sluice_worker_inference_duration_seconds_count{pool="cpu",state="cold"}`: 10,
		`sluice_worker_inference_duration_seconds_sum{pool="cpu",state="warm"}`:   1.5,
		`sluice_worker_inference_duration_seconds_count{pool="cpu",state="warm"}`: 30,
		`sluice_retries_total`:                                                    5,
	}
	if diff := cmp.Diff(want, collectSamples(t, newPoolCollector(src))); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

func TestTenantCollector(t *testing.T) {
	counts := &gateway.TenantCounters{}
	for _, e := range []gateway.TenantEvent{
		{Tenant: "acme", Rows: 4, CostUSD: 0.25},
		{Tenant: "acme", Rows: 2, Fallback: true, CostUSD: 0.5},
		{Tenant: "acme", Reason: gateway.ReasonShed},
		{Tenant: "bob", Reason: gateway.ReasonRateLimited},
	} {
		counts.Record(e)
	}
	want := map[string]float64{
		`sluice_tenant_requests_total{outcome="answered",tenant="acme"}`:    2,
		`sluice_tenant_requests_total{outcome="answered",tenant="bob"}`:     0,
		`sluice_tenant_requests_total{outcome="rate_limited",tenant="bob"}`: 1,
		`sluice_tenant_requests_total{outcome="shed",tenant="acme"}`:        1,
		`sluice_tenant_inferences_total{tenant="acme"}`:                     6,
		`sluice_tenant_inferences_total{tenant="bob"}`:                      0,
		`sluice_tenant_fallbacks_total{tenant="acme"}`:                      1,
		`sluice_tenant_fallbacks_total{tenant="bob"}`:                       0,
		`sluice_tenant_cost_usd_total{tenant="acme"}`:                       0.75,
		`sluice_tenant_cost_usd_total{tenant="bob"}`:                        0,
	}
	if diff := cmp.Diff(want, collectSamples(t, newTenantCollector(counts))); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}
