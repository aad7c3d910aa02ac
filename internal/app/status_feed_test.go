package app

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/scaler"
)

func TestDecisionViewOf(t *testing.T) {
	d := scaler.Decision{At: apptest.Epoch, DryRun: true, Plan: scaler.Plan{CostPerHour: 2.7, Changes: []scaler.Change{
		{Pool: "cpu", From: 2, To: 3, Reason: "queue 40 over 2s drain target", CostPerHour: 0.1},
		{Pool: "gpu-spot", From: 1, To: 2, Reason: "p95 650ms over SLO", CostPerHour: 1.2},
	}, Events: []scaler.Event{{Kind: scaler.EventPanic, Tier: "heavy", Message: "heavy: queue grows 3x faster than capacity"}}}}
	want := status.DecisionView{
		At: d.At, DryRun: true, USDPerHour: 2.7,
		Changes: []status.ChangeView{
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

func TestLayoutOf(t *testing.T) {
	cfg := scalingConfig(true)
	cfg.Models = append(cfg.Models, configs.Model{Name: "big", Tier: "g", SLO: 2 * time.Second})
	cfg.Tiers = append(cfg.Tiers, configs.Tier{Name: "g", Pools: []string{"gpu"}})
	cfg.Pools = append(cfg.Pools, configs.Pool{Name: "spare", PricePerHour: 0.2, Spot: true,
		Curve: costmodel.Curve{Base: time.Millisecond}, Replicas: configs.Replicas{Max: 3}})
	cfg.Budget = configs.Budget{PerHour: 7}
	want := status.Layout{
		Fleet: cfg.Fleet(),
		SLOs: map[string]time.Duration{
			"cpu": 500 * time.Millisecond,
			"gpu": 500 * time.Millisecond, // the tighter of t and g; spare is in no tier
		},
		Budget: status.Budget{PerHour: 7}, DryRun: true,
	}
	if diff := cmp.Diff(want, layoutOf(newInForce(cfg))); diff != "" {
		t.Errorf("layoutOf (-want +got):\n%s", diff)
	}
}
