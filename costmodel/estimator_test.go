package costmodel

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var gpuPrior = Curve{Base: 32 * ms, PerItem: 4 * ms}

func TestEstimatorWithoutDataIsThePrior(t *testing.T) {
	tests := []struct {
		name  string
		prior Curve
	}{
		{"line", gpuPrior},
		{"points", Curve{Points: []Point{{1, 36 * ms}, {8, 64 * ms}, {32, 160 * ms}}}},
		{"zero", Curve{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEstimator(tt.prior, 32, EstimatorOptions{})
			e.Observe(0, time.Second) // ignored: no batch
			e.Observe(4, 0)           // ignored: no latency
			e.Observe(4, -time.Second)
			if n := e.Observations(); n != 0 {
				t.Errorf("Observations() = %d after only ignored pairs, want 0", n)
			}
			if diff := cmp.Diff(tt.prior, e.Curve()); diff != "" {
				t.Errorf("Curve() (-want +got):\n%s", diff)
			}
		})
	}
}

// observer feeds an Estimator latencies of a true curve at batch sizes
// drawn uniformly from [1, maxBatch], with multiplicative noise of up to
// ±noise, from a fixed seed.
type observer struct {
	rng      *rand.Rand
	maxBatch int
	noise    float64
}

func newObserver(maxBatch int, noise float64) *observer {
	return &observer{rng: rand.New(rand.NewPCG(1, 2)), maxBatch: maxBatch, noise: noise}
}

func (o *observer) feed(e *Estimator, truth Curve, n int) {
	for range n {
		b := 1 + o.rng.IntN(o.maxBatch)
		f := 1 + o.noise*(2*o.rng.Float64()-1)
		e.Observe(b, time.Duration(f*float64(truth.Latency(b))))
	}
}

// relErr is the larger relative error of the estimate's base and per_item.
func relErr(got, truth Curve) float64 {
	rel := func(g, w time.Duration) float64 { return math.Abs(float64(g-w)) / float64(w) }
	return max(rel(got.Base, truth.Base), rel(got.PerItem, truth.PerItem))
}

// TestEstimatorConvergesToTwiceThePrior configures the GPU curve but serves
// at twice its latency: the estimate starts at the prior (50 % off) and
// closes in on the truth, within 5 % after 200 noisy samples.
func TestEstimatorConvergesToTwiceThePrior(t *testing.T) {
	truth := Curve{Base: 64 * ms, PerItem: 8 * ms}
	e := NewEstimator(gpuPrior, 32, EstimatorOptions{})
	o := newObserver(32, 0.05)
	checkpoints := []struct {
		samples int     // total fed so far
		maxErr  float64 // bound on relErr
	}{
		{0, 0.5},
		{5, 0.35},
		{20, 0.2},
		{200, 0.05},
		{1000, 0.05},
	}
	fed, last := 0, math.Inf(1)
	for _, cp := range checkpoints {
		o.feed(e, truth, cp.samples-fed)
		fed = cp.samples
		got := e.Curve()
		err := relErr(got, truth)
		t.Logf("after %4d samples: %v + %v per item (error %.3f)", fed, got.Base, got.PerItem, err)
		if err > cp.maxErr+1e-9 {
			t.Errorf("after %d samples: estimate %v + %v per item is %.3f off, want <= %.3f",
				fed, got.Base, got.PerItem, err, cp.maxErr)
		}
		if fed <= 200 && err >= last {
			t.Errorf("after %d samples: error %.3f did not shrink from %.3f", fed, err, last)
		}
		last = err
	}
}

// TestEstimatorSingleBatchSize feeds samples at one batch size only, where
// base and per_item cannot be told apart: the estimate must match the
// observed latency there and keep the unidentified split near the prior.
func TestEstimatorSingleBatchSize(t *testing.T) {
	tests := []struct {
		name     string
		maxBatch int
		batch    int
		latency  time.Duration
	}{
		{"at the largest batch, twice the prior", 32, 32, 320 * ms},
		{"at batch 1, twice the prior", 32, 1, 72 * ms},
		{"at a middle batch, faster than the prior", 32, 8, 40 * ms},
		{"pool without batching", 1, 1, 500 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEstimator(gpuPrior, tt.maxBatch, EstimatorOptions{})
			for range 5000 {
				e.Observe(tt.batch, tt.latency)
			}
			got := e.Curve()
			if got.Base < 0 || got.PerItem < 0 || got.PerItem > 100*ms || got.Base > 10*time.Second {
				t.Fatalf("estimate %v + %v per item is out of any sane range", got.Base, got.PerItem)
			}
			at := got.Latency(tt.batch)
			if d := math.Abs(float64(at-tt.latency)) / float64(tt.latency); d > 0.05 {
				t.Errorf("estimate %v + %v per item gives %v at batch %d, want within 5 %% of %v",
					got.Base, got.PerItem, at, tt.batch, tt.latency)
			}
		})
	}
}

