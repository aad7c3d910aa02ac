package scaler

import (
	"math"
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

// TestBurstHeadroomShortBurst replays a burst of 1500 rps over 100 for
// one 2s interval, a burst a mean over the GPUs' 60s cold start dilutes
// to 147 rps, then four quiet minutes, and checks what stands when the
// next one arrives: what the GPU needs to serve it within the SLO of 1s
// (1500 × 2s / 3s = 1000 rps) when it queued past the SLO on the ready
// replicas, nothing more when they absorbed it.
func TestBurstHeadroomShortBurst(t *testing.T) {
	cfg := Config{
		Pools: []PoolConfig{gpuPool("gpu", true, 1.20, 60*time.Second, 10)},
		Tiers: []TierConfig{tier("t", "gpu")}, SpotShareMax: 1, HoldColdStarts: 3, BurstMemory: 30 * time.Minute,
	}
	tests := []struct {
		name   string
		queued int // items queued on the GPUs as the burst's interval ends
		// least and most are the bounds of the capacity, rps, standing
		// after the quiet minutes.
		least, most float64
	}{
		{"a burst queued past the SLO stands for the next", 2000, 800, 1200},
		{"a burst the ready replicas absorbed leaves none", 100, 0, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, mustSpec(t, cfg), map[string]int{"gpu": 1})
			w.steady(5*time.Minute, "t", 100)
			gpu := PoolSnapshot{Ready: w.ready["gpu"], Queued: tt.queued, ArrivalRate: 1500}
			w.tick(2*time.Second, map[string]float64{"t": 1500}, map[string]PoolSnapshot{"gpu": gpu})
			p := w.steady(4*time.Minute, "t", 100)
			if c := 200 * float64(p.Replicas["gpu"]); c < tt.least || c > tt.most {
				t.Errorf("standing capacity %.0f rps (%v, headroom %.0f rps), want within [%.0f, %.0f]",
					c, p.Replicas, p.Tiers["t"].Headroom, tt.least, tt.most)
			}
		})
	}
}

// TestAbsorbing checks the least capacity that serves the last arrivals
// within the SLO, over every window of the span.
func TestAbsorbing(t *testing.T) {
	at := func(rates ...float64) []sample {
		ss := make([]sample, len(rates))
		for i, r := range rates {
			ss[i] = sample{at: t0.Add(time.Duration(i-len(rates)+1) * 2 * time.Second), rate: r}
		}
		return ss
	}
	tests := []struct {
		name string
		ss   []sample
		want float64
	}{
		{"none", nil, 0},
		{"one interval's burst weighs in full", at(100, 100, 1500), 1000},    // 3000 items in 2s+1s
		{"a steady rate is served within its SLO", at(300, 300, 300), 257.1}, // 1800 items in 6s+1s
		{"a burst older than the span is not counted", at(3000, 0, 0, 0), 0}, // 6s old, span 5s
		{"two intervals outweigh one", at(0, 900, 900), 720},                 // 3600 items in 4s+1s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := absorbing(tt.ss, t0, 5*time.Second, 2*time.Second, time.Second)
			if math.Abs(got-tt.want) > 0.1 {
				t.Errorf("absorbing = %.1f, want %.1f", got, tt.want)
			}
		})
	}
}

// TestHeadroomRise checks that the headroom stands above the level the
// tier had a burst span ago: what the level has risen since is part of a
// burst under way, already provisioned.
func TestHeadroomRise(t *testing.T) {
	tests := []struct {
		name               string
		burst, peak, level float64
		before             float64 // the level a burst span ago
		want               float64
	}{
		{"quiet: the burst seen", 900, 1000, 100, 100, 900},
		{"capped by the peak", 900, 1000, 300, 300, 700},
		{"a rise under way counts once", 900, 1000, 400, 100, 300},
		{"a fall leaves it whole", 900, 1000, 100, 400, 900},
		{"a rise past the headroom leaves none", 900, 1000, 900, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := tierState{burst: tt.burst, peak: tt.peak, holt: holt{level: tt.level}}
			if got := headroom(ts, tt.before); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("headroom = %v, want %v", got, tt.want)
			}
		})
	}
}
