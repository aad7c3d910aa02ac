package sim

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPlainMetricReplicas(t *testing.T) {
	tests := []struct {
		name                    string
		current, ready, unready int
		ratio                   float64
		want                    int
		wantOK                  bool
	}{
		{name: "no pod reports", current: 3, ratio: 2, want: 3},
		{name: "within tolerance", current: 4, ready: 4, ratio: 1.05, want: 4, wantOK: true},
		{name: "scale up", current: 4, ready: 4, ratio: 1.5, want: 6, wantOK: true},
		{name: "scale down", current: 4, ready: 4, ratio: 0.5, want: 2, wantOK: true},
		{name: "unready pods damp a small surge", current: 4, ready: 2, unready: 2, ratio: 1.5, want: 4, wantOK: true},
		{name: "unready pods count as idle", current: 4, ready: 2, unready: 2, ratio: 3, want: 6, wantOK: true},
		{name: "scale down ignores unready pods", current: 4, ready: 2, unready: 2, ratio: 0.5, want: 1, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := plainMetricReplicas(tt.current, tt.ready, tt.unready, tt.ratio)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestExternalPerPodReplicas(t *testing.T) {
	tests := []struct {
		name         string
		current      int
		total, perPd float64
		want         int
	}{
		{name: "scale up", current: 2, total: 100, perPd: 32, want: 4},
		{name: "within tolerance", current: 3, total: 90, perPd: 32, want: 3},
		{name: "scale down", current: 5, total: 10, perPd: 32, want: 1},
		{name: "empty queue", current: 5, perPd: 32, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := externalPerPodReplicas(tt.current, tt.total, tt.perPd); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// TestHPANormalize scripts the controller's behavior: rate-limited scale
// up, scale down held by the 5-minute window.
func TestHPANormalize(t *testing.T) {
	h := hpaPool{min: 1, max: 20}
	steps := []struct {
		at               time.Duration
		current, desired int
		want             int
	}{
		{at: 0, current: 4, desired: 20, want: 8},                  // max(4 pods, 100 %) per 15 s
		{at: 15 * time.Second, current: 8, desired: 20, want: 16},  // a new period
		{at: 20 * time.Second, current: 16, desired: 20, want: 16}, // 12 added within 15 s: 4+4 … 2×4
		{at: 30 * time.Second, current: 16, desired: 20, want: 20}, // capped by max at last
		{at: time.Minute, current: 20, desired: 2, want: 20},       // the window remembers 20
		{at: 5*time.Minute + 29*time.Second, current: 20, desired: 2, want: 20},
		{at: 6*time.Minute + time.Second, current: 20, desired: 2, want: 2}, // window passed
		{at: 7 * time.Minute, current: 2, desired: 0, want: 2},              // the window remembers 2
		{at: 12 * time.Minute, current: 2, desired: 0, want: 1},             // never below min
	}
	for _, s := range steps {
		if got := h.normalize(s.at, s.current, s.desired); got != s.want {
			t.Errorf("at %v, %d→%d: got %d, want %d", s.at, s.current, s.desired, got, s.want)
		}
	}
}

// TestKPAScale scripts Knative's panic mode: a surge doubles the wanted
// pods at once, and no scale-down happens until the panic has ended.
func TestKPAScale(t *testing.T) {
	f := refFleet().withDefaults()
	p := newKPAWith(Setup{Fleet: &f}, 0, 0) // Knative's defaults
	const spot = 2                          // gpu-spot: a target of 0.7 × 32 rows per replica
	obs := &Observation{Window: time.Second, Pools: make([]PoolState, len(f.Pools))}
	decide := func(at time.Duration, ready int, conc float64) int {
		obs.Now = at
		obs.Pools[spot] = PoolState{Ready: ready, Concurrency: conc}
		return p.Decide(obs).Replicas[spot]
	}
	var got []int
	at := time.Duration(0)
	for range 30 { // calm: 2 replicas' worth
		at += time.Second
		decide(at, 2, 40)
	}
	got = append(got, decide(at+time.Second, 2, 40))
	at += time.Second
	for range 6 { // a surge
		at += time.Second
		decide(at, 2, 400)
	}
	got = append(got, decide(at+2*time.Second, 2, 400))
	at += 2 * time.Second
	for range 20 { // calm again, still panicking
		at += time.Second
		decide(at, 16, 40)
	}
	got = append(got, decide(at+2*time.Second, 16, 40))
	at += 2 * time.Second
	for range 120 { // calm for good: at most halving per decision
		at += time.Second
		decide(at, 16, 40)
	}
	got = append(got, decide(at+2*time.Second, 16, 40))
	want := []int{2, 16, 16, 8} // the surge wants 18, over the pool's max
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gpu-spot replicas (-want +got):\n%s", diff)
	}
}

func TestOracleLookAhead(t *testing.T) {
	f := Fleet{Pools: []Pool{{}, {}}}
	f.Pools[0].ColdStart, f.Pools[1].ColdStart = 0, 2*time.Second
	need := [][]int{{0, 0}, {0, 0}, {0, 0}, {3, 3}, {0, 0}, {0, 0}}
	got := lookAhead(&f, need)
	want := [][]int{{0, 0}, {0, 3}, {0, 3}, {3, 3}, {0, 0}, {0, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestStaticPeak(t *testing.T) {
	f := refFleet().withDefaults()
	tr := flatTrace("t", 10, 100, 0)
	tr.Seconds[4] = Second{RPS: 320, HeavyFraction: 0.25} // 400 rows, 160 of them heavy, at 70 %
	tests := []struct {
		policy string
		want   []int
	}{
		{policy: "static-peak", want: []int{1, 0, 3, 0}},
		{policy: "static-ondemand", want: []int{3, 4, 0, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			p, err := NewPolicy(tt.policy, Setup{Fleet: &f, Trace: tr})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p.Start(&Observation{})); diff != "" {
				t.Errorf("fleet (-want +got):\n%s", diff)
			}
		})
	}
}
