package system

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
)

func TestRejectReason(t *testing.T) {
	status := func(code int, body string) error { return &load.StatusError{Code: code, Body: []byte(body)} }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "tenant rate limit", err: status(429, `{"error":"gateway: rate limited: tenant \"a\"; retry in 5ms"}`), want: "rate_limit"},
		{name: "429 without a body", err: status(429, ""), want: "rate_limit"},
		{name: "queue full", err: status(429, `{"error":"batcher: queue full: class normal"}`), want: "queue_full"},
		{name: "shed", err: status(503, `{"error":"gateway: shedding load: low"}`), want: "shed"},
		{name: "a tier shed", err: status(503, `{"error":"router: tier is shedding load: tier \"light\" refuses low requests for now"}`), want: "shed"},
		{name: "queue timeout", err: status(503, `{"error":"batcher: queue timeout"}`), want: "queue_timeout"},
		{name: "no capacity", err: status(503, `{"error":"router: no pool can take the request: tier \"gpu\""}`), want: "no_capacity"},
		{name: "other 503", err: status(503, ""), want: "no_capacity"},
		{name: "gateway timeout", err: status(504, ""), want: "timeout"},
		{name: "bad gateway", err: status(502, ""), want: "backend"},
		{name: "internal error", err: status(500, ""), want: "backend"},
		{name: "client error", err: status(401, ""), want: "http_401"},
		{name: "no answer", err: errors.New("load: POST x: connection refused"), want: "connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rejectReason(tt.err); got != tt.want {
				t.Errorf("rejectReason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestLoadTally(t *testing.T) {
	light, heavy := load.Arrival{Class: load.Normal}, load.Arrival{Heavy: true, Class: load.High}
	lowLight := load.Arrival{Class: load.Low}
	tr := load.Traced{Arrivals: []load.Arrival{light, light, heavy, heavy, lowLight, lowLight, light}}
	tr.Offsets = make([]time.Duration, len(tr.Arrivals))
	outcomes := []load.Outcome{
		{Index: 0, Latency: 100 * time.Millisecond},                                       // light, within
		{Index: 1, Latency: 700 * time.Millisecond},                                       // light, late
		{Index: 2, Latency: 700 * time.Millisecond},                                       // heavy, within
		{Index: 3, Err: &load.StatusError{Code: 504}},                                     // timeout
		{Index: 4, Err: &load.StatusError{Code: 429}},                                     // rate limited
		{Index: 5, Err: context.DeadlineExceeded, TimedOut: true},                         // lost
		{Index: 6, Err: fmt.Errorf("load: %w", context.Canceled), Canceled: true, Lag: 0}, // lost
	}
	tally := newLoadTally(tr, [2]time.Duration{500 * time.Millisecond, time.Second})
	for _, o := range outcomes {
		tally.add(o)
	}
	got := tally.report("s", 3, 2, load.Span{Window: 5 * time.Second})
	want := LoadReport{
		Scenario: "s", Policy: "measured", Seed: 3, DurationS: 10, Speedup: 2,
		Requests: 7, Served: 3, Lost: 2, Rejected: map[string]int64{"timeout": 1, "rate_limit": 1},
		SLOAttainment: sim.Attainment{All: 2.0 / 7, Light: 1.0 / 5, Heavy: 1.0 / 2, High: 1.0 / 2, Normal: 1.0 / 3, Low: 0},
	}
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-6), cmpopts.IgnoreFields(LoadReport{}, "LatencyMS", "SendLagP99MS")}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	// Two of the three served took 700 ms; the histogram keeps three
	// significant digits.
	near := cmpopts.EquateApprox(0.001, 0)
	if !cmp.Equal(got.LatencyMS.P50, 700.0, near) || !cmp.Equal(got.LatencyMS.P99, 700.0, near) {
		t.Errorf("latency %+v, want p50 and p99 of 700 ms", got.LatencyMS)
	}
}

func TestLoadTallyOfNothing(t *testing.T) {
	got := newLoadTally(load.Traced{}, [2]time.Duration{time.Second, time.Second}).report("s", 1, 1, load.Span{})
	want := sim.Attainment{All: 1, Light: 1, Heavy: 1, High: 1, Normal: 1, Low: 1}
	if diff := cmp.Diff(want, got.SLOAttainment); diff != "" {
		t.Errorf("attainment over no request (-want +got):\n%s", diff)
	}
}

func TestFleetMeterCost(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	price := func(x float64) *float64 { return &x }
	type sample struct {
		at    time.Time
		pools []adminPool
	}
	tests := []struct {
		name    string
		prices  map[string]float64
		samples []sample
		want    float64
		known   bool
	}{
		{name: "no sample", known: false},
		{
			name: "prices from the admin API", known: true,
			samples: []sample{
				{at(0), []adminPool{{Name: "gpu", Ready: 2, PricePerHour: price(3.6)}}},
				{at(10), []adminPool{{Name: "gpu", Ready: 1, Starting: 2, PricePerHour: price(3.6)}}},
				{at(20), nil},
			},
			// 10 s at 7.2 $/h, 10 s at 10.8 $/h.
			want: 0.02 + 0.03,
		},
		{
			name: "prices from the configuration", known: true, prices: map[string]float64{"cpu": 0.36, "gpu": 3.6},
			samples: []sample{
				{at(0), []adminPool{{Name: "cpu", Ready: 10}, {Name: "gpu"}}},
				{at(100), nil},
			},
			want: 0.1,
		},
		{
			name: "an idle pool needs no price", known: true, prices: map[string]float64{"cpu": 0.36},
			samples: []sample{{at(0), []adminPool{{Name: "cpu", Ready: 1}, {Name: "gpu"}}}, {at(10), nil}},
			want:    0.001,
		},
		{
			name: "a busy pool without a price", known: false, prices: map[string]float64{"cpu": 0.36},
			samples: []sample{{at(0), []adminPool{{Name: "cpu", Ready: 1}, {Name: "gpu", Ready: 1}}}, {at(10), nil}},
			want:    0.001,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fleetMeter{prices: tt.prices}
			for _, s := range tt.samples {
				m.observe(s.at, s.pools)
			}
			u := m.usage()
			if usd, known := u.cost(), u.Known; known != tt.known || (known && !cmp.Equal(usd, tt.want, cmpopts.EquateApprox(1e-9, 0))) {
				t.Errorf("usage() costs %v, known %v; want %v, %v", usd, known, tt.want, tt.known)
			}
		})
	}
}
