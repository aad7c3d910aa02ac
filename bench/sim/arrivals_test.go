package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
)

// drawn returns the requests a run of trace draws for seed.
func drawn(trace []Second, seed uint64) []Arrival {
	var out []Arrival
	for a := newArrivals(trace, seed, DefaultRow); a.next != never; a.advance() {
		out = append(out, Arrival{At: a.next, Kind: a.kind, Priority: a.prio})
	}
	return out
}

// TestArrivalsReplayDraws replays the requests a run draws: the report
// and timeline are the run's own, for every policy.
func TestArrivalsReplayDraws(t *testing.T) {
	sc := mustLoad(t, "tiny")
	given := drawn(sc.Trace.Seconds, 7)
	for _, policy := range MatrixPolicies() {
		t.Run(policy, func(t *testing.T) {
			f := refFleet()
			res, err := Run(Options{Fleet: f, Trace: sc.Trace, Events: sc.Events, Policy: policy,
				Scaler: refSpec(t, f), Seed: 7, Timeline: true, Arrivals: given})
			if err != nil {
				t.Fatal(err)
			}
			want := runTiny(t, policy, 7, true)
			if diff := cmp.Diff(want.Report, res.Report); diff != "" {
				t.Errorf("replayed draws, different report (-drawn +replayed):\n%s", diff)
			}
			if diff := cmp.Diff(want.Timeline, res.Timeline, cmp.Comparer(sameFloat)); diff != "" {
				t.Errorf("replayed draws, different timeline (-drawn +replayed):\n%s", diff)
			}
		})
	}
}

func TestArrivalsReplay(t *testing.T) {
	trace := flatTrace("flat", 10, 5, 0)
	ms := time.Millisecond
	tests := []struct {
		name     string
		given    []Arrival
		wantReqs int64
		wantErr  error
	}{
		{name: "none", given: []Arrival{}, wantReqs: 0},
		{name: "two, one heavy", given: []Arrival{{At: 100 * ms, Kind: Heavy, Priority: batcher.High}, {At: 200 * ms, Kind: Light}}, wantReqs: 2},
		{name: "after the trace's end: not sent", given: []Arrival{{At: time.Second}, {At: 10 * time.Second}, {At: 11 * time.Second}}, wantReqs: 1},
		{name: "out of order", given: []Arrival{{At: 2 * ms}, {At: ms}}, wantErr: ErrArrivals},
		{name: "unknown kind", given: []Arrival{{At: ms, Kind: 2}}, wantErr: ErrArrivals},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := refFleet()
			res, err := Run(Options{Fleet: f, Trace: trace, Policy: "static-peak", Seed: 1, Arrivals: tt.given})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Run() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if r := res.Report; r.Requests != tt.wantReqs || r.Served+r.Lost+rejectedTotal(r) != r.Requests {
				t.Errorf("requests %d (served %d, lost %d, rejected %v), want %d, each ended once", r.Requests, r.Served, r.Lost, r.Rejected, tt.wantReqs)
			}
		})
	}
}

func rejectedTotal(r Report) int64 {
	var n int64
	for _, c := range r.Rejected {
		n += c
	}
	return n
}
