package scaler

import (
	"math"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// t0 is the scenarios' start: a Monday, 08:00 UTC.
var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const ms = time.Millisecond

// Pools of the scenarios, throughputs at the tier SLO of 1s (a batch may
// take 500ms):
//
//	cpu       0.10 $/h,   5 rps  5.56 $/M  cold start 10s
//	gpu-spot  1.20 $/h, 200 rps  1.67 $/M  cold start 60s
//	gpu-od    3.00 $/h, 200 rps  4.17 $/M  cold start 90s
func cpuPool(name string, minimum, maximum int) PoolConfig {
	return PoolConfig{
		Pool: costmodel.Pool{Name: name, PricePerHour: 0.10, Curve: costmodel.Curve{Base: 200 * ms},
			MaxBatch: 1, ColdStart: 10 * time.Second},
		Min: minimum, Max: maximum,
	}
}

func gpuPool(name string, spot bool, price float64, cold time.Duration, maximum int) PoolConfig {
	return PoolConfig{
		Pool: costmodel.Pool{Name: name, PricePerHour: price, Spot: spot,
			Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, ColdStart: cold},
		Max: maximum,
	}
}

func tier(name string, pools ...string) TierConfig {
	return TierConfig{Name: name, SLO: time.Second, Pools: pools}
}

// withKnobs returns c with the rules' knobs it leaves at zero set to the
// values the tests were written for: those of the configuration's
// defaults, which the scaler is handed and does not hold itself.
func withKnobs(c Config) Config {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&c.Interval, 2 * time.Second}, {&c.Stabilization, 5 * time.Minute}, {&c.PanicWindow, 6 * time.Second},
		{&c.SpotBackoff, 2 * time.Minute}, {&c.QueueDrainTarget, 5 * time.Second},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	setNumber(&c.PanicThreshold, 2)
	setNumber(&c.SpotShareMax, 1)
	setNumber(&c.HoldColdStarts, 3)
	return c
}

// mustSpec compiles c with the tuning the mechanism tests were written
// for (a 70 % spot cap, the full stabilization window for every pool, a
// quick forecast with a wide error band) wherever c leaves it unset, and
// withKnobs for the rest, so each test states its numbers.
func mustSpec(t *testing.T, c Config) *Spec {
	t.Helper()
	setNumber(&c.SpotShareMax, 0.7)
	setNumber(&c.HoldColdStarts, math.Inf(1))
	setNumber(&c.Forecast.Alpha, 0.5)
	setNumber(&c.Forecast.Beta, 0.1)
	setNumber(&c.Forecast.ErrorBand, 2)
	setNumber(&c.Forecast.ErrorGain, 0.1)
	s, err := NewSpec(withKnobs(c))
	if err != nil {
		t.Fatalf("NewSpec: %v", err)
	}
	return s
}

// world runs Decide against pools whose replicas become ready as soon as
// they are planned, unless a tick's snapshot says otherwise.
type world struct {
	t     *testing.T
	spec  *Spec
	state State
	now   time.Time
	ready map[string]int
	plan  Plan
}

func newWorld(t *testing.T, spec *Spec, ready map[string]int) *world {
	if ready == nil {
		ready = map[string]int{}
	}
	return &world{t: t, spec: spec, now: t0, ready: ready}
}

// tick decides at w.now+d with tier t's arrival rate and the pools ready
// as planned before; pools overrides pools' snapshots entirely.
func (w *world) tick(d time.Duration, tiers map[string]float64, pools map[string]PoolSnapshot) Plan {
	w.now = w.now.Add(d)
	snap := Snapshot{Pools: map[string]PoolSnapshot{}, Tiers: map[string]TierSnapshot{}}
	for name, r := range tiers {
		snap.Tiers[name] = TierSnapshot{ArrivalRate: r}
	}
	for name, n := range w.ready {
		snap.Pools[name] = PoolSnapshot{Ready: n}
	}
	for name, p := range pools {
		snap.Pools[name] = p
	}
	return w.decide(snap)
}

func (w *world) decide(snap Snapshot) Plan {
	w.plan, w.state = Decide(w.spec, w.state, snap, w.now)
	for name, n := range w.plan.Replicas {
		w.ready[name] = n
	}
	return w.plan
}

// steady ticks every 2s for span at a constant rate of tier name.
func (w *world) steady(span time.Duration, name string, r float64) Plan {
	for end := w.now.Add(span); w.now.Before(end); {
		w.tick(2*time.Second, map[string]float64{name: r}, nil)
	}
	return w.plan
}
