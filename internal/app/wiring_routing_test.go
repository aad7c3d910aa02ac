package app

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
)

// TestRoutingConfig checks the translation of the routing sections of a
// loaded configuration into the router's terms.
func TestRoutingConfig(t *testing.T) {
	cfg, err := configs.Load("../../configs/testdata/routing.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rc := RouterConfig(cfg)
	critical := batcher.Critical
	type routing struct {
		Routes     []router.Route
		Caches     []router.ModelCache
		Fallbacks  []string
		Health     router.HealthConfig
		Retry      router.RetryConfig
		CacheBytes int64
		GPUCost    float64
	}
	got := routing{Routes: rc.Routes, Health: rc.Health, Retry: rc.Retry, CacheBytes: rc.CacheBytes, GPUCost: rc.Pools[1].Cost.Curve.Latency(1).Seconds()}
	for _, m := range rc.Models {
		got.Caches = append(got.Caches, m.Cache)
		got.Fallbacks = append(got.Fallbacks, m.Fallback)
	}
	want := routing{
		Routes: []router.Route{
			{Match: router.Match{Model: "sum*", MinElements: 4096}, Tier: "heavy"},
			{Match: router.Match{Priority: &critical, MinBytes: 1024}, Tier: "heavy"},
			{Match: router.Match{Header: map[string]string{"x-sluice-tier": "gpu"}}, Tier: "heavy"},
		},
		Caches: []router.ModelCache{
			{Mode: router.CacheFallback, TTL: configs.DefaultCacheTTL},
			{Mode: router.CacheAlways, TTL: 10 * time.Second},
		},
		Fallbacks: []string{"", "sum"},
		Health: router.HealthConfig{
			Interval: configs.DefaultHealthInterval, Timeout: configs.DefaultHealthTimeout,
			EjectAfter: 1, EjectFor: configs.DefaultEjectFor,
		},
		Retry:      router.RetryConfig{Budget: 0.1, Window: configs.DefaultRetryWindow},
		CacheBytes: 1 << 20,
		GPUCost:    0.021,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("router config (-want +got):\n%s", diff)
	}
	rt, err := router.New(rc)
	if err != nil {
		t.Fatalf("router.New: %v", err)
	}
	rt.Close()
}