// TestEstimatorTracksDrift checks that forgetting lets the estimate follow a
// curve that changes after the estimator has settled: 1000 samples after
// the change, the old curve is forgotten, and the estimate is what an
// estimator that only ever saw the new curve would say.
func TestEstimatorTracksDrift(t *testing.T) {
	before := Curve{Base: 64 * ms, PerItem: 8 * ms}
	after := Curve{Base: 20 * ms, PerItem: 2 * ms}
	e := NewEstimator(gpuPrior, 32, EstimatorOptions{})
	newObserver(32, 0).feed(e, before, 2000)
	if err := relErr(e.Curve(), before); err > 0.05 {
		t.Fatalf("settled estimate %+v is %.3f off %+v", e.Curve(), err, before)
	}
	newObserver(32, 0).feed(e, after, 1000)
	fresh := NewEstimator(gpuPrior, 32, EstimatorOptions{})
	newObserver(32, 0).feed(fresh, after, 1000)
	got, want := e.Curve(), fresh.Curve()
	if err := relErr(got, want); err > 0.01 {
		t.Errorf("after drift: estimate %v + %v per item, want within 1 %% of a fresh estimator's %v + %v",
			got.Base, got.PerItem, want.Base, want.PerItem)
	}
	if err := relErr(got, after); err > 0.1 {
		t.Errorf("after drift: estimate %v + %v per item, want within 10 %% of %v + %v",
			got.Base, got.PerItem, after.Base, after.PerItem)
	}
}

// TestEstimatorClampsToNonNegative feeds latencies that fall with the batch
// size, which the unconstrained fit would explain with a negative per_item.
func TestEstimatorClampsToNonNegative(t *testing.T) {
	e := NewEstimator(gpuPrior, 32, EstimatorOptions{PriorWeight: 0.01, Forgetting: 1})
	for b := 1; b <= 32; b++ {
		e.Observe(b, time.Duration(200-5*b)*ms)
	}
	got := e.Curve()
	if got.PerItem != 0 || got.Base <= 0 {
		t.Errorf("estimate %v + %v per item, want per_item 0 and a positive base", got.Base, got.PerItem)
	}
}

func TestEstimatorOptionsDefaults(t *testing.T) {
	tests := []struct {
		name   string
		opts   EstimatorOptions
		lambda float64
	}{
		{"zero value", EstimatorOptions{}, DefaultForgetting},
		{"above 1", EstimatorOptions{Forgetting: 1.5, PriorWeight: -1}, DefaultForgetting},
		{"NaN", EstimatorOptions{Forgetting: math.NaN(), PriorWeight: math.NaN()}, DefaultForgetting},
		{"given", EstimatorOptions{Forgetting: 0.9, PriorWeight: 3}, 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEstimator(gpuPrior, 32, tt.opts)
			if e.lambda != tt.lambda {
				t.Errorf("λ = %v, want %v", e.lambda, tt.lambda)
			}
			if math.IsNaN(e.w[0]) || e.w[0] <= 0 {
				t.Errorf("prior weight term = %v, want > 0", e.w[0])
			}
		})
	}
}

// TestEstimatorConcurrent is for the race detector.
func TestEstimatorConcurrent(t *testing.T) {
	e := NewEstimator(gpuPrior, 32, EstimatorOptions{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				e.Observe(1+(i+j)%32, 2*gpuPrior.Latency(1+(i+j)%32))
				_ = e.Curve()
			}
		})
	}
	wg.Wait()
	if got := e.Curve(); relErr(got, Curve{Base: 64 * ms, PerItem: 8 * ms}) > 0.05 {
		t.Errorf("estimate %+v, want near twice the prior", got)
	}
}
