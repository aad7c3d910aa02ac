package configs

import "time"

// Route sends the requests it matches to a tier. Every condition set must
// hold; an empty Match matches every request.
type Route struct {
	Match RouteMatch `yaml:"match"`
	// Tier names the tier the matched requests go to; required.
	Tier string `yaml:"tier"`
}

// RouteMatch are the conditions of a route; zero values match anything.
type RouteMatch struct {
	// Model is a model name or a glob ("llm-*").
	Model string `yaml:"model"`
	// MinElements matches requests whose inputs hold at least this many
	// elements in all.
	MinElements int64 `yaml:"min_elements"`
	// MinBytes matches requests whose input data takes at least this many
	// bytes in all.
	MinBytes int64 `yaml:"min_bytes"`
	// Priority matches one priority class (critical, high, normal, low).
	Priority string `yaml:"priority"`
	// Header matches a header's exact value; only trusted tenants' headers
	// are considered.
	Header map[string]string `yaml:"header"`
}

// Health configures active health checks of workers and passive outlier
// ejection.
type Health struct {
	// Interval between two active checks of a worker's ready endpoint.
	Interval time.Duration `yaml:"interval"`
	// Timeout of one active check.
	Timeout time.Duration `yaml:"timeout"`
	// EjectAfter consecutive failed requests eject a worker.
	EjectAfter int `yaml:"eject_after"`
	// EjectFor is the first ejection's length; it doubles with each
	// ejection in a row.
	EjectFor time.Duration `yaml:"eject_for"`
}

// Retry bounds the retries of batches that failed on a worker.
type Retry struct {
	// BudgetRatio is the largest share of requests that may be retries
	// over Window; in [0, 1].
	BudgetRatio float64 `yaml:"budget_ratio"`
	// Window is the sliding window the ratio is measured over.
	Window time.Duration `yaml:"window"`
}

// Cache bounds the response cache.
type Cache struct {
	// MaxBytes bounds the cached responses' size in all.
	MaxBytes int64 `yaml:"max_bytes"`
}

// ModelCache opts a model into the response cache.
type ModelCache struct {
	// Mode is "always" (answer from the cache whenever it can) or
	// "fallback" (only when no pool can serve the request).
	Mode string `yaml:"mode"`
	// TTL is how long a cached response stays valid; > 0.
	TTL time.Duration `yaml:"ttl"`
}
