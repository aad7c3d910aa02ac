package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// routesBad lists the routes' bad files and their problems, in order.
var routesBad = []badCase{
	{"route-tier", []string{
		`route-tier.bad.yaml:6: routes[0].tier: tier "nowhere" is not defined under tiers`,
		"route-tier.bad.yaml:7: routes[1].tier: must name a tier",
	}},
	{"route-match", []string{
		"route-match.bad.yaml:5: routes[0].match: must set at least one condition",
		`route-match.bad.yaml:7: routes[1].match.model: "m[" is not a model name or glob`,
		`route-match.bad.yaml:9: routes[2].match.model: "llm-*" matches no model`,
		"route-match.bad.yaml:11: routes[3].match.min_elements: -1 must be >= 0",
		"route-match.bad.yaml:11: routes[3].match.min_bytes: -2 must be >= 0",
		`route-match.bad.yaml:11: routes[3].match.priority: "urgent" is not a priority class`,
		`route-match.bad.yaml:14: routes[4].match.header.x-tier: "x-tier" duplicates routes[4].match.header.X-Tier`,
	}},
}

func TestRoutesBad(t *testing.T) { loadBad(t, routesBad) }

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
