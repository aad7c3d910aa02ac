package batcher

import (
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// TestPoolLoadPromise drives one worker with Poisson arrivals on the fake
// clock and checks the product promise: no waiting when the queue is
// short (p50 within t(1)+2ms at 10% load), batches that grow with the
// queue at high load.
func TestPoolLoadPromise(t *testing.T) {
	const ms = time.Millisecond
	curve := costmodel.Curve{Base: 5 * ms, PerItem: ms}
	cfg := FormConfig{Batching: true, MaxBatch: 8, MaxDelay: 2 * ms, Curve: curve}
	capacity := float64(cfg.MaxBatch) / curve.Latency(cfg.MaxBatch).Seconds() // items/s
	tests := []struct {
		name          string
		load          float64 // fraction of capacity
		wantP50       time.Duration
		wantMeanBatch float64 // at least
	}{
		{name: "10% load sends at once", load: 0.1, wantP50: curve.Latency(1) + 2*ms, wantMeanBatch: 1},
		{name: "90% load batches", load: 0.9, wantP50: 4 * curve.Latency(cfg.MaxBatch), wantMeanBatch: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := NewPool(PoolConfig{Name: "p", Form: cfg})
				defer p.Close()
				p.AddWorker("w", &sumDispatcher{curve: curve}, 1)
				lat := runPoisson(t, p, tt.load*capacity, 3000)
				slices.Sort(lat)
				p50, mean := lat[len(lat)/2], p.Stats().MeanBatch()
				t.Logf("rate %.0f/s: p50 %v, p99 %v, mean batch %.2f", tt.load*capacity, p50, lat[len(lat)*99/100], mean)
				if p50 > tt.wantP50 {
					t.Errorf("p50 = %v, want at most %v", p50, tt.wantP50)
				}
				if mean < tt.wantMeanBatch {
					t.Errorf("mean batch = %.2f, want at least %.2f", mean, tt.wantMeanBatch)
				}
			})
		})
	}
}

// runPoisson submits n one-row requests with exponential gaps at rate per
// second (a fixed seed) and returns each one's latency. pre: inside a
// synctest bubble.
func runPoisson(t *testing.T, p *Pool, rate float64, n int) []time.Duration {
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make(chan time.Duration, n)
	for i := range n {
		it := newItem(t, "r", Normal, float32(i), 1, 2)
		go func() {
			start := time.Now()
			if _, err := p.Submit(t.Context(), it); err != nil {
				t.Error(err)
			}
			lat <- time.Since(start)
		}()
		time.Sleep(time.Duration(rng.ExpFloat64() / rate * float64(time.Second)))
	}
	out := make([]time.Duration, 0, n)
	for range n {
		out = append(out, <-lat)
	}
	return out
}
