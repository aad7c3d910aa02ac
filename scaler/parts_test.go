package scaler

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHolt(t *testing.T) {
	const alpha, beta = 0.5, 0.1
	tests := []struct {
		name    string
		rates   []float64 // one every 2s
		horizon time.Duration
		damping time.Duration
		slope   float64 // the rise observed; +Inf for none
		want    float64
		wantMAE float64
	}{
		{"nothing seen", nil, time.Minute, 0, inf, 0, 0},
		{"first rate is the level", []float64{100}, time.Minute, 0, inf, 100, 0},
		{"constant rate", []float64{100, 100, 100, 100}, time.Minute, 0, inf, 100, 0},
		// level 150, trend 0.1·50/2s = 2.5/s, error |200-100| = 100.
		{"a step up", []float64{100, 200}, 10 * time.Second, 0, inf, 175, 10},
		// level 50, trend -2.5/s: the forecast keeps the level.
		{"a step down", []float64{100, 0}, 10 * time.Second, 0, inf, 50, 10},
		// 150 + 2.5·60 undamped; damped, 2.5·30·(1 - e^-2) = 64.85.
		{"a step up over a cold start, undamped", []float64{100, 200}, time.Minute, 0, inf, 300, 10},
		{"a step up over a cold start, damped", []float64{100, 200}, time.Minute, 30 * time.Second, inf,
			150 + 75*(1-math.Exp(-2)), 10},
		// The level rose 0.5/s lately: the trend counts for no more.
		{"a trend capped by the rise observed", []float64{100, 200}, time.Minute, 0, 0.5, 180, 10},
		{"a rise that stopped adds nothing", []float64{100, 200}, time.Minute, 30 * time.Second, 0, 150, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h holt
			for _, r := range tt.rates {
				h = h.update(r, 2*time.Second, alpha, beta, 0.1)
			}
			if got := h.forecast(tt.horizon, tt.damping, tt.slope); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("forecast(%v) = %v, want %v", tt.horizon, got, tt.want)
			}
			if math.Abs(h.mae-tt.wantMAE) > 1e-9 {
				t.Errorf("mae = %v, want %v", h.mae, tt.wantMAE)
			}
		})
	}
	t.Run("no time passed", func(t *testing.T) {
		h := holt{}.update(100, 0, alpha, beta, 0.1)
		if got := h.update(500, 0, alpha, beta, 0.1); got != h {
			t.Errorf("update with dt 0 = %+v, want %+v", got, h)
		}
	})
}

var inf = math.Inf(1)

