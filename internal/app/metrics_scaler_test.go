package app

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/scaler"
)

// TestChangeReason labels a change by its kind.
func TestChangeReason(t *testing.T) {
	tests := []struct {
		kind scaler.ChangeKind
		want string
	}{
		{scaler.ChangeForecast, "forecast"},
		{scaler.ChangeStabilization, "stabilization"},
		{scaler.ChangeInFlight, "in_flight"},
		{scaler.ChangeNoDemand, "no_demand"},
		{"", "other"},
	}
	for _, tt := range tests {
		if got := changeReason(scaler.Change{Kind: tt.kind, Reason: "words"}); got != tt.want {
			t.Errorf("changeReason(kind %q) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}

// TestDecisionMetrics feeds two decisions and a failed snapshot, and
// reads the counters and the spending back.
func TestDecisionMetrics(t *testing.T) {
	cfg := &configs.Config{
		Pools:  []configs.Pool{{Name: "cpu", PricePerHour: 0.5}, {Name: "gpu", PricePerHour: 2, Spot: true}},
		Budget: configs.Budget{PerHour: 10, PerDay: 100},
	}
	snap := scaler.Snapshot{Pools: map[string]scaler.PoolSnapshot{"cpu": {Ready: 2}, "gpu": {Ready: 1, Starting: 1}}}
	var served uint64
	reg := prometheus.NewRegistry()
	m, err := newDecisionMetrics(reg, cfg.Fleet(), currentOf(cfg).fleet,
		func() (scaler.Snapshot, map[string]int, bool) { return snap, nil, true },
		func() uint64 { return served })
	if err != nil {
		t.Fatal(err)
	}
	plan := scaler.Plan{CostPerHour: 5, Replicas: map[string]int{"cpu": 2, "gpu": 2}}
	if err := reg.Register(newCostCollector(&m.meter, func() (scaler.Plan, bool) { return plan, true },
		func() scaler.Budget { return scaler.Budget{PerHour: cfg.Budget.PerHour, PerDay: cfg.Budget.PerDay} })); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	m.observe(scaler.Decision{At: t0, Plan: plan})
	served = 1e6
	up := scaler.Plan{
		CostPerHour: 5, Replicas: plan.Replicas,
		Changes: []scaler.Change{{Pool: "gpu", From: 1, To: 2, Kind: scaler.ChangeForecast, Reason: "light forecast 620 rps over 540 at SLO"}},
		Events:  []scaler.Event{{Kind: scaler.EventSpotLost, Pool: "gpu"}},
	}
	m.observe(scaler.Decision{At: t0.Add(time.Hour), Plan: up, Err: errors.New("set gpu: boom")})
	m.observe(scaler.Decision{At: t0.Add(2 * time.Hour), Err: errors.New("no snapshot")})

	// The fleet costs 2×0.5 + 2×2 = 5 $/h: 5 $ in the hour between the
	// two decisions with a snapshot, for a million inferences.
	want := map[string]float64{
		`sluice_scaler_changes_total{direction="up",pool="gpu",reason="forecast"}`: 1,
		`sluice_scaler_decisions_total{result="error"}`:                            2,
		`sluice_scaler_decisions_total{result="ok"}`:                               1,
		`sluice_spot_interruptions_total{pool="gpu"}`:                              1,
		`sluice_spent_usd_total`:                                                   5,
		`sluice_cost_per_million_inferences_usd`:                                   5,
		`sluice_budget_used_ratio{period="day"}`:                                   0.05,
		`sluice_budget_used_ratio{period="hour"}`:                                  0.5,
		`sluice_scaler_events_total{kind="spot_lost"}`:                             1,
		`sluice_scaler_events_total{kind="panic"}`:                                 0,
		`sluice_scaler_events_total{kind="calm"}`:                                  0,
		`sluice_scaler_events_total{kind="spot_restored"}`:                         0,
		`sluice_scaler_events_total{kind="budget_cut"}`:                            0,
		`sluice_scaler_events_total{kind="daily_spend"}`:                           0,
	}
	names := []string{"sluice_scaler_changes_total", "sluice_scaler_decisions_total", "sluice_spot_interruptions_total",
		"sluice_spent_usd_total", "sluice_cost_per_million_inferences_usd", "sluice_budget_used_ratio", "sluice_scaler_events_total"}
	if diff := cmp.Diff(want, gatherSamples(t, reg, names...), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}
