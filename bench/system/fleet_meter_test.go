package system

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/sim"
)

func TestFleetMeter(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	price := func(p float64) *float64 { return &p }
	type sample struct {
		at    float64 // seconds after t0
		pools []adminPool
	}
	tests := []struct {
		name    string
		prices  map[string]float64
		samples []sample
		want    fleetUsage
	}{
		{
			name: "replicas held between samples",
			samples: []sample{
				{0, []adminPool{{Name: "a", Ready: 2, PricePerHour: price(3.6)}}},
				{10, []adminPool{{Name: "a", Ready: 1, Starting: 2, PricePerHour: price(3.6)}}},
				{20, []adminPool{{Name: "a", Ready: 3, PricePerHour: price(3.6)}}},
			},
			// 2 replicas for 10 s, then 3 for 10 s, at 0.001 $/s.
			want: fleetUsage{ReplicaSeconds: map[string]float64{"a": 50}, CostByPoolUSD: map[string]float64{"a": 0.05}},
		},
		{
			name:   "prices from the configuration when the sample has none",
			prices: map[string]float64{"b": 36},
			samples: []sample{
				{0, []adminPool{{Name: "b", Ready: 1}, {Name: "c", Ready: 1}}},
				{1, []adminPool{{Name: "b", Ready: 1}, {Name: "c"}}},
			},
			want: fleetUsage{ReplicaSeconds: map[string]float64{"b": 1, "c": 1}, CostByPoolUSD: map[string]float64{"b": 0.01, "c": 0}},
		},
		{
			name: "a sample out of order is ignored",
			samples: []sample{
				{5, []adminPool{{Name: "a", Ready: 1, PricePerHour: price(1)}}},
				{4, []adminPool{{Name: "a", Ready: 9, PricePerHour: price(1)}}},
				{6, []adminPool{{Name: "a", PricePerHour: price(1)}}},
			},
			want: fleetUsage{ReplicaSeconds: map[string]float64{"a": 1}, CostByPoolUSD: map[string]float64{"a": 0.000278}},
		},
		{
			name:    "one sample",
			samples: []sample{{0, []adminPool{{Name: "a", Ready: 4}}}},
			want:    fleetUsage{ReplicaSeconds: map[string]float64{"a": 0}, CostByPoolUSD: map[string]float64{"a": 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fleetMeter{prices: tt.prices}
			for _, s := range tt.samples {
				m.observe(at(s.at), s.pools)
			}
			// Whether the cost is known is TestFleetMeterCost's.
			if diff := cmp.Diff(tt.want, m.usage(), cmpopts.IgnoreFields(fleetUsage{}, "Known")); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWarm(t *testing.T) {
	want := map[string]int{"a": 2, "b": 0}
	tests := []struct {
		name  string
		pools []adminPool
		warm  bool
	}{
		{name: "all ready", pools: []adminPool{{Name: "a", Ready: 2}, {Name: "b"}, {Name: "other", Starting: 1}}, warm: true},
		{name: "one starting", pools: []adminPool{{Name: "a", Ready: 1, Starting: 1}, {Name: "b"}}},
		{name: "too many", pools: []adminPool{{Name: "a", Ready: 2}, {Name: "b", Ready: 1}}},
		{name: "a pool missing", pools: []adminPool{{Name: "a", Ready: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := warm(tt.pools, want); got != tt.warm {
				t.Errorf("warm(%s) = %v, want %v", fleetText(tt.pools), got, tt.warm)
			}
		})
	}
}

func TestPrintRealReport(t *testing.T) {
	cost, perM := 0.02, 10.0
	m := realMeasured{
		LoadReport: LoadReport{Scenario: "s", Policy: policyMeasured, Seed: 3, Requests: 100, Served: 99,
			Rejected: map[string]int64{"shed": 1}, CostUSD: &cost, CostPerMillionUSD: &perM,
			LatencyMS: sim.Latency{P50: 10, P95: 20, P99: 30}, SendLagP99MS: 0.5},
		ReplicaSeconds: map[string]float64{"a": 12},
	}
	p := sim.Report{Scenario: "s", Policy: "costaware", DurationS: 60, Requests: 101, Served: 101, Rejected: map[string]int64{},
		CostUSD: 0.025, LatencyMS: sim.Latency{P99: 25}, ReplicaSeconds: map[string]float64{"a": 13, "b": 1}}
	var b strings.Builder
	if err := WriteRealReport(&b, newRealReport(m, p, 10, prelude{length: 480 * time.Second, steady: true}, map[string]int{"a": 2, "b": 0})); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"60 trace seconds compressed 10× into 6.0 s",
		"shed 1", "none",
		"0.020000", "0.025000", "0.800",
		"30.0", "25.0", "1.200",
		"replica-seconds b", "notes:", "no minimum billing", "first second for 8m0s", "steady (it was)", "map[a:2 b:0]",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestParseCPULine(t *testing.T) {
	tests := []struct {
		name        string
		line        string
		busy, total uint64
		ok          bool
	}{
		{name: "linux", line: "cpu  100 5 50 800 40 3 2 0 7 0\n", busy: 160, total: 1000, ok: true},
		{name: "one processor's line", line: "cpu0 1 2 3 4 5\n"},
		{name: "too short", line: "cpu 1 2 3\n"},
		{name: "not a number", line: "cpu 1 2 x 4 5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			busy, total, ok := parseCPULine(tt.line)
			if busy != tt.busy || total != tt.total || ok != tt.ok {
				t.Errorf("parseCPULine(%q) = %d, %d, %v; want %d, %d, %v", tt.line, busy, total, ok, tt.busy, tt.total, tt.ok)
			}
		})
	}
	if got := busyShare(100, 1000, 250, 1200); got != 0.75 {
		t.Errorf("busyShare() = %v, want 0.75", got)
	}
	if got := busyShare(100, 1000, 50, 900); got != 0 {
		t.Errorf("busyShare() of readings going backwards = %v, want 0", got)
	}
}
