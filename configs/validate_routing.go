package configs

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// routePriorities are the priority classes a route may match.
var routePriorities = map[string]bool{"critical": true, "high": true, "normal": true, "low": true}

// routing checks the routes against the tiers and models, and the health,
// retry and cache sections and the models' cache settings.
func (c *checker) routing(cfg *Config, tiers map[string]bool) {
	for i, r := range cfg.Routes {
		c.route(fmt.Sprintf("routes[%d]", i), r, tiers, cfg.Models)
	}
	c.health(cfg.Health)
	if r := cfg.Retry.BudgetRatio; !(r >= 0 && r <= 1) {
		c.addf("retry.budget_ratio", "%v must be between 0 and 1", r)
	}
	c.positive("retry.window", cfg.Retry.Window)
	if cfg.Cache.MaxBytes < 0 {
		c.addf("cache.max_bytes", "%d must be >= 0", cfg.Cache.MaxBytes)
	}
	for i, m := range cfg.Models {
		if m.Cache != nil {
			c.modelCache(fmt.Sprintf("models[%d].cache", i), *m.Cache)
		}
	}
}

func (c *checker) route(f string, r Route, tiers map[string]bool, models []Model) {
	switch {
	case r.Tier == "":
		c.addf(f+".tier", "must name a tier")
	case !tiers[r.Tier]:
		c.addf(f+".tier", "tier %q is not defined under tiers", r.Tier)
	}
	m := r.Match
	if m.Model == "" && m.MinElements == 0 && m.MinBytes == 0 && m.Priority == "" && len(m.Header) == 0 {
		c.addf(f+".match", "must set at least one condition (model, min_elements, min_bytes, priority or header)")
	}
	if m.Model != "" {
		c.routeModel(f+".match.model", m.Model, models)
	}
	if m.MinElements < 0 {
		c.addf(f+".match.min_elements", "%d must be >= 0", m.MinElements)
	}
	if m.MinBytes < 0 {
		c.addf(f+".match.min_bytes", "%d must be >= 0", m.MinBytes)
	}
	if m.Priority != "" && !routePriorities[m.Priority] {
		c.addf(f+".match.priority", "%q is not a priority class (want critical, high, normal or low)", m.Priority)
	}
	c.routeHeaders(f+".match.header", m.Header)
}

// routeModel checks that a route's model glob is well formed and matches
// a model, since one that matches none is surely a typo.
func (c *checker) routeModel(f, glob string, models []Model) {
	if _, err := path.Match(glob, ""); err != nil {
		c.addf(f, "%q is not a model name or glob", glob)
		return
	}
	for _, m := range models {
		if ok, _ := path.Match(glob, m.Name); ok {
			return
		}
	}
	c.addf(f, "%q matches no model", glob)
}

// routeHeaders checks header names: non-empty, unique in any letter case.
func (c *checker) routeHeaders(f string, h map[string]string) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	used := map[string]string{}
	for _, name := range names {
		if strings.TrimSpace(name) == "" {
			c.addf(f, "a header name must not be empty")
			continue
		}
		c.unique(used, strings.ToLower(name), f+"."+name)
	}
}

func (c *checker) health(h Health) {
	c.positive("health.interval", h.Interval)
	c.positive("health.timeout", h.Timeout)
	if h.Timeout > h.Interval && h.Interval > 0 {
		c.addf("health.timeout", "%v must be <= interval %v", h.Timeout, h.Interval)
	}
	if h.EjectAfter < 1 {
		c.addf("health.eject_after", "%d must be >= 1", h.EjectAfter)
	}
	c.positive("health.eject_for", h.EjectFor)
	if h.SlowFactor != 0 && !(h.SlowFactor > 1 && h.SlowFactor <= 1e6) {
		c.addf("health.slow_factor", "%v must be in (1, 1e6], or 0 for off", h.SlowFactor)
	}
}

func (c *checker) modelCache(f string, mc ModelCache) {
	if mc.Mode != CacheAlways && mc.Mode != CacheFallback {
		c.addf(f+".mode", "%q is not a cache mode (want %q or %q)", mc.Mode, CacheAlways, CacheFallback)
	}
	c.positive(f+".ttl", mc.TTL)
}
