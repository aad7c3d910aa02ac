package status

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// statusNow is the time of the status fixture: 20 minutes after apptest.Epoch.
var statusNow = apptest.Epoch.Add(20 * time.Minute)

// statusFixture is a fleet of three pools: cpu (on-demand, within its
// SLO), gpu-spot (spot, beyond its SLO) and gpu (its replicas unknown),
// with a plan, three decisions and a sample a minute for 20 minutes.
func statusFixture() input {
	ms := time.Millisecond
	return input{
		Now: statusNow,
		Layout: Layout{
			Fleet: costmodel.Fleet{
				Pools: []costmodel.Pool{
					{Name: "cpu", PricePerHour: 0.1},
					{Name: "gpu-spot", PricePerHour: 1.2, Spot: true},
					{Name: "gpu", PricePerHour: 3},
				},
				Bounds: map[string]costmodel.Bounds{"cpu": {Min: 1, Max: 4}, "gpu-spot": {Max: 8}, "gpu": {Max: 2}},
			},
			SLOs:   map[string]time.Duration{"cpu": 500 * ms, "gpu-spot": 500 * ms, "gpu": time.Second},
			Budget: Budget{PerHour: 2, PerDay: 40},
		},
		Live: map[string]Live{
			"cpu":      {Ready: 2, Starting: 1, Rate: 12.5, Queued: 4, InFlight: 2, Answered: 100, P99: 420 * ms},
			"gpu-spot": {Ready: 1, Rate: 40, Answered: 50, P99: 650 * ms},
			"gpu":      {Err: errors.New(`pool "gpu": replicas: api server away`)},
		},
		Plan: Plan{
			Replicas: map[string]int{"cpu": 3, "gpu-spot": 2, "gpu": 0}, CostPerHour: 2.7, HeadroomCostPerHour: 1.2,
			Tiers: []TierView{
				{Name: "heavy", Demand: 9, Capacity: 4, Panic: true, Shed: "low", Fallback: true},
				{Name: "light", Demand: 52.5, Capacity: 80, Headroom: 20, Shed: "none"},
			},
		},
		Planned: true,
		Decisions: []DecisionView{
			{At: apptest.Epoch.Add(5 * time.Minute), USDPerHour: 1.5, Changes: []ChangeView{
				{Pool: "gpu-spot", From: 0, To: 1, Reason: "forecast 30 rps over 0 at SLO", USDPerHour: 1.2,
					Text: "gpu-spot 0→1: forecast 30 rps over 0 at SLO; +1.20 $/h"},
			}, Events: []string{}},
			{At: apptest.Epoch.Add(12 * time.Minute), Error: `pool "gpu": replicas: api server away`, Changes: []ChangeView{}, Events: []string{}},
			{At: apptest.Epoch.Add(19 * time.Minute), DryRun: true, USDPerHour: 2.7, Changes: []ChangeView{
				{Pool: "cpu", From: 2, To: 3, Reason: "queue 40 over 2s drain target", USDPerHour: 0.1,
					Text: "cpu 2→3: queue 40 over 2s drain target; +0.10 $/h"},
				{Pool: "gpu-spot", From: 1, To: 2, Reason: "p95 650ms over SLO", USDPerHour: 1.2,
					Text: "gpu-spot 1→2: p95 650ms over SLO; +1.20 $/h"},
			}, Events: []string{"panic: heavy: queue grows 3x faster than capacity"}},
		},
		Samples: fixtureSamples(),
	}
}

// fixtureSamples are a sample a minute from apptest.Epoch to statusNow: the cpu
// pool's rate climbs by 1 req/s a minute, gpu-spot joins after 10
// minutes, and gpu is never known.
func fixtureSamples() []sample {
	var out []sample
	for m := 0; m <= 20; m++ {
		s := sample{At: apptest.Epoch.Add(time.Duration(m) * time.Minute), Pools: map[string]poolSample{
			"cpu": {Rate: float64(m), Replicas: 1 + m/8, USDPerHour: 0.1 * float64(1+m/8)},
		}}
		if m >= 10 {
			s.Pools["gpu-spot"] = poolSample{Rate: 40, Replicas: 1, USDPerHour: 1.2}
		}
		out = append(out, s)
	}
	return out
}

func TestBuildStatusPools(t *testing.T) {
	v := build(statusFixture())
	ms := time.Millisecond
	want := []PoolView{
		{Name: "cpu", Desired: 3, Ready: 2, Starting: 1, Min: 1, Max: 4, Queued: 4, InFlight: 2, Rate: 12.5,
			P99: 420 * ms, SLO: 500 * ms, Latency: SLOMet, PricePerHour: 0.1, USDPerHour: 0.30000000000000004},
		{Name: "gpu-spot", Spot: true, Desired: 2, Ready: 1, Max: 8, Rate: 40,
			P99: 650 * ms, SLO: 500 * ms, Latency: SLOMissed, PricePerHour: 1.2, USDPerHour: 1.2},
		{Name: "gpu", Max: 2, SLO: time.Second, Latency: SLOIdle, PricePerHour: 3,
			Error: `pool "gpu": replicas: api server away`},
	}
	if diff := cmp.Diff(want, v.Pools, cmpopts.IgnoreFields(PoolView{}, "Trend")); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
	wantFleet := FleetView{
		Desired: 5, Ready: 3, Starting: 1, SpotReplicas: 1, OnDemandReplicas: 3, SpotShare: 0.25,
		Queued: 4, Rate: 52.5, USDPerHour: 1.5, SpotUSDPerHour: 1.2, PlannedUSDPerHour: 2.7, HeadroomUSDPerHour: 1.2,
	}
	if diff := cmp.Diff(wantFleet, v.Fleet, cmpopts.IgnoreFields(FleetView{}, "Trend"), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("fleet (-want +got):\n%s", diff)
	}
	wantTiers := []TierView{
		{Name: "heavy", Demand: 9, Capacity: 4, Panic: true, Shed: "low", Fallback: true},
		{Name: "light", Demand: 52.5, Capacity: 80, Headroom: 20, Shed: "none"},
	}
	if diff := cmp.Diff(wantTiers, v.Tiers); diff != "" {
		t.Errorf("tiers (-want +got):\n%s", diff)
	}
	if !v.Planned || v.DryRun || v.Window != Window || !v.At.Equal(statusNow) {
		t.Errorf("header: planned %v, dry run %v, window %v, at %v", v.Planned, v.DryRun, v.Window, v.At)
	}
}

