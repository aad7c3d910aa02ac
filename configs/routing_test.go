package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRouting loads the routing example: routes kept in order with their
// header names as written, model caches with their defaults filled, and
// the health, retry and cache sections completed with defaults.
func TestRouting(t *testing.T) {
	cfg, err := Load("testdata/routing.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	type routing struct {
		Routes []Route
		Caches []*ModelCache
		Health Health
		Retry  Retry
		Cache  Cache
	}
	got := routing{Routes: cfg.Routes, Health: cfg.Health, Retry: cfg.Retry, Cache: cfg.Cache}
	for _, m := range cfg.Models {
		got.Caches = append(got.Caches, m.Cache)
	}
	want := routing{
		Routes: []Route{
			{Match: RouteMatch{Model: "sum*", MinElements: 4096}, Tier: "heavy"},
			{Match: RouteMatch{Priority: "critical", MinBytes: 1024}, Tier: "heavy"},
			{Match: RouteMatch{Header: map[string]string{"X-Sluice-Tier": "gpu"}}, Tier: "heavy"},
		},
		Caches: []*ModelCache{
			{Mode: DefaultCacheMode, TTL: DefaultCacheTTL},
			{Mode: CacheAlways, TTL: 10 * time.Second},
		},
		Health: Health{Interval: DefaultHealthInterval, Timeout: DefaultHealthTimeout, EjectAfter: 1, EjectFor: DefaultEjectFor},
		Retry:  Retry{BudgetRatio: 0.1, Window: DefaultRetryWindow},
		Cache:  Cache{MaxBytes: 1 << 20},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routing (-want +got):\n%s", diff)
	}
}

// TestBenchRoutes pins the route that keeps big sums on the GPU pools of
// the reference fleet.
func TestBenchRoutes(t *testing.T) {
	cfg, err := Load("bench.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Route{{Match: RouteMatch{Model: "sum", MinElements: 4096}, Tier: "heavy"}}
	if diff := cmp.Diff(want, cfg.Routes); diff != "" {
		t.Errorf("bench.yaml routes (-want +got):\n%s", diff)
	}
}
