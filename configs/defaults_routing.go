package configs

import "time"

// Defaults of the routing sections, filled by ApplyDefaults.
const (
	// DefaultHealthInterval is the time between two active checks of a
	// worker.
	DefaultHealthInterval = 2 * time.Second
	// DefaultHealthTimeout bounds one active check.
	DefaultHealthTimeout = time.Second
	// DefaultEjectAfter is how many failed batches in a row eject a
	// worker.
	DefaultEjectAfter = 3
	// DefaultEjectFor is the length of a first ejection.
	DefaultEjectFor = 5 * time.Second
	// DefaultRetryBudget is the share of requests that may be retries.
	DefaultRetryBudget = 0.2
	// DefaultRetryWindow is the window of the retry budget.
	DefaultRetryWindow = 10 * time.Second
	// DefaultCacheBytes bounds the response cache: 64 MiB.
	DefaultCacheBytes = 64 << 20
	// DefaultCacheMode is the mode of a model's cache that names none.
	DefaultCacheMode = CacheFallback
	// DefaultCacheTTL is how long a cached answer stays fresh.
	DefaultCacheTTL = time.Minute
)

// applyRoutingDefaults fills the health, retry and cache sections and the
// models' cache settings.
func (c *Config) applyRoutingDefaults() {
	h := &c.Health
	setDuration(&h.Interval, DefaultHealthInterval)
	setDuration(&h.Timeout, DefaultHealthTimeout)
	setDuration(&h.EjectFor, DefaultEjectFor)
	if h.EjectAfter == 0 {
		h.EjectAfter = DefaultEjectAfter
	}
	if c.Retry.BudgetRatio == 0 {
		c.Retry.BudgetRatio = DefaultRetryBudget
	}
	setDuration(&c.Retry.Window, DefaultRetryWindow)
	if c.Cache.MaxBytes == 0 {
		c.Cache.MaxBytes = DefaultCacheBytes
	}
	for i := range c.Models {
		if mc := c.Models[i].Cache; mc != nil {
			if mc.Mode == "" {
				mc.Mode = DefaultCacheMode
			}
			setDuration(&mc.TTL, DefaultCacheTTL)
		}
	}
}

// setDuration sets *d to def when it is zero.
func setDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}
