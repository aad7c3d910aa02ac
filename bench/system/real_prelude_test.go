package system

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/sim"
)

func TestDefaultPrelude(t *testing.T) {
	tests := []struct {
		name    string
		speedup float64
		want    time.Duration
	}{
		// bench.yaml: a 5 min stabilization and cold starts up to 90 s,
		// compressed, and the router's 10 s stats window, which is not.
		{name: "uncompressed", speedup: 1, want: 8*time.Minute + 10*time.Second},
		{name: "compressed ten times", speedup: 10, want: 8*time.Minute + 100*time.Second},
		{name: "compressed four times", speedup: 4, want: 8*time.Minute + 40*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadBenchConfig(t)
			if err := compressTime(cfg, tt.speedup); err != nil {
				t.Fatal(err)
			}
			if got := defaultPrelude(cfg, tt.speedup); got != tt.want {
				t.Errorf("defaultPrelude() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWithPrelude(t *testing.T) {
	tr := sim.Trace{Name: "t", Seconds: []sim.Second{{RPS: 5, HeavyFraction: 0.5}, {RPS: 9}}}
	want := sim.Trace{Name: "t", Seconds: []sim.Second{{RPS: 5, HeavyFraction: 0.5}, {RPS: 5, HeavyFraction: 0.5}, {RPS: 5, HeavyFraction: 0.5}, {RPS: 9}}}
	if diff := cmp.Diff(want, withPrelude(tr, 2)); diff != "" {
		t.Errorf("withPrelude() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tr, withPrelude(tr, 0)); diff != "" {
		t.Errorf("withPrelude(0 rows) (-want +got):\n%s", diff)
	}
}

func TestSameFleet(t *testing.T) {
	a := []adminPool{{Name: "x", Ready: 2, Starting: 1}, {Name: "y"}}
	tests := []struct {
		name string
		b    []adminPool
		want bool
	}{
		{name: "the same, all ready", b: []adminPool{{Name: "x", Ready: 3}, {Name: "y"}}, want: true},
		{name: "one still starting", b: []adminPool{{Name: "x", Ready: 2, Starting: 1}, {Name: "y"}}},
		{name: "one more", b: []adminPool{{Name: "x", Ready: 3}, {Name: "y", Ready: 1}}},
		{name: "a pool fewer", b: []adminPool{{Name: "x", Ready: 3}}},
		{name: "another pool", b: []adminPool{{Name: "x", Ready: 3}, {Name: "z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameFleet(a, tt.b); got != tt.want {
				t.Errorf("sameFleet(%s, %s) = %v, want %v", fleetText(a), fleetText(tt.b), got, tt.want)
			}
		})
	}
}

func TestStartFleetOf(t *testing.T) {
	pools := []sim.Pool{{}, {}, {}}
	pools[0].Name, pools[1].Name, pools[2].Name = "a", "b", "c"
	sample := []adminPool{{Name: "c", Ready: 1, Starting: 2}, {Name: "a", Ready: 4}, {Name: "other", Ready: 9}}
	if diff := cmp.Diff([]int{4, 0, 3}, startFleetOf(pools, sample)); diff != "" {
		t.Errorf("startFleetOf() (-want +got):\n%s", diff)
	}
}

// TestPredictionFromAFleet checks that the prediction starts where the
// real run's trace started, and decides by the real policy from there.
func TestPredictionFromAFleet(t *testing.T) {
	o := RealOptions{Config: realTinyConfig, Trace: realShortTrace, Speedup: 10, Seed: 3, Prelude: -1,
		Kinds: [2]RequestKind{{Model: "sum", Rows: 1, Elements: 4}, {Model: "sum", Rows: 2, Elements: 4096}}}
	r, err := prepareReal(o)
	if err != nil {
		t.Fatal(err)
	}
	start := []int{1, 2} // cpu has one replica at most, gpu two
	opts := r.predictionFrom(start)
	opts.Timeline = true
	res, err := sim.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	var first []int
	for i := range res.Timeline.Pools {
		first = append(first, int(res.Timeline.Replicas[i][0]))
	}
	if diff := cmp.Diff(start, first); diff != "" || res.Report.Policy != "costaware" {
		t.Errorf("policy %q, replicas in the first row (-want +got):\n%s", res.Report.Policy, diff)
	}
	p := &startWith{fleet: start}
	if diff := cmp.Diff(start, p.Start(&sim.Observation{})); diff != "" {
		t.Errorf("Start() (-want +got):\n%s", diff)
	}
}