func TestBuildStatusTrends(t *testing.T) {
	v := build(statusFixture())
	minutes := func(ms ...int) []time.Time {
		out := []time.Time{}
		for _, m := range ms {
			out = append(out, apptest.Epoch.Add(time.Duration(m)*time.Minute))
		}
		return out
	}
	tests := []struct {
		name string
		got  TrendView
		want TrendView
	}{{
		// The window is (minute 5, minute 20]: minute 5 is out.
		name: "cpu",
		got:  v.Pools[0].Trend,
		want: TrendView{
			At:         minutes(6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			Rate:       []float64{6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
			Replicas:   []float64{1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3},
			USDPerHour: []float64{0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3},
		},
	}, {
		name: "gpu-spot joins at minute 10",
		got:  v.Pools[1].Trend,
		want: TrendView{
			At:         minutes(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			Rate:       []float64{40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40},
			Replicas:   []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			USDPerHour: []float64{1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2},
		},
	}, {
		name: "gpu never known",
		got:  v.Pools[2].Trend,
		want: TrendView{At: []time.Time{}, Rate: []float64{}, Replicas: []float64{}, USDPerHour: []float64{}},
	}, {
		name: "fleet sums the pools",
		got:  v.Fleet.Trend,
		want: TrendView{
			At:         minutes(6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			Rate:       []float64{6, 7, 8, 9, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60},
			Replicas:   []float64{1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4},
			USDPerHour: []float64{0.1, 0.1, 0.2, 0.2, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.5, 1.5, 1.5, 1.5, 1.5},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("trend (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildStatusDecisions(t *testing.T) {
	at := func(m int) time.Time { return apptest.Epoch.Add(time.Duration(m) * time.Minute) }
	many := make([]DecisionView, 60)
	for i := range many {
		many[i] = DecisionView{At: at(i)}
	}
	tests := []struct {
		name string
		in   []DecisionView
		want []time.Time
	}{
		{name: "none", in: nil, want: []time.Time{}},
		{name: "newest first", in: []DecisionView{{At: at(1)}, {At: at(2)}, {At: at(3)}}, want: []time.Time{at(3), at(2), at(1)}},
		{name: "the last 50", in: many, want: func() []time.Time {
			var out []time.Time
			for m := 59; m >= 10; m-- {
				out = append(out, at(m))
			}
			return out
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := statusFixture()
			in.Decisions = tt.in
			got := []time.Time{}
			for _, d := range build(in).Decisions {
				got = append(got, d.At)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision times (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBudgetOf(t *testing.T) {
	tests := []struct {
		name           string
		budget         Budget
		spend, planned float64
		want           BudgetView
	}{
		{name: "no cap", budget: Budget{PerDay: 50}, spend: 3, planned: 4,
			want: BudgetView{PerDay: 50, State: BudgetUncapped}},
		{name: "well within", budget: Budget{PerHour: 10}, spend: 3, planned: 4,
			want: BudgetView{PerHour: 10, Used: 0.3, PlannedUsed: 0.4, State: BudgetOK}},
		{name: "near from 80 %", budget: Budget{PerHour: 10}, spend: 8, planned: 9,
			want: BudgetView{PerHour: 10, Used: 0.8, PlannedUsed: 0.9, State: BudgetNear}},
		{name: "at the cap is near", budget: Budget{PerHour: 10}, spend: 10, planned: 10,
			want: BudgetView{PerHour: 10, Used: 1, PlannedUsed: 1, State: BudgetNear}},
		{name: "over", budget: Budget{PerHour: 10}, spend: 12, planned: 10,
			want: BudgetView{PerHour: 10, Used: 1.2, PlannedUsed: 1, State: BudgetOver}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := budgetOf(tt.budget, FleetView{USDPerHour: tt.spend, PlannedUSDPerHour: tt.planned})
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("budgetOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatencyOf(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		live Live
		slo  time.Duration
		want SLOState
	}{
		{name: "no request", live: Live{}, slo: 500 * ms, want: SLOIdle},
		{name: "within", live: Live{Answered: 1, P99: 400 * ms}, slo: 500 * ms, want: SLOMet},
		{name: "at the SLO", live: Live{Answered: 1, P99: 500 * ms}, slo: 500 * ms, want: SLOMet},
		{name: "beyond", live: Live{Answered: 1, P99: 501 * ms}, slo: 500 * ms, want: SLOMissed},
		{name: "no SLO", live: Live{Answered: 1, P99: time.Hour}, want: SLOMet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := latencyOf(tt.live, tt.slo); got != tt.want {
				t.Errorf("latencyOf = %q, want %q", got, tt.want)
			}
		})
	}
}
