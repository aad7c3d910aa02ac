package costmodel

import (
	"math"
	"testing"
	"time"
)

// within reports whether got is within frac of want.
func within(got, want time.Duration, frac float64) bool {
	return math.Abs(float64(got-want)) <= frac*float64(want)
}

// TestEstimatorBySize feeds one model's batches of small and of large
// inputs, whose latency depends on bytes as much as on rows: the
// estimate keeps a small call's latency where small calls put it,
// however many large calls come after.
func TestEstimatorBySize(t *testing.T) {
	truth := func(s Size) time.Duration {
		return 20*ms + time.Duration(s.Rows)*2*ms + time.Duration(s.Bytes/1024)*time.Millisecond/4
	}
	small, large := Size{Rows: 1, Bytes: 64}, Size{Rows: 1, Bytes: 3 << 20} // 64 B and 3 MiB: 20.5 ms and 790 ms
	tests := []struct {
		name  string
		prior Curve
	}{
		{"with a prior", Curve{Base: 20 * ms, PerItem: 2 * ms}},
		{"without a prior", Curve{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEstimator(tt.prior, 8, EstimatorOptions{})
			for b := range 40 {
				e.ObserveSize(Size{Rows: 1 + b%8, Bytes: int64(64 * (1 + b%8))}, truth(Size{Rows: 1 + b%8, Bytes: int64(64 * (1 + b%8))}))
			}
			for range 20 {
				e.ObserveSize(large, truth(large))
			}
			if got := e.Latency(small); !within(got, truth(small), 0.1) {
				t.Errorf("after 20 large calls, Latency(small) = %v, want within 10 %% of %v", got, truth(small))
			}
			if got := e.Latency(large); !within(got, truth(large), 0.1) {
				t.Errorf("Latency(large) = %v, want within 10 %% of %v", got, truth(large))
			}
		})
	}
}

// TestEstimatorWithoutPriorLearnsExactly is calibration's case: no curve
// configured, a few batches at 1, half the max and the max, noiseless. The
// estimate is the truth, not pulled towards zero by the absent prior.
func TestEstimatorWithoutPriorLearnsExactly(t *testing.T) {
	truth := Curve{Base: 30 * ms, PerItem: 5 * ms}
	e := NewEstimator(Curve{}, 16, EstimatorOptions{})
	if got := e.Latency(Size{Rows: 4}); got != 0 {
		t.Errorf("Latency before any observation = %v, want the zero prior's 0", got)
	}
	for range 3 {
		for _, b := range []int{1, 8, 16} {
			e.ObserveSize(Size{Rows: b, Bytes: int64(b) * 16}, truth.Latency(b))
		}
	}
	got := e.Curve()
	if !within(got.Base, truth.Base, 0.01) || !within(got.PerItem, truth.PerItem, 0.01) {
		t.Errorf("Curve() = %v + %v per item, want within 1 %% of %v + %v", got.Base, got.PerItem, truth.Base, truth.PerItem)
	}
}

// TestMix checks that a pool's models are learned apart, that one never
// observed reads the prior, and that the pool's curve weighs each model by
// its rows.
func TestMix(t *testing.T) {
	prior := Curve{Base: 10 * ms, PerItem: 1 * ms}
	light, heavy := Curve{Base: 10 * ms, PerItem: 1 * ms}, Curve{Base: 100 * ms, PerItem: 10 * ms}
	m := NewMix(prior, 8, EstimatorOptions{})
	if got := m.Curve(); got.Base != prior.Base || got.PerItem != prior.PerItem {
		t.Errorf("Curve() before any batch = %+v, want the prior", got)
	}
	for i := range 300 {
		b := 1 + i%8
		if i%4 == 0 {
			m.Observe("heavy", Size{Rows: b}, heavy.Latency(b))
			continue
		}
		m.Observe("light", Size{Rows: b}, light.Latency(b))
	}
	if got := m.Latency("light", Size{Rows: 1}); !within(got, light.Latency(1), 0.05) {
		t.Errorf("light at 1 row = %v, want within 5 %% of %v", got, light.Latency(1))
	}
	if got := m.Latency("heavy", Size{Rows: 1}); !within(got, heavy.Latency(1), 0.1) {
		t.Errorf("heavy at 1 row = %v, want within 10 %% of %v", got, heavy.Latency(1))
	}
	if got := m.Latency("unseen", Size{Rows: 3}); got != prior.Latency(3) {
		t.Errorf("unseen model at 3 rows = %v, want the prior's %v", got, prior.Latency(3))
	}
	// A quarter of the batches, of 1 or 5 rows against the light model's
	// 2, 3, 4, 6, 7 or 8: a sixth of the rows, a sixth of the weight.
	want := time.Duration((5*float64(light.Base) + float64(heavy.Base)) / 6)
	if got := m.Curve(); !within(got.Base, want, 0.1) {
		t.Errorf("pool Curve().Base = %v, want within 10 %% of %v", got.Base, want)
	}
	if got := len(m.Curves()); got != 2 {
		t.Errorf("Curves() has %d models, want 2", got)
	}
}

// TestMixReset forgets one model and keeps the others.
func TestMixReset(t *testing.T) {
	prior := Curve{Base: 10 * ms, PerItem: ms}
	m := NewMix(prior, 8, EstimatorOptions{})
	for range 50 {
		m.Observe("a", Size{Rows: 1}, 500*ms)
		m.Observe("b", Size{Rows: 1}, 50*ms)
	}
	m.Reset("a")
	if got := m.Latency("a", Size{Rows: 1}); got != prior.Latency(1) {
		t.Errorf("after Reset, a at 1 row = %v, want the prior's %v", got, prior.Latency(1))
	}
	if n := m.ModelObservations("a"); n != 0 {
		t.Errorf("after Reset, a has %d observations, want 0", n)
	}
	if n := m.ModelObservations("b"); n != 50 {
		t.Errorf("b has %d observations, want 50", n)
	}
}
