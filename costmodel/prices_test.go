package costmodel

import (
	"errors"
	"math"
	"sync"
	"testing"
)

func TestPrices(t *testing.T) {
	ps := NewPrices(benchPools())
	if err := ps.Set("gpu-spot", 0.9); err != nil {
		t.Fatalf("Set(gpu-spot, 0.9) = %v", err)
	}
	tests := []struct {
		name   string
		pool   string
		want   float64
		wantOK bool
	}{
		{"configured", "cpu-large", 0.50, true},
		{"changed", "gpu-spot", 0.9, true},
		{"unknown", "tpu", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ps.Get(tt.pool)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Get(%q) = %v, %v, want %v, %v", tt.pool, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestPricesSetRejects(t *testing.T) {
	for _, price := range []float64{-0.1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		var ps Prices // the zero value is ready to use
		if err := ps.Set("p", price); !errors.Is(err, ErrPrice) {
			t.Errorf("Set(p, %v) = %v, want ErrPrice", price, err)
		}
		if _, ok := ps.Get("p"); ok {
			t.Errorf("after Set(p, %v) failed, Get(p) found a price", price)
		}
	}
}

func TestPricesApply(t *testing.T) {
	var ps Prices
	p := benchPools()[2]
	if got := ps.Apply(p).PricePerHour; got != 1.20 {
		t.Errorf("Apply with no price = %v, want the pool's own 1.20", got)
	}
	if err := ps.Set(p.Name, 0.4); err != nil {
		t.Fatal(err)
	}
	if got := ps.Apply(p).PricePerHour; got != 0.4 {
		t.Errorf("Apply after Set(0.4) = %v, want 0.4", got)
	}
}

// TestPricesConcurrent is for the race detector.
func TestPricesConcurrent(t *testing.T) {
	ps := NewPrices(benchPools())
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 100 {
				_ = ps.Set("gpu-spot", float64(i+j))
				ps.Apply(benchPools()[2])
			}
		})
	}
	wg.Wait()
	if _, ok := ps.Get("gpu-spot"); !ok {
		t.Error("gpu-spot lost its price")
	}
}
