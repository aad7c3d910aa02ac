package scaler

import (
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// referenceFleet is the fleet benchmark figures are quoted on (the
// configuration's bench.yaml): four pools from cheap and slow to fast and
// dear, a light tier on all of them and a heavy one on the GPUs, a
// 30 $/h budget and decisions every second.
func referenceFleet() Config {
	pool := func(name string, price float64, spot bool, base, perItem time.Duration, batch int, cold time.Duration, minimum, maximum int) PoolConfig {
		return PoolConfig{Pool: costmodel.Pool{Name: name, PricePerHour: price, Spot: spot,
			Curve: costmodel.Curve{Base: base, PerItem: perItem}, MaxBatch: batch, ColdStart: cold}, Min: minimum, Max: maximum}
	}
	return withKnobs(Config{
		Pools: []PoolConfig{
			pool("cpu-small", 0.10, false, 200*ms, 0, 1, 10*time.Second, 1, 60),
			pool("cpu-large", 0.50, false, 40*ms, 20*ms, 8, 20*time.Second, 0, 30),
			pool("gpu-spot", 1.20, true, 32*ms, 4*ms, 32, 60*time.Second, 0, 16),
			pool("gpu-ondemand", 3.00, false, 32*ms, 4*ms, 32, 90*time.Second, 0, 16),
		},
		Tiers: []TierConfig{
			{Name: "light", SLO: 500 * ms, Pools: []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"}},
			{Name: "heavy", SLO: time.Second, Pools: []string{"gpu-spot", "gpu-ondemand"}},
		},
		Interval: time.Second, BurstMemory: 10 * time.Minute, Budget: Budget{PerHour: 30},
	})
}

// BenchmarkDecide times one decision of the reference fleet, a second
// after ten minutes of 400 rps with a one-minute 5× spike, so that every
// rule has state: forecasts, panic, burst headroom (priced by a second
// fill) and the stabilization windows.
func BenchmarkDecide(b *testing.B) {
	spec, err := NewSpec(referenceFleet())
	if err != nil {
		b.Fatal(err)
	}
	snap := func(rate float64) Snapshot {
		return Snapshot{
			Tiers: map[string]TierSnapshot{
				"light": {ArrivalRate: 0.8 * rate, LowRate: 0.08 * rate, NormalRate: 0.56 * rate},
				"heavy": {ArrivalRate: 0.4 * rate, LowRate: 0.04 * rate, NormalRate: 0.28 * rate},
			},
			Pools: map[string]PoolSnapshot{
				"cpu-small": {Ready: 2, ArrivalRate: 10, Queued: 3, InFlight: 2, P95: 300 * ms},
				"cpu-large": {Ready: 1, ArrivalRate: 30, InFlight: 8, P95: 250 * ms},
				"gpu-spot":  {Ready: 3, Starting: 1, ArrivalRate: 0.8 * rate, InFlight: 40, P95: 200 * ms},
			},
		}
	}
	var st State
	now := t0
	for s := range 600 {
		rate := 400.0
		if s >= 300 && s < 360 {
			rate = 2000
		}
		now = now.Add(time.Second)
		_, st = Decide(spec, st, snap(rate), now)
	}
	p, _ := Decide(spec, st, snap(400), now.Add(time.Second))
	if p.HeadroomCostPerHour <= 0 {
		b.Fatalf("no burst headroom priced after the spike: %+v", p.Tiers)
	}
	quiet, busy := snap(400), snap(450)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Decide does not modify st: every decision starts from the
		// same memory, so the headroom never fades during the run.
		s := quiet
		if i%2 == 1 {
			s = busy
		}
		Decide(spec, st, s, now.Add(time.Second))
	}
}
