package router

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// TestPoolWarmup reports ColdBatches+2 good batches of two rows and one
// failed batch on a worker: the first ColdBatches count as cold, the rest
// as warm, the failure as neither.
func TestPoolWarmup(t *testing.T) {
	p, _, _ := testPool(t, HealthConfig{})
	w := p.workers["w"]
	p.done(w, "m", costmodel.Size{Rows: 2}, time.Second, errBoom)
	for i := range ColdBatches + 2 {
		latency := 10 * ms
		if i >= ColdBatches {
			latency = ms
		}
		p.done(w, "m", costmodel.Size{Rows: 2}, latency, nil)
	}
	want := Warmup{
		Cold: ServiceTime{Inferences: 2 * ColdBatches, Seconds: 2 * ColdBatches * 0.010},
		Warm: ServiceTime{Inferences: 4, Seconds: 4 * 0.001},
	}
	approx := cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })
	if diff := cmp.Diff(want, p.StatsAt(t0).Warmup, approx); diff != "" {
		t.Errorf("warmup (-want +got):\n%s", diff)
	}
}

// TestRouterRetries counts the retries the budget allowed, not those it
// refused.
func TestRouterRetries(t *testing.T) {
	r := &Router{budget: newRetryBudget(0.2, 10*time.Second)}
	for range 10 {
		r.budget.request(t0)
	}
	var allowed uint64
	for range 5 {
		if r.budget.allow(t0) {
			allowed++
		}
	}
	if allowed != 2 {
		t.Fatalf("the budget allowed %d retries of 10 requests at 20 %%, want 2", allowed)
	}
	if got := r.Retries(); got != allowed {
		t.Errorf("Retries() = %d, want %d", got, allowed)
	}
}
