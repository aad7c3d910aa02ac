package scaler

import (
	"strings"
	"testing"
	"time"
)

// TestBurstHeadroom replays a burst of 500 rps over 100, shorter than the
// GPUs' 60s cold start, then four quiet minutes, longer than the GPUs'
// scale-down window of 3 cold starts, and checks what stands when the
// next burst of the same size arrives.
func TestBurstHeadroom(t *testing.T) {
	bridge := Config{
		Pools: []PoolConfig{gpuPool("gpu", true, 1.20, 60*time.Second, 10), cpuPool("cpu", 0, 100)},
		Tiers: []TierConfig{tier("t", "gpu", "cpu")}, SpotShareMax: 1, HoldColdStarts: 3,
	}
	tests := []struct {
		name   string
		memory time.Duration // BurstMemory
		quiet  time.Duration // between the bursts
		// standing is whether the fleet before the second burst serves
		// it: 500 rps at SLO.
		standing bool
	}{
		{"without burst memory the GPUs are given back", 0, 4 * time.Minute, false},
		{"a burst seen once stands for the next", 30 * time.Minute, 4 * time.Minute, true},
		{"a burst seen long ago is forgotten", 5 * time.Minute, 40 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := bridge
			cfg.BurstMemory = tt.memory
			w := newWorld(t, mustSpec(t, cfg), map[string]int{"gpu": 1})
			w.steady(5*time.Minute, "t", 100)
			w.steady(30*time.Second, "t", 500)
			p := w.steady(tt.quiet, "t", 100)
			capacity := 200*float64(p.Replicas["gpu"]) + 5*float64(p.Replicas["cpu"])
			if got := capacity >= 500; got != tt.standing {
				t.Errorf("standing capacity %.0f rps (%v) before a burst of 500: serves it = %v, want %v",
					capacity, p.Replicas, got, tt.standing)
			}
			tp := p.Tiers["t"]
			if !tt.standing {
				return
			}
			if tp.Headroom < 300 || p.HeadroomCostPerHour <= 0 {
				t.Errorf("headroom %.0f rps for %.2f $/h, want >= 300 rps at a price", tp.Headroom, p.HeadroomCostPerHour)
			}
			if tp.Capacity < 500 {
				t.Errorf("tier capacity %.0f, want >= 500", tp.Capacity)
			}
		})
	}
}

// TestBurstHeadroomReason checks that a pool sized with burst headroom
// says so, and that the plan prices the headroom.
func TestBurstHeadroomReason(t *testing.T) {
	cfg := Config{
		Pools: []PoolConfig{gpuPool("gpu", true, 1.20, 60*time.Second, 10)},
		Tiers: []TierConfig{tier("t", "gpu")}, SpotShareMax: 1, HoldColdStarts: 3, BurstMemory: time.Hour,
	}
	w := newWorld(t, mustSpec(t, cfg), map[string]int{"gpu": 1})
	w.steady(5*time.Minute, "t", 100)
	w.steady(time.Minute, "t", 700)
	var last Change
	for end := w.now.Add(10 * time.Minute); w.now.Before(end); {
		for _, c := range w.tick(2*time.Second, map[string]float64{"t": 100}, nil).Changes {
			last = c
		}
	}
	p := w.plan
	t.Logf("last change %v; headroom %.0f rps, %.2f $/h", last, p.Tiers["t"].Headroom, p.HeadroomCostPerHour)
	if !strings.Contains(last.Reason, "burst headroom") {
		t.Errorf("last change %q, want a burst headroom reason", last)
	}
	// Without the headroom 100 rps take one GPU; each other costs 1.20 $/h.
	if want := float64(p.Replicas["gpu"]-1) * 1.20; p.Replicas["gpu"] < 3 || p.HeadroomCostPerHour != want {
		t.Errorf("%d GPUs, headroom priced %.2f $/h, want >= 3 GPUs and %.2f $/h", p.Replicas["gpu"], p.HeadroomCostPerHour, want)
	}
}
