package main

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// statusNow is the time of the status fixture: 20 minutes after epoch.
var statusNow = epoch.Add(20 * time.Minute)

// statusFixture is a fleet of three pools: cpu (on-demand, within its
// SLO), gpu-spot (spot, beyond its SLO) and gpu (its replicas unknown),
// with a plan, three decisions and a sample a minute for 20 minutes.
func statusFixture() statusInput {
	ms := time.Millisecond
	plan := scaler.Plan{
		At: statusNow, Replicas: map[string]int{"cpu": 3, "gpu-spot": 2, "gpu": 0}, CostPerHour: 2.7,
		Tiers: map[string]scaler.TierPlan{
			"light": {Demand: 52.5, Capacity: 80},
			"heavy": {Demand: 9, Capacity: 4, Panic: true, Shed: scaler.ShedLow, Fallback: true},
		},
	}
	return statusInput{
		Now: statusNow,
		Layout: statusLayout{
			Pools: []layoutPool{
				{Name: "cpu", PricePerHour: 0.1, Min: 1, Max: 4, SLO: 500 * ms},
				{Name: "gpu-spot", PricePerHour: 1.2, Spot: true, Max: 8, SLO: 500 * ms},
				{Name: "gpu", PricePerHour: 3, Max: 2, SLO: time.Second},
			},
			Budget: configs.Budget{PerHour: 2, PerDay: 40},
		},
		Live: map[string]poolLive{
			"cpu": {Ready: 2, Starting: 1, Stats: router.PoolStats{
				Name: "cpu", ArrivalRate: 12.5, Queued: batcher.ClassCounts{Normal: 3, Low: 1}, InFlight: 2,
				Latency: router.LatencySummary{Count: 100, P99: 420 * ms},
			}},
			"gpu-spot": {Ready: 1, Stats: router.PoolStats{
				Name: "gpu-spot", ArrivalRate: 40, Latency: router.LatencySummary{Count: 50, P99: 650 * ms},
			}},
			"gpu": {Err: errors.New(`pool "gpu": replicas: api server away`)},
		},
		Plan: plan, Planned: true,
		Decisions: []scaler.Decision{
			{At: epoch.Add(5 * time.Minute), Plan: scaler.Plan{CostPerHour: 1.5, Changes: []scaler.Change{
				{Pool: "gpu-spot", From: 0, To: 1, Reason: "forecast 30 rps over 0 at SLO", CostPerHour: 1.2},
			}}},
			{At: epoch.Add(12 * time.Minute), Err: errors.New("pool \"gpu\": replicas: api server away")},
			{At: epoch.Add(19 * time.Minute), DryRun: true, Plan: scaler.Plan{CostPerHour: 2.7, Changes: []scaler.Change{
				{Pool: "cpu", From: 2, To: 3, Reason: "queue 40 over 2s drain target", CostPerHour: 0.1},
				{Pool: "gpu-spot", From: 1, To: 2, Reason: "p95 650ms over SLO", CostPerHour: 1.2},
			}, Events: []scaler.Event{{Kind: scaler.EventPanic, Tier: "heavy", Message: "heavy: queue grows 3x faster than capacity"}}}},
		},
		Samples: fixtureSamples(),
	}
}

