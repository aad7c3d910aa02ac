package sim

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestArrivalsFollowTheRowLength(t *testing.T) {
	trace := []Second{{RPS: 3000, HeavyFraction: 0.5}, {}, {RPS: 6000, HeavyFraction: 0}}
	tests := []struct {
		name string
		row  time.Duration
	}{
		{name: "one second", row: time.Second},
		{name: "a tenth", row: 100 * time.Millisecond},
		{name: "a quarter", row: 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			count, heavy := make([]float64, len(trace)), make([]float64, len(trace))
			a := newArrivals(trace, 3, tt.row)
			for ; a.next != never; a.advance() {
				i := int(a.next / tt.row)
				if i >= len(trace) {
					t.Fatalf("arrival at %v, after the last row ends at %v", a.next, time.Duration(len(trace))*tt.row)
				}
				count[i]++
				if a.kind == Heavy {
					heavy[i]++
				}
			}
			share := tt.row.Seconds() // a row holds this part of its second's requests
			for i, s := range trace {
				mean := s.RPS * share
				near(t, fmt.Sprintf("arrivals in row %d", i), count[i], mean)
				near(t, fmt.Sprintf("heavy in row %d", i), heavy[i], mean*s.HeavyFraction)
			}
		})
	}
}

// near fails unless a Poisson count got is within 4 standard deviations
// of its mean.
func near(t *testing.T, what string, got, mean float64) {
	t.Helper()
	if tol := 4 * math.Sqrt(mean); math.Abs(got-mean) > tol {
		t.Errorf("%s = %v, want %v ± %.1f", what, got, mean, tol)
	}
}

func TestRunWithShortRows(t *testing.T) {
	const rows, rps = 40, 300
	f := refFleet()
	f.SpotRate, f.MinBilling = -1, time.Nanosecond
	events := []Event{{Second: 20, Kind: PoolDown, Pool: "cpu-small"}}
	res, err := Run(Options{Fleet: f, Trace: flatTrace("flat", rows, rps, 0.2), Events: events, Policy: "static-peak",
		Seed: 4, Timeline: true, Row: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	near(t, "requests", float64(r.Requests), rows*rps*0.1)
	if r.DurationS != rows {
		t.Errorf("duration %d rows, want %d", r.DurationS, rows)
	}
	if got := len(res.Timeline.Offered); got != rows {
		t.Fatalf("timeline of %d samples, want one per row, %d", got, rows)
	}
	// The 40 rows last 4 s: each replica of gpu-spot is billed 4 s,
	// each of cpu-small, lost at row 20, 2 s.
	spot, small := f.PoolIndex("gpu-spot"), f.PoolIndex("cpu-small")
	want := map[string]float64{
		"cpu-small": 2 * res.Timeline.Replicas[small][0],
		"gpu-spot":  4 * res.Timeline.Replicas[spot][0],
	}
	for pool, w := range want {
		if got := r.ReplicaSeconds[pool]; w == 0 || math.Abs(got-w) > 0.2 {
			t.Errorf("pool %s billed %.2f replica-seconds, want %.1f", pool, got, w)
		}
	}
	if before, after := res.Timeline.Replicas[small][19], res.Timeline.Replicas[small][20]; before == 0 || after != 0 {
		t.Errorf("cpu-small replicas around row 20's pool_down: %v then %v, want some then none", before, after)
	}
}

func TestInitialIsTheFleetARunStartsWith(t *testing.T) {
	f := refFleet()
	opts := Options{Fleet: f, Trace: flatTrace("flat", 5, 400, 0.2), Policy: "static-peak", Seed: 1, Timeline: true}
	got, err := Initial(opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int, len(f.Pools))
	total := 0
	for i := range f.Pools {
		want[i] = int(res.Timeline.Replicas[i][0])
		total += want[i]
	}
	if diff := cmp.Diff(want, got); diff != "" || total == 0 {
		t.Errorf("Initial() = %v, want the %d replicas the run had after its first second (-want +got):\n%s", got, total, diff)
	}
	if _, err := Initial(Options{Fleet: f, Policy: "no-such-policy"}); err == nil {
		t.Error("Initial() with an unknown policy did not fail")
	}
}