func TestPace(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	levels := func(rs ...float64) []sample {
		var ss []sample
		for i, r := range rs {
			ss = append(ss, sample{at: at(2 * i), rate: r})
		}
		return ss
	}
	tests := []struct {
		name   string
		levels []sample
		want   float64
	}{
		{"nothing seen", nil, 0},
		{"one level", levels(100), 0},
		// Only 2s of history: a rise of 20 over the 6s span.
		{"a short history", levels(100, 120), 20.0 / 6},
		// From 6s before the newest (second 4) to it: (190-130)/6s.
		{"rising", levels(100, 110, 130, 150, 170, 190), 10},
		{"a step that settled", levels(100, 500, 900, 900, 900, 900), 0},
		{"falling", levels(900, 800, 700, 600), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(0)
			if n := len(tt.levels); n > 0 {
				now = tt.levels[n-1].at
			}
			if got := pace(tt.levels, now, 6*time.Second); math.Abs(got-tt.want) > 1e-9 && got != tt.want {
				t.Errorf("pace = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMaxWindow(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var w maxWindow
	steps := []struct {
		sec, n, want int
	}{
		{0, 5, 5}, {1, 3, 5}, {2, 4, 5}, {9, 1, 5}, {10, 2, 4}, {12, 1, 2}, {13, 7, 7}, {23, 0, 0},
	}
	for _, s := range steps {
		w = w.push(at(s.sec), s.n, 10*time.Second)
		if got := w.max(); got != s.want {
			t.Errorf("after %d at %ds: max = %d, want %d (window %v)", s.n, s.sec, got, s.want, w)
		}
	}
}

func TestSamples(t *testing.T) {
	var ss []sample
	for i, r := range []float64{10, 20, 30, 40} {
		ss = addSample(ss, t0.Add(time.Duration(2*i)*time.Second), r, 6*time.Second)
	}
	now := t0.Add(6 * time.Second)
	if got := meanSince(ss, now, 6*time.Second); got != 30 {
		t.Errorf("mean of the last 6s = %v, want 30 (of 20, 30, 40)", got)
	}
	if got := meanSince(ss, now, 4*time.Second); got != 35 {
		t.Errorf("mean of the last 4s = %v, want 35 (of 30, 40)", got)
	}
	if got := meanSince(nil, now, 6*time.Second); got != 0 {
		t.Errorf("mean of nothing = %v, want 0", got)
	}
}

func TestPrewarmActive(t *testing.T) {
	sched, err := parseSchedule("CRON_TZ=UTC 0 9 * * 1-5")
	if err != nil {
		t.Fatal(err)
	}
	pw := prewarmSpec{Prewarm: Prewarm{Duration: time.Hour}, sched: sched}
	monday := func(h, m, s int) time.Time { return time.Date(2026, 3, 2, h, m, s, 0, time.UTC) }
	tests := []struct {
		name string
		now  time.Time
		lead time.Duration
		want bool
	}{
		{"before", monday(8, 59, 59), 0, false},
		{"at the start", monday(9, 0, 0), 0, true},
		{"inside", monday(9, 30, 0), 0, true},
		{"at the end", monday(10, 0, 0), 0, false},
		{"a cold start early", monday(8, 59, 30), 30 * time.Second, true},
		{"ends a cold start early", monday(9, 59, 30), 30 * time.Second, false},
		{"not on sunday", time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), 0, false},
		{"zone of the schedule", time.Date(2026, 3, 2, 10, 30, 0, 0, time.FixedZone("CET", 3600)), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pw.active(tt.now, tt.lead); got != tt.want {
				t.Errorf("active(%v, %v) = %v, want %v", tt.now, tt.lead, got, tt.want)
			}
		})
	}
}

func TestRoundUp(t *testing.T) {
	for _, tt := range []struct {
		x    float64
		want int
	}{{0, 0}, {0.005, 0}, {0.02, 1}, {1, 1}, {1.005, 1}, {1.2, 2}, {math.NaN(), 0}, {-3, 0}} {
		if got := roundUp(tt.x); got != tt.want {
			t.Errorf("roundUp(%v) = %d, want %d", tt.x, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	c := Change{Pool: "gpu-spot", From: 3, To: 5, Reason: "forecast 620 rps over 540 at SLO", CostPerHour: 2.4}
	if got, want := c.String(), "gpu-spot 3→5: forecast 620 rps over 540 at SLO; +2.40 $/h"; got != want {
		t.Errorf("Change.String() = %q, want %q", got, want)
	}
	var got []string
	for _, s := range []Shed{ShedNone, ShedLow, ShedNormal, 7} {
		got = append(got, s.String())
	}
	if diff := cmp.Diff([]string{"none", "low", "normal", "Shed(7)"}, got); diff != "" {
		t.Errorf("Shed strings (-want +got):\n%s", diff)
	}
}

// TestRepeatedTime decides twice at the same time: the second snapshot's
// rate reaches neither the forecast nor the panic window.
func TestRepeatedTime(t *testing.T) {
	spec := mustSpec(t, Config{Pools: []PoolConfig{cpuPool("cpu", 0, 100)}, Tiers: []TierConfig{tier("t", "cpu")}})
	at := func(r float64) Snapshot {
		return Snapshot{Pools: map[string]PoolSnapshot{"cpu": {Ready: 10}}, Tiers: map[string]TierSnapshot{"t": {ArrivalRate: r}}}
	}
	_, s1 := Decide(spec, State{}, at(50), t0)
	p2, s2 := Decide(spec, s1, at(500), t0)
	if got, want := s2.tiers["t"], s1.tiers["t"]; got.holt != want.holt || len(got.samples) != len(want.samples) {
		t.Errorf("tier state after a repeated time = %+v, want %+v", got, want)
	}
	if p2.Replicas["cpu"] != 10 || p2.Tiers["t"].Panic {
		t.Errorf("plan after a repeated time = %v, panic %v; want 10 replicas, no panic", p2.Replicas, p2.Tiers["t"].Panic)
	}
}

func TestContinuing(t *testing.T) {
	const thr, slo = 5.0, time.Second // 10 ready replicas serve 50 rps
	tests := []struct {
		name string
		snap PoolSnapshot
		mean float64
		want float64
	}{
		{"a rate under the mean counts the mean", PoolSnapshot{Ready: 10, ArrivalRate: 20}, 50, 50},
		{"a burst absorbed counts the mean", PoolSnapshot{Ready: 10, ArrivalRate: 150, Queued: 50}, 80, 80},
		{"a burst whose queue waits past the SLO counts", PoolSnapshot{Ready: 10, ArrivalRate: 150, Queued: 51}, 80, 150},
		{"a burst on no ready replica counts", PoolSnapshot{ArrivalRate: 150}, 80, 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := continuing(tt.snap, tt.mean, thr, slo); got != tt.want {
				t.Errorf("continuing(%+v, %v) = %v, want %v", tt.snap, tt.mean, got, tt.want)
			}
		})
	}
}
