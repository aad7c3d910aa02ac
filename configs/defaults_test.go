package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// TestDefaults loads a file that sets only what has no default.
func TestDefaults(t *testing.T) {
	got, err := Load("testdata/minimal.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		File:   "testdata/minimal.good.yaml",
		Listen: Listen{HTTP: "127.0.0.1:8080"},
		Auth:   Auth{Mode: "none"},
		Models: []Model{{
			Name: "m", Tier: "t", Batching: ptr(true),
			Timeout: 30 * time.Second, SLO: 500 * time.Millisecond,
		}},
		Tiers: []Tier{{Name: "t", Pools: []string{"p"}}},
		Pools: []Pool{{
			Name:     "p",
			Curve:    costmodel.Curve{Base: 10 * time.Millisecond},
			MaxBatch: 1,
			Replicas: Replicas{Min: 0, Initial: 1, Max: 1},
		}},
		Scaler: Scaler{Interval: 2 * time.Second, Stabilization: 5 * time.Minute, HoldColdStarts: 3, PanicWindow: 6 * time.Second,
			PanicThreshold: 2, SpotShareMax: 1, SpotBackoff: 2 * time.Minute, QueueDrainTarget: 5 * time.Second, Driver: DriverLocal},
		Health: Health{Interval: 2 * time.Second, Timeout: time.Second, EjectAfter: 3, EjectFor: 5 * time.Second},
		Retry:  Retry{BudgetRatio: 0.2, Window: 10 * time.Second},
		Cache:  Cache{MaxBytes: 64 << 20},
	}
	want.Shutdown = Shutdown{DrainTimeout: 10 * time.Second}
	want.Limits = Limits{MaxBodyBytes: 16 << 20, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxConcurrentStreams: 1024, MaxDeadline: 5 * time.Minute, MaxJSONDepth: 32, MaxTensorElements: 4 << 20}
	want.Protocol = Protocol{PriorityLevels: []string{"critical", "high", "normal", "low"}, SequenceIdle: time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestReplicasDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Replicas
		want Replicas
	}{
		{"nothing set", Replicas{}, Replicas{Min: 0, Initial: 1, Max: 1}},
		{"min only", Replicas{Min: 3}, Replicas{Min: 3, Initial: 3, Max: 3}},
		{"max only", Replicas{Max: 5}, Replicas{Min: 0, Initial: 1, Max: 5}},
		{"min and max", Replicas{Min: 2, Max: 5}, Replicas{Min: 2, Initial: 2, Max: 5}},
		{"initial only", Replicas{Initial: 4}, Replicas{Min: 0, Initial: 4, Max: 4}},
		{"all set", Replicas{Min: 1, Initial: 2, Max: 3}, Replicas{Min: 1, Initial: 2, Max: 3}},
		{"negative initial kept for validation", Replicas{Initial: -1}, Replicas{Initial: -1, Max: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.applyDefaults()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("applyDefaults(%+v) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestApplyDefaultsKeepsSetValues(t *testing.T) {
	cfg := Config{
		Listen: Listen{HTTP: ":9000"},
		Auth:   Auth{Mode: "other"},
		Models: []Model{{Batching: ptr(false), Timeout: time.Second, SLO: time.Second,
			Cache: &ModelCache{Mode: CacheAlways, TTL: time.Hour}}},
		Pools: []Pool{{MaxBatch: 4}},
		Scaler: Scaler{Interval: time.Minute, Stabilization: time.Hour, HoldColdStarts: 2, PanicWindow: time.Second,
			PanicThreshold: 3, SpotShareMax: 0.5, SpotBackoff: time.Hour, QueueDrainTarget: time.Minute, Driver: DriverKubernetes},
		Health: Health{Interval: time.Minute, Timeout: time.Second, EjectAfter: 1, EjectFor: time.Hour},
		Retry:  Retry{BudgetRatio: 0.5, Window: time.Hour},
		Cache:  Cache{MaxBytes: 1},
	}
	cfg.Shutdown = Shutdown{DrainTimeout: time.Minute}
	cfg.Limits = Limits{MaxBodyBytes: 1, ReadHeaderTimeout: time.Second, IdleTimeout: time.Second,
		MaxConcurrentStreams: 1, MaxDeadline: time.Second, MaxJSONDepth: 4, MaxTensorElements: 1}
	cfg.Protocol = Protocol{PriorityLevels: []string{"low"}, SequenceIdle: time.Second}
	cfg.Listen.Admin = "[::1]:9090"
	want := cfg
	want.Models = []Model{cfg.Models[0]}
	want.Pools = []Pool{{MaxBatch: 4, Replicas: Replicas{Initial: 1, Max: 1}}}
	cfg.ApplyDefaults()
	once := cfg
	cfg.ApplyDefaults()
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("ApplyDefaults (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(once, cfg); diff != "" {
		t.Errorf("ApplyDefaults is not idempotent (-once +twice):\n%s", diff)
	}
}
