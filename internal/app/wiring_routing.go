package app

import (
	"strings"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
)

// routingConfig translates the routes, health checks, retry budget,
// response cache and calibration into the router's terms. pre: cfg is
// validated.
func routingConfig(cfg *configs.Config) router.Config {
	rc := router.Config{
		Health: router.HealthConfig{
			Interval: cfg.Health.Interval, Timeout: cfg.Health.Timeout,
			EjectAfter: cfg.Health.EjectAfter, EjectFor: cfg.Health.EjectFor,
			SlowFactor: cfg.Health.SlowFactor,
		},
		Retry:        router.RetryConfig{Budget: cfg.Retry.BudgetRatio, Window: cfg.Retry.Window},
		CacheBytes:   cfg.Cache.MaxBytes,
		SequenceIdle: cfg.Protocol.SequenceIdle,
		Calibration: router.CalibrationConfig{
			Budget: cfg.Calibration.Budget, Batches: cfg.Calibration.Batches, Remeasure: cfg.Calibration.Remeasure,
		},
	}
	for _, r := range cfg.Routes {
		rc.Routes = append(rc.Routes, router.Route{Match: routeMatch(r.Match), Tier: r.Tier})
	}
	return rc
}

// routeMatch translates a route's conditions; header names are matched in
// lower case, as the gateway looks them up.
func routeMatch(m configs.RouteMatch) router.Match {
	out := router.Match{Model: m.Model, MinElements: m.MinElements, MinBytes: m.MinBytes}
	if m.Priority != "" {
		// Validation accepted the name, so parsing cannot fail.
		if p, err := batcher.ParsePriority(m.Priority); err == nil {
			out.Priority = &p
		}
	}
	if len(m.Header) > 0 {
		out.Header = make(map[string]string, len(m.Header))
		for k, v := range m.Header {
			out.Header[strings.ToLower(k)] = v
		}
	}
	return out
}

// modelCache translates a model's cache settings; nil is off.
func modelCache(c *configs.ModelCache) router.ModelCache {
	if c == nil {
		return router.ModelCache{}
	}
	mode := router.CacheFallback
	if c.Mode == configs.CacheAlways {
		mode = router.CacheAlways
	}
	return router.ModelCache{Mode: mode, TTL: c.TTL}
}
