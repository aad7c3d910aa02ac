package configs

import "testing"

// retryBad lists the retry and cache sections' bad files and their problems, in order.
var retryBad = []badCase{
	{"retry-cache", []string{
		`retry-cache.bad.yaml:4: models[0].cache.mode: "sometimes" is not a cache mode (want "always" or "fallback")`,
		"retry-cache.bad.yaml:4: models[0].cache.ttl: -1s must be > 0",
		"retry-cache.bad.yaml:8: retry.budget_ratio: 1.5 must be between 0 and 1",
		"retry-cache.bad.yaml:9: retry.window: -1s must be > 0",
		"retry-cache.bad.yaml:11: cache.max_bytes: -1 must be >= 0",
	}},
}

func TestRetryCacheBad(t *testing.T) { loadBad(t, retryBad) }
