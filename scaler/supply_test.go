package scaler

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDecideOnce checks first decisions, where the forecast is the
// observed rate and has no error band.
func TestDecideOnce(t *testing.T) {
	spotTier := Config{
		Pools: []PoolConfig{gpuPool("gpu-spot", true, 1.20, 60*time.Second, 10), gpuPool("gpu-od", false, 3.00, 90*time.Second, 10)},
		Tiers: []TierConfig{tier("t", "gpu-spot", "gpu-od")},
	}
	shared := Config{
		Pools: []PoolConfig{cpuPool("cpu", 0, 100), gpuPool("gpu-spot", true, 1.20, 60*time.Second, 4),
			gpuPool("gpu-od", false, 3.00, 90*time.Second, 10)},
		Tiers: []TierConfig{tier("light", "cpu", "gpu-spot", "gpu-od"), tier("heavy", "gpu-spot", "gpu-od")},
	}
	withWarm := Config{Pools: []PoolConfig{cpuPool("cpu", 0, 10)}, Tiers: []TierConfig{tier("t", "cpu")}}
	withWarm.Pools[0].Warm = 2
	cpuOnly := Config{Pools: []PoolConfig{cpuPool("cpu", 1, 10)}, Tiers: []TierConfig{tier("t", "cpu")}}
	// One pool, two tiers: a model at 1s that sends nothing, one at 2s
	// that sends everything.
	sharedSLOs := Config{Pools: []PoolConfig{cpuPool("cpu", 0, 10)}, Tiers: []TierConfig{tier("tight", "cpu"), tier("loose", "cpu")}}
	sharedSLOs.Tiers[1].SLO = 2 * time.Second
	ready := func(pools map[string]int) map[string]PoolSnapshot {
		ps := map[string]PoolSnapshot{}
		for name, n := range pools {
			ps[name] = PoolSnapshot{Ready: n}
		}
		return ps
	}
	tests := []struct {
		name  string
		cfg   Config
		snap  Snapshot
		want  map[string]int
		why   map[string]string
		tiers map[string]TierPlan
	}{
		{
			name: "spot takes at most 70 %", cfg: spotTier,
			snap: Snapshot{Pools: ready(map[string]int{"gpu-spot": 4, "gpu-od": 2}), Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 1000}}},
			want: map[string]int{"gpu-spot": 4, "gpu-od": 2},
		},
		{
			name: "spot share is a cap, not a quota", cfg: spotTier,
			snap: Snapshot{Pools: ready(map[string]int{"gpu-spot": 1}), Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 100}}},
			want: map[string]int{"gpu-spot": 1, "gpu-od": 1},
		},
		{
			name: "the tier with fewer pools claims shared pools first", cfg: shared,
			snap: Snapshot{
				Pools: ready(map[string]int{"cpu": 20, "gpu-spot": 4, "gpu-od": 3}),
				Tiers: map[string]TierSnapshot{"light": {ArrivalRate: 100}, "heavy": {ArrivalRate: 1000}},
			},
			// heavy: 700 rps on spot (3.5 replicas), 300 on demand (1.5);
			// light: its own 70 % on spot (0.35), 30 rps on demand (0.15),
			// none on cpu, dearest per inference. Rounded up to 4 and 2,
			// each pool's replicas are split in those proportions.
			want: map[string]int{"cpu": 0, "gpu-spot": 4, "gpu-od": 2},
			tiers: map[string]TierPlan{
				"light": {Demand: 100, Capacity: 800*0.35/3.85 + 400*0.15/1.65},
				"heavy": {Demand: 1000, Capacity: 800*3.5/3.85 + 400*1.5/1.65},
			},
		},
		{
			name: "warm spares on top of demand", cfg: withWarm,
			snap: Snapshot{Pools: ready(map[string]int{"cpu": 2}), Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 10}}},
			want: map[string]int{"cpu": 4}, why: map[string]string{"cpu": "forecast: t forecast 10 rps under 10 at SLO, +2 warm"},
		},
		{
			name: "warm spares without demand", cfg: withWarm,
			want: map[string]int{"cpu": 2}, why: map[string]string{"cpu": "warm: warm pool of 2"},
		},
		{
			name: "p95 over 80 % of the SLO scales up ahead", cfg: cpuOnly,
			snap: Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 4, P95: 900 * time.Millisecond}}, Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 10}}},
			want: map[string]int{"cpu": 5}, why: map[string]string{"cpu": "latency: p95 900ms over 80% of SLO 1s"},
		},
		{
			name: "a shared pool's p95 is held to its traffic's SLO, not the tightest", cfg: sharedSLOs,
			snap: Snapshot{
				Pools: map[string]PoolSnapshot{"cpu": {Ready: 4, P95: 900 * time.Millisecond, SLO: 2 * time.Second}},
				Tiers: map[string]TierSnapshot{"loose": {ArrivalRate: 10}},
			},
			want: map[string]int{"cpu": 2}, why: map[string]string{"cpu": "forecast: loose forecast 10 rps under 10 at SLO"},
		},
		{
			name: "a shared pool's p95 over its traffic's SLO scales up", cfg: sharedSLOs,
			snap: Snapshot{
				Pools: map[string]PoolSnapshot{"cpu": {Ready: 4, P95: 1800 * time.Millisecond, SLO: 2 * time.Second}},
				Tiers: map[string]TierSnapshot{"loose": {ArrivalRate: 10}},
			},
			want: map[string]int{"cpu": 5}, why: map[string]string{"cpu": "latency: p95 1.8s over 80% of SLO 2s"},
		},
		{
			name: "without its traffic's SLO, a shared pool's p95 is held to the tightest", cfg: sharedSLOs,
			snap: Snapshot{
				Pools: map[string]PoolSnapshot{"cpu": {Ready: 4, P95: 900 * time.Millisecond}},
				Tiers: map[string]TierSnapshot{"loose": {ArrivalRate: 10}},
			},
			want: map[string]int{"cpu": 5}, why: map[string]string{"cpu": "latency: p95 900ms over 80% of SLO 1s"},
		},
		{
			name: "a p95 over the SLO waits for the replicas already starting", cfg: cpuOnly,
			snap: Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 4, Starting: 2, P95: 1800 * time.Millisecond}}, Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 10}}},
			want: map[string]int{"cpu": 6},
		},
		{
			name: "items in flight hold their replicas", cfg: cpuOnly,
			snap: Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 2, InFlight: 7}}},
			want: map[string]int{"cpu": 7}, why: map[string]string{"cpu": "in_flight: 7 in flight at batch 1"},
		},
		{
			name: "a queue drains within the target", cfg: cpuOnly,
			snap: Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 1, Queued: 100, ArrivalRate: 10}}},
			want: map[string]int{"cpu": 6}, why: map[string]string{"cpu": "queue: queue 100 with 10 rps arriving, drained within 5s"},
		},
		{
			name: "never above max", cfg: cpuOnly,
			snap: Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 1, Queued: 1000}}},
			want: map[string]int{"cpu": 10}, why: map[string]string{"cpu": "max: max 10 (queue 1000 with 0 rps arriving, drained within 5s)"},
		},
		{
			name: "never below min", cfg: cpuOnly,
			want: map[string]int{"cpu": 1}, why: map[string]string{"cpu": "min: min 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, _ := Decide(mustSpec(t, tt.cfg), State{}, tt.snap, t0)
			if diff := cmp.Diff(tt.want, plan.Replicas); diff != "" {
				t.Errorf("replicas (-want +got):\n%s\nchanges %v", diff, plan.Changes)
			}
			for pool, why := range tt.why {
				if got := reasonOf(plan, pool); got != why {
					t.Errorf("reason of %s = %q, want %q", pool, got, why)
				}
			}
			for name, want := range tt.tiers {
				if diff := cmp.Diff(want, plan.Tiers[name], approx); diff != "" {
					t.Errorf("tier %s (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}

// reasonOf returns the kind and reason of pool's change in p, as
// "kind: reason".
func reasonOf(p Plan, pool string) string {
	for _, c := range p.Changes {
		if c.Pool == pool {
			return string(c.Kind) + ": " + c.Reason
		}
	}
	return ""
}

// TestDecideIsPure decides twice from the same state: the second decision
// must not see anything of the first.
func TestDecideIsPure(t *testing.T) {
	spec := mustSpec(t, Config{Pools: []PoolConfig{cpuPool("cpu", 0, 100)}, Tiers: []TierConfig{tier("t", "cpu")}})
	w := newWorld(t, spec, map[string]int{"cpu": 10})
	w.steady(time.Minute, "t", 50)
	prev := w.state
	snap := Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 10}}, Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 250}}}
	now := w.now.Add(2 * time.Second)
	p1, s1 := Decide(spec, prev, snap, now)
	p2, s2 := Decide(spec, prev, snap, now)
	if diff := cmp.Diff(p1, p2); diff != "" {
		t.Errorf("second plan (-first +second):\n%s", diff)
	}
	opt := cmp.AllowUnexported(State{}, tierState{}, poolState{}, spend{}, holt{}, sample{}, peak{})
	if diff := cmp.Diff(s1, s2, opt); diff != "" {
		t.Errorf("second state (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(w.state, prev, opt); diff != "" {
		t.Errorf("prev changed (-before +after):\n%s", diff)
	}
}

// TestOnDemandHigh keeps capacity for the high class's part of a tier's
// demand (100 of 500 rps) off spot, on top of spot's, when OnDemandHigh
// asks for it and no other pool of the tier starts faster than the spot
// pool.
func TestOnDemandHigh(t *testing.T) {
	spot, od := gpuPool("gpu-spot", true, 1.20, 60*time.Second, 10), gpuPool("gpu-od", false, 3.00, 90*time.Second, 10)
	tests := []struct {
		name     string
		pools    []PoolConfig
		onDemand float64
		low      float64 // the low class's rate; the normal class's is 300
		want     map[string]int
	}{
		{name: "no floor: all on spot", pools: []PoolConfig{spot, od}, low: 100,
			want: map[string]int{"gpu-spot": 3, "gpu-od": 0}},
		{name: "the high class on demand too", pools: []PoolConfig{spot, od}, onDemand: 1, low: 100,
			want: map[string]int{"gpu-spot": 3, "gpu-od": 1}},
		{name: "half of it", pools: []PoolConfig{spot, od}, onDemand: 0.5, low: 100,
			want: map[string]int{"gpu-spot": 3, "gpu-od": 1}},
		{name: "no high class, no floor", pools: []PoolConfig{spot, od}, onDemand: 1, low: 200,
			want: map[string]int{"gpu-spot": 3, "gpu-od": 0}},
		{name: "a pool faster than spot replaces it", pools: []PoolConfig{spot, od, cpuPool("cpu", 0, 100)}, onDemand: 1, low: 100,
			want: map[string]int{"gpu-spot": 3, "gpu-od": 0, "cpu": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := []string{}
			pools := map[string]PoolSnapshot{}
			for _, p := range tt.pools {
				names = append(names, p.Name)
				pools[p.Name] = PoolSnapshot{Ready: tt.want[p.Name]}
			}
			spec := mustSpec(t, Config{Pools: tt.pools, Tiers: []TierConfig{tier("t", names...)}, SpotShareMax: 1, OnDemandHigh: tt.onDemand})
			snap := Snapshot{Pools: pools, Tiers: map[string]TierSnapshot{"t": {ArrivalRate: 500, LowRate: tt.low, NormalRate: 300}}}
			plan, _ := Decide(spec, State{}, snap, t0)
			if diff := cmp.Diff(tt.want, plan.Replicas); diff != "" {
				t.Errorf("replicas (-want +got):\n%s", diff)
			}
		})
	}
}
