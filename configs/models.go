package configs

import (
	"fmt"
	"time"
)

// Defaults of a model.
const (
	// DefaultTimeout is a model's request deadline.
	DefaultTimeout = 30 * time.Second
	// DefaultSLO is a model's end-to-end latency target.
	DefaultSLO = 500 * time.Millisecond
)

// Model is a model the gateway serves.
type Model struct {
	// Name is the model's name in request paths; non-empty and unique
	// among models.
	Name string `yaml:"name"`
	// Tier names the tier whose pools serve the model; required.
	Tier string `yaml:"tier"`
	// Batching allows merging requests into batches; nil means the default,
	// true. With false, requests are forwarded one by one.
	Batching *bool `yaml:"batching"`
	// MaxBatch caps the items in one batch for this model; >= 0, and 0
	// means the pool's max_batch.
	MaxBatch int `yaml:"max_batch"`
	// Timeout is the deadline of a request that names none; > 0, default
	// 30s (DefaultTimeout), and at most limits.max_deadline.
	Timeout time.Duration `yaml:"timeout"`
	// SLO is the end-to-end latency target; > 0, default 500ms
	// (DefaultSLO).
	SLO time.Duration `yaml:"slo"`
	// Fallback names a cheaper model served instead when this model's tier
	// is shed or has no capacity; empty means none.
	Fallback string `yaml:"fallback"`
	// RateLimit caps the model's requests across all tenants; nil means no
	// cap.
	RateLimit *RateLimit `yaml:"rate_limit"`
	// Cache opts the model into the response cache; nil means off.
	Cache *ModelCache `yaml:"cache"`
}

// BatchingEnabled reports whether the model's requests may be merged; true
// when Batching is nil.
func (m Model) BatchingEnabled() bool { return m.Batching == nil || *m.Batching }

func (m *Model) applyDefaults() {
	if m.Batching == nil {
		on := true
		m.Batching = &on
	}
	fillIfZero(&m.Timeout, DefaultTimeout)
	fillIfZero(&m.SLO, DefaultSLO)
	if m.RateLimit != nil {
		m.RateLimit.applyDefaults()
	}
	if m.Cache != nil {
		m.Cache.applyDefaults()
	}
}

// models checks every model against the set of tier names and the other
// models (fallbacks).
func (c *checker) models(ms []Model, tiers map[string]bool) {
	if len(ms) == 0 {
		c.addf("models", "at least one model is required")
	}
	used := map[string]string{}
	for i, m := range ms {
		f := fmt.Sprintf("models[%d]", i)
		c.name(f+".name", m.Name, used)
		c.model(f, m, tiers)
	}
	for i, m := range ms {
		c.fallback(fmt.Sprintf("models[%d].fallback", i), m, used)
	}
}

// model checks one model's own fields.
func (c *checker) model(f string, m Model, tiers map[string]bool) {
	switch {
	case m.Tier == "":
		c.addf(f+".tier", "must name a tier")
	case !tiers[m.Tier]:
		c.addf(f+".tier", "tier %q is not defined under tiers", m.Tier)
	}
	if m.MaxBatch < 0 {
		c.addf(f+".max_batch", "%d must be >= 0", m.MaxBatch)
	}
	c.positive(f+".timeout", m.Timeout)
	c.positive(f+".slo", m.SLO)
	if m.RateLimit != nil {
		c.rateLimit(f+".rate_limit", *m.RateLimit)
	}
	if m.Cache != nil {
		c.modelCache(f+".cache", *m.Cache)
	}
}

// fallback checks that a model's fallback, if any, is another model;
// names holds every model name.
func (c *checker) fallback(f string, m Model, names map[string]string) {
	switch _, ok := names[m.Fallback]; {
	case m.Fallback == "":
	case m.Fallback == m.Name:
		c.addf(f, "%q is the model itself", m.Fallback)
	case !ok:
		c.addf(f, "model %q is not defined under models", m.Fallback)
	}
}