// fixtureSamples are a sample a minute from epoch to statusNow: the cpu
// pool's rate climbs by 1 req/s a minute, gpu-spot joins after 10
// minutes, and gpu is never known.
func fixtureSamples() []statusSample {
	var out []statusSample
	for m := 0; m <= 20; m++ {
		s := statusSample{At: epoch.Add(time.Duration(m) * time.Minute), Pools: map[string]poolSample{
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
	v := buildStatus(statusFixture())
	ms := time.Millisecond
	want := []poolStatusView{
		{Name: "cpu", Desired: 3, Ready: 2, Starting: 1, Min: 1, Max: 4, Queued: 4, InFlight: 2, Rate: 12.5,
			P99: 420 * ms, SLO: 500 * ms, Latency: sloMet, PricePerHour: 0.1, USDPerHour: 0.30000000000000004},
		{Name: "gpu-spot", Spot: true, Desired: 2, Ready: 1, Max: 8, Rate: 40,
			P99: 650 * ms, SLO: 500 * ms, Latency: sloMissed, PricePerHour: 1.2, USDPerHour: 1.2},
		{Name: "gpu", Max: 2, SLO: time.Second, Latency: sloIdle, PricePerHour: 3,
			Error: `pool "gpu": replicas: api server away`},
	}
	if diff := cmp.Diff(want, v.Pools, cmpopts.IgnoreFields(poolStatusView{}, "Trend")); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
	wantFleet := fleetView{
		Desired: 5, Ready: 3, Starting: 1, SpotReplicas: 1, OnDemandReplicas: 3, SpotShare: 0.25,
		Queued: 4, Rate: 52.5, USDPerHour: 1.5, SpotUSDPerHour: 1.2, PlannedUSDPerHour: 2.7,
	}
	if diff := cmp.Diff(wantFleet, v.Fleet, cmpopts.IgnoreFields(fleetView{}, "Trend"), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("fleet (-want +got):\n%s", diff)
	}
	wantTiers := []tierPlanView{
		{Name: "heavy", Demand: 9, Capacity: 4, Panic: true, Shed: "low", Fallback: true},
		{Name: "light", Demand: 52.5, Capacity: 80, Shed: "none"},
	}
	if diff := cmp.Diff(wantTiers, v.Tiers); diff != "" {
		t.Errorf("tiers (-want +got):\n%s", diff)
	}
	if !v.Planned || v.DryRun || v.Window != statusWindow || !v.At.Equal(statusNow) {
		t.Errorf("header: planned %v, dry run %v, window %v, at %v", v.Planned, v.DryRun, v.Window, v.At)
	}
}

func TestBuildStatusTrends(t *testing.T) {
	v := buildStatus(statusFixture())
	minutes := func(ms ...int) []time.Time {
		out := []time.Time{}
		for _, m := range ms {
			out = append(out, epoch.Add(time.Duration(m)*time.Minute))
		}
		return out
	}
	tests := []struct {
		name string
		got  trendView
		want trendView
	}{{
		// The window is (minute 5, minute 20]: minute 5 is out.
		name: "cpu",
		got:  v.Pools[0].Trend,
		want: trendView{
			At:         minutes(6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			Rate:       []float64{6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
			Replicas:   []float64{1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3},
			USDPerHour: []float64{0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3},
		},
	}, {
		name: "gpu-spot joins at minute 10",
		got:  v.Pools[1].Trend,
		want: trendView{
			At:         minutes(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			Rate:       []float64{40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40},
			Replicas:   []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			USDPerHour: []float64{1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2},
		},
	}, {
		name: "gpu never known",
		got:  v.Pools[2].Trend,
		want: trendView{At: []time.Time{}, Rate: []float64{}, Replicas: []float64{}, USDPerHour: []float64{}},
	}, {
		name: "fleet sums the pools",
		got:  v.Fleet.Trend,
		want: trendView{
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
	at := func(m int) time.Time { return epoch.Add(time.Duration(m) * time.Minute) }
	many := make([]scaler.Decision, 60)
	for i := range many {
		many[i] = scaler.Decision{At: at(i)}
	}
	tests := []struct {
		name string
		in   []scaler.Decision
		want []time.Time
	}{
		{name: "none", in: nil, want: []time.Time{}},
		{name: "newest first", in: []scaler.Decision{{At: at(1)}, {At: at(2)}, {At: at(3)}}, want: []time.Time{at(3), at(2), at(1)}},
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
			for _, d := range buildStatus(in).Decisions {
				got = append(got, d.At)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision times (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecisionViewOf(t *testing.T) {
	d := statusFixture().Decisions[2]
	want := decisionView{
		At: d.At, DryRun: true, USDPerHour: 2.7,
		Changes: []changeView{
			{Pool: "cpu", From: 2, To: 3, Reason: "queue 40 over 2s drain target", USDPerHour: 0.1, Text: "cpu 2→3: queue 40 over 2s drain target; +0.10 $/h"},
			{Pool: "gpu-spot", From: 1, To: 2, Reason: "p95 650ms over SLO", USDPerHour: 1.2, Text: "gpu-spot 1→2: p95 650ms over SLO; +1.20 $/h"},
		},
		Events: []string{"panic: heavy: queue grows 3x faster than capacity"},
	}
	if diff := cmp.Diff(want, decisionViewOf(d)); diff != "" {
		t.Errorf("decisionViewOf (-want +got):\n%s", diff)
	}
	if got := decisionViewOf(scaler.Decision{Err: errors.New("boom")}).Error; got != "boom" {
		t.Errorf("a failed decision's error: %q, want boom", got)
	}
}

func TestBudgetOf(t *testing.T) {
	tests := []struct {
		name           string
		budget         configs.Budget
		spend, planned float64
		want           budgetView
	}{
		{name: "no cap", budget: configs.Budget{PerDay: 50}, spend: 3, planned: 4,
			want: budgetView{PerDay: 50, State: budgetUncapped}},
		{name: "well within", budget: configs.Budget{PerHour: 10}, spend: 3, planned: 4,
			want: budgetView{PerHour: 10, Used: 0.3, PlannedUsed: 0.4, State: budgetOK}},
		{name: "near from 80 %", budget: configs.Budget{PerHour: 10}, spend: 8, planned: 9,
			want: budgetView{PerHour: 10, Used: 0.8, PlannedUsed: 0.9, State: budgetNear}},
		{name: "at the cap is near", budget: configs.Budget{PerHour: 10}, spend: 10, planned: 10,
			want: budgetView{PerHour: 10, Used: 1, PlannedUsed: 1, State: budgetNear}},
		{name: "over", budget: configs.Budget{PerHour: 10}, spend: 12, planned: 10,
			want: budgetView{PerHour: 10, Used: 1.2, PlannedUsed: 1, State: budgetOver}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := budgetOf(tt.budget, fleetView{USDPerHour: tt.spend, PlannedUSDPerHour: tt.planned})
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("budgetOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatencyOf(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		latency router.LatencySummary
		slo     time.Duration
		want    sloState
	}{
		{name: "no request", latency: router.LatencySummary{}, slo: 500 * ms, want: sloIdle},
		{name: "within", latency: router.LatencySummary{Count: 1, P99: 400 * ms}, slo: 500 * ms, want: sloMet},
		{name: "at the SLO", latency: router.LatencySummary{Count: 1, P99: 500 * ms}, slo: 500 * ms, want: sloMet},
		{name: "beyond", latency: router.LatencySummary{Count: 1, P99: 501 * ms}, slo: 500 * ms, want: sloMissed},
		{name: "no SLO", latency: router.LatencySummary{Count: 1, P99: time.Hour}, want: sloMet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := latencyOf(tt.latency, tt.slo); got != tt.want {
				t.Errorf("latencyOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLayoutOf(t *testing.T) {
	cfg := scalingConfig(true)
	cfg.Models = append(cfg.Models, configs.Model{Name: "big", Tier: "g", SLO: 2 * time.Second})
	cfg.Tiers = append(cfg.Tiers, configs.Tier{Name: "g", Pools: []string{"gpu"}})
	cfg.Pools = append(cfg.Pools, configs.Pool{Name: "spare", PricePerHour: 0.2, Spot: true,
		Curve: costmodel.Curve{Base: time.Millisecond}, Replicas: configs.Replicas{Max: 3}})
	cfg.Budget = configs.Budget{PerHour: 7}
	want := statusLayout{
		Pools: []layoutPool{
			{Name: "cpu", PricePerHour: 0.1, Min: 1, Max: 4, SLO: 500 * time.Millisecond},
			{Name: "gpu", PricePerHour: 1.2, Max: 2, SLO: 500 * time.Millisecond}, // the tighter of t and g
			{Name: "spare", PricePerHour: 0.2, Spot: true, Max: 3},                // in no tier
		},
		Budget: configs.Budget{PerHour: 7}, DryRun: true,
	}
	if diff := cmp.Diff(want, layoutOf(cfg)); diff != "" {
		t.Errorf("layoutOf (-want +got):\n%s", diff)
	}
}
