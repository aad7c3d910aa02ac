package gateway

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// pricedGateway is a gateway with metrics over a router of model "m"
// (SLO 1 s) on pool "p": 3.60 $/h, 100 ms per batch plus 10 ms per item,
// batches of up to 8. No worker is attached: nothing here serves.
func pricedGateway(t *testing.T) *Gateway {
	t.Helper()
	curve := costmodel.Curve{Base: 100 * time.Millisecond, PerItem: 10 * time.Millisecond}
	rt, err := router.New(router.Config{
		Models: []router.Model{{Name: "m", Tier: "t", SLO: time.Second, Timeout: time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []router.PoolConfig{{
			Name:  "p",
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 8, Batching: true, Curve: curve}},
			Cost:  costmodel.Pool{PricePerHour: 3.6, Curve: curve, MaxBatch: 8},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Router: rt, Metrics: m})
}

func TestPrice(t *testing.T) {
	g := pricedGateway(t)
	// At SLO 1 s the service budget is 500 ms: batches of 8 take 180 ms,
	// 8/0.18 inferences a second, at 0.001 $ a second.
	perInference := 0.001 * 0.18 / 8
	tests := []struct {
		name      string
		pool, mdl string
		rows      int64
		want      float64
	}{
		{name: "rows at the pool's rate", pool: "p", mdl: "m", rows: 3, want: 3 * perInference},
		{name: "the cache costs nothing", pool: "", mdl: "m", rows: 3, want: 0},
		{name: "an unknown pool costs nothing", pool: "q", mdl: "m", rows: 3, want: 0},
		{name: "no rows cost nothing", pool: "p", mdl: "m", rows: 0, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.price(tt.pool, tt.mdl, tt.rows); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("price(%q, %q, %d) = %g, want %g", tt.pool, tt.mdl, tt.rows, got, tt.want)
			}
		})
	}
}

func TestPoolLabel(t *testing.T) {
	tests := []struct {
		name string
		t    ticket
		err  error
		want string
	}{
		{"answered by a pool", ticket{pool: "p"}, nil, "p"},
		{"answered by the cache", ticket{fallback: fallback{cacheHit: true}}, nil, LabelCache},
		{"failed", ticket{pool: "p"}, errors.New("boom"), LabelNone},
		{"answered by nobody known", ticket{}, nil, LabelNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := poolLabel(tt.t, tt.err); got != tt.want {
				t.Errorf("poolLabel = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRecordingDoesNotAllocate records a call whose labels were seen
// before: the request path pays no allocation for its metrics.
func TestRecordingDoesNotAllocate(t *testing.T) {
	g := pricedGateway(t)
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{2, 1}, []float32{1, 2})}}
	tk := ticket{pool: "p", model: "m", priority: batcher.Normal}
	record := func() {
		start := g.beginCall()
		g.recordServed("m", tk, req, start, nil)
		g.recordRefused("m", tk, ErrShed)
	}
	record()
	if n := testing.AllocsPerRun(100, record); n != 0 {
		t.Errorf("recording a call allocates %v times, want 0", n)
	}
}
