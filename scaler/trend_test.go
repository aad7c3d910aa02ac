package scaler

import (
	"math"
	"testing"
	"time"
)

// TestTrendOnOffSteps steps a tier's arrivals between 150 and 900 rps,
// three minutes each, on GPUs of 200 rps that take 60 and 90s to start,
// and checks the fleet against the rate it serves: the trend of a step
// that has stopped rising must not size the slow pools for a rate never
// seen, and a low phase keeps the high phase's GPUs no longer than their
// scale-down window.
func TestTrendOnOffSteps(t *testing.T) {
	const low, high, phase = 150.0, 900.0, 3 * time.Minute
	spot := Config{
		Pools: []PoolConfig{
			gpuPool("gpu-spot", true, 1.20, 60*time.Second, 16),
			gpuPool("gpu-od", false, 3.00, 90*time.Second, 16),
		},
		Tiers:          []TierConfig{tier("t", "gpu-spot", "gpu-od")},
		SpotShareMax:   1,
		HoldColdStarts: 3,
		// No error band: the trend alone sizes the pools above the rate.
		Forecast: Forecast{ErrorBand: 1e-9},
	}
	tests := []struct {
		name     string
		interval time.Duration
		alpha    float64
		beta     float64
	}{
		{"every second", time.Second, DefaultAlpha, DefaultBeta},
		{"every 2s", 2 * time.Second, DefaultAlpha, DefaultBeta},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := spot
			cfg.Interval, cfg.Forecast.Alpha, cfg.Forecast.Beta = tt.interval, tt.alpha, tt.beta
			w := newWorld(t, mustSpec(t, cfg), map[string]int{"gpu-spot": 1})
			w.steady(5*time.Minute, "t", low)
			// The scale-down window of the slowest pool, 3 cold starts of
			// 90s, and a tick.
			hold := 270*time.Second + tt.interval
			for cycle := range 3 {
				top := 0
				for end := w.now.Add(phase); w.now.Before(end); {
					p := w.tick(tt.interval, map[string]float64{"t": high}, nil)
					top = max(top, p.Replicas["gpu-spot"]+p.Replicas["gpu-od"])
				}
				// 900 rps take 4.5 GPUs; a forecast within 25 % of it, 6.
				if want := int(math.Ceil(high * 1.25 / 200)); top > want {
					t.Errorf("cycle %d: %d GPUs in the high phase, want at most %d (%.0f rps)", cycle, top, want, high*1.25)
				}
				for end := w.now.Add(phase + time.Minute); w.now.Before(end); {
					start := end.Add(-phase - time.Minute)
					p := w.tick(tt.interval, map[string]float64{"t": low}, nil)
					n := p.Replicas["gpu-spot"] + p.Replicas["gpu-od"]
					if w.now.Sub(start) >= hold && n > 1 {
						t.Fatalf("cycle %d: %d GPUs %v into the low phase, want 1", cycle, n, w.now.Sub(start))
					}
				}
			}
		})
	}
}
