package configs

import "time"

// Route sends the requests it matches to a tier: every condition its
// Match sets must hold.
type Route struct {
	Match RouteMatch `yaml:"match"`
	// Tier names the tier the matched requests go to; required.
	Tier string `yaml:"tier"`
}

// RouteMatch are the conditions of a route; zero values match anything,
// but a route must set at least one.
type RouteMatch struct {
	// Model is a model name or a path.Match glob ("llm-*") matching at
	// least one model.
	Model string `yaml:"model"`
	// MinElements matches requests whose inputs hold at least this many
	// elements in all; >= 0.
	MinElements int64 `yaml:"min_elements"`
	// MinBytes matches requests whose input data takes at least this many
	// bytes in all; >= 0.
	MinBytes int64 `yaml:"min_bytes"`
	// Priority matches one priority class (critical, high, normal, low).
	Priority string `yaml:"priority"`
	// Header matches headers' exact values, by name (any letter case);
	// only the headers of trusted tenants are read, so a route with
	// Header never matches other callers.
	Header map[string]string `yaml:"header"`
}

// Health configures active health checks of workers and passive outlier
// ejection. Every field takes its default when zero.
type Health struct {
	// Interval between two active checks of a worker's ready endpoint;
	// > 0, default 2s (DefaultHealthInterval).
	Interval time.Duration `yaml:"interval"`
	// Timeout of one check; > 0 and <= Interval, default 1s
	// (DefaultHealthTimeout).
	Timeout time.Duration `yaml:"timeout"`
	// EjectAfter consecutive failed batches eject a worker; a worker that
	// cannot be reached at all is ejected at its first. >= 1, default 3
	// (DefaultEjectAfter).
	EjectAfter int `yaml:"eject_after"`
	// EjectFor is the first ejection's length; it doubles with each
	// ejection in a row, and when it has passed a probe decides whether
	// the worker returns. > 0, default 5s (DefaultEjectFor).
	EjectFor time.Duration `yaml:"eject_for"`
	// SlowFactor, when set, counts a batch answered more than this many
	// times slower than the pool's workers typically are (each batch
	// measured against the pool's curve) as a failed batch towards
	// eject_after, its answer still delivered: a worker far slower than
	// its peers is ejected, a pool slow as a whole is not. > 1, or 0 (the
	// default) for off.
	SlowFactor float64 `yaml:"slow_factor"`
}

// Retry bounds the retries of batches that failed on a worker: each
// request is retried at most once, and only while retries stay within
// BudgetRatio of the requests over Window.
type Retry struct {
	// BudgetRatio is the largest share of requests that may be retries
	// over Window; in [0, 1], default 0.2 (DefaultRetryBudget). Being a
	// number whose zero means unset, it cannot turn retries off.
	BudgetRatio float64 `yaml:"budget_ratio"`
	// Window is the sliding window the ratio is measured over; > 0,
	// default 10s (DefaultRetryWindow).
	Window time.Duration `yaml:"window"`
}

// Cache bounds the response cache shared by the models that opt in.
type Cache struct {
	// MaxBytes bounds the cached answers' size in all; > 0, default 64 MiB
	// (DefaultCacheBytes).
	MaxBytes int64 `yaml:"max_bytes"`
}

// The modes of ModelCache.
const (
	// CacheAlways answers from the cache whenever it holds a fresh answer.
	CacheAlways = "always"
	// CacheFallback answers from the cache only when no pool of the
	// model's tier can take the request.
	CacheFallback = "fallback"
)

// ModelCache opts a model into the response cache. Answers are keyed by
// model, version and a hash of the request's inputs; request IDs and
// parameters do not count.
type ModelCache struct {
	// Mode is "always" (CacheAlways) or "fallback" (CacheFallback);
	// default "fallback" (DefaultCacheMode).
	Mode string `yaml:"mode"`
	// TTL is how long a cached answer stays fresh; > 0, default 1m
	// (DefaultCacheTTL).
	TTL time.Duration `yaml:"ttl"`
}
