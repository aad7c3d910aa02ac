package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestScalerGood checks that every scaler and budget key decodes.
func TestScalerGood(t *testing.T) {
	cfg, err := Load("testdata/scaler.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Scaler{
		Interval: time.Second, Stabilization: 3 * time.Minute, HoldColdStarts: 2, PanicWindow: 10 * time.Second,
		PanicThreshold: 3, SpotShareMax: 0.5, SpotBackoff: 5 * time.Minute, QueueDrainTarget: 2 * time.Second,
		DryRun: true, Driver: DriverKubernetes,
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
	set := Scaler{Stabilization: time.Hour, HoldColdStarts: 2, PanicWindow: time.Second, PanicThreshold: 5,
		SpotShareMax: 1, SpotBackoff: time.Minute, QueueDrainTarget: time.Minute, Driver: DriverKubernetes}
	got := set
	got.applyDefaults()
	if diff := cmp.Diff(set, got); diff != "" {
		t.Errorf("applyDefaults changed set values (-want +got):\n%s", diff)
	}
}
