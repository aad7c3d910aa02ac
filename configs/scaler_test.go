package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// scalerBad lists the scaler section's bad files and their problems, in order.
var scalerBad = []badCase{
	{"scaler-interval", []string{"scaler-interval.bad.yaml:5: scaler.interval: -2s must be > 0"}},
	{"scaler-knobs", []string{
		"scaler-knobs.bad.yaml:5: scaler.stabilization: -1m0s must be > 0",
		"scaler-knobs.bad.yaml:6: scaler.panic_window: -6s must be > 0",
		"scaler-knobs.bad.yaml:7: scaler.panic_threshold: 1 must be > 1 and finite",
		"scaler-knobs.bad.yaml:8: scaler.spot_share_max: 1.5 must be > 0 and <= 1",
		"scaler-knobs.bad.yaml:9: scaler.spot_backoff: -1s must be > 0",
		"scaler-knobs.bad.yaml:10: scaler.queue_drain_target: -5s must be > 0",
		`scaler-knobs.bad.yaml:11: scaler.driver: "docker" must be local or kubernetes`,
		"scaler-knobs.bad.yaml:12: scaler.hold_cold_starts: -2 must be > 0",
		"scaler-knobs.bad.yaml:13: scaler.burst_memory: -10m0s must be > 0",
		"scaler-knobs.bad.yaml:14: scaler.on_demand_high: 2 must be >= 0 and <= 1",
		"scaler-knobs.bad.yaml:16: budget.per_day: -10 must be >= 0",
	}},
	{"prewarm", []string{
		`prewarm.bad.yaml:6: scaler.prewarm[0].schedule: "0 25 * * *" is not a cron schedule: `,
		`prewarm.bad.yaml:9: scaler.prewarm[1].schedule: "@every 1h" is not allowed: @every has no fixed start times`,
		"prewarm.bad.yaml:10: scaler.prewarm[2].schedule: is required",
		"prewarm.bad.yaml:10: scaler.prewarm[2].duration: -1m0s must be > 0",
		`prewarm.bad.yaml:10: scaler.prewarm[2].pool: pool "b" is not defined under pools`,
		`prewarm.bad.yaml:11: scaler.prewarm[3].min: 4 must be between 0 and pool "a"'s replicas.max 3`,
	}},
}

func TestScalerBad(t *testing.T) { loadBad(t, scalerBad) }

// TestScalerGood checks that every scaler and budget key decodes.
func TestScalerGood(t *testing.T) {
	cfg, err := Load("testdata/scaler.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Scaler{
		OnDemandHigh: ptr(0.5), Interval: time.Second, Stabilization: 3 * time.Minute, HoldColdStarts: 2, PanicWindow: 10 * time.Second,
		PanicThreshold: 3, SpotShareMax: 0.5, SpotBackoff: 5 * time.Minute, QueueDrainTarget: 2 * time.Second,
		BurstMemory: 30 * time.Minute, DryRun: true, Driver: DriverKubernetes,
		Prewarm: []Prewarm{
			{Schedule: "CRON_TZ=Europe/Paris 30 8 * * 1-5", Duration: 2 * time.Hour, Pool: "gpu", Min: 8},
			{Schedule: "@daily", Duration: 10 * time.Minute, Pool: "cpu"},
		},
	}
	if diff := cmp.Diff(want, cfg.Scaler); diff != "" {
		t.Errorf("scaler (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Budget{PerHour: 5, PerDay: 100}, cfg.Budget); diff != "" {
		t.Errorf("budget (-want +got):\n%s", diff)
	}
}

func TestScalerDefaultsKeepSetValues(t *testing.T) {
	set := Scaler{OnDemandHigh: ptr(0.0), Interval: time.Minute, Stabilization: time.Hour, HoldColdStarts: 2, PanicWindow: time.Second, PanicThreshold: 5,
		SpotShareMax: 1, SpotBackoff: time.Minute, QueueDrainTarget: time.Minute, BurstMemory: time.Hour, Driver: DriverKubernetes}
	got := set
	got.applyDefaults()
	if diff := cmp.Diff(set, got); diff != "" {
		t.Errorf("applyDefaults changed set values (-want +got):\n%s", diff)
	}
}
