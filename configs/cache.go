package configs

import "time"

// The modes of ModelCache.
const (
	// CacheAlways answers from the cache whenever it holds a fresh answer.
	CacheAlways = "always"
	// CacheFallback answers from the cache only when no pool of the
	// model's tier can take the request.
	CacheFallback = "fallback"
)

// Defaults of the cache section and of a model's cache.
const (
	// DefaultCacheBytes bounds the response cache: 64 MiB.
	DefaultCacheBytes = 64 << 20
	// DefaultCacheMode is the mode of a model's cache that names none.
	DefaultCacheMode = CacheFallback
	// DefaultCacheTTL is how long a cached answer stays fresh.
	DefaultCacheTTL = time.Minute
)

// Cache bounds the response cache shared by the models that opt in.
type Cache struct {
	// MaxBytes bounds the cached answers' size in all; > 0, default 64 MiB
	// (DefaultCacheBytes).
	MaxBytes int64 `yaml:"max_bytes"`
}

// ModelCache opts a model into the response cache (models[].cache).
// Answers are keyed by model, version and a hash of the request's inputs;
// request IDs and parameters do not count.
type ModelCache struct {
	// Mode is "always" (CacheAlways) or "fallback" (CacheFallback);
	// default "fallback" (DefaultCacheMode).
	Mode string `yaml:"mode"`
	// TTL is how long a cached answer stays fresh; > 0, default 1m
	// (DefaultCacheTTL).
	TTL time.Duration `yaml:"ttl"`
}

func (c *Cache) applyDefaults() { fillIfZero(&c.MaxBytes, DefaultCacheBytes) }

func (mc *ModelCache) applyDefaults() {
	fillIfZero(&mc.Mode, DefaultCacheMode)
	fillIfZero(&mc.TTL, DefaultCacheTTL)
}

func (c *checker) cache(cc Cache) {
	if cc.MaxBytes < 0 {
		c.addf("cache.max_bytes", "%d must be >= 0", cc.MaxBytes)
	}
}

// modelCache checks a model's cache settings at f.
func (c *checker) modelCache(f string, mc ModelCache) {
	if mc.Mode != CacheAlways && mc.Mode != CacheFallback {
		c.addf(f+".mode", "%q is not a cache mode (want %q or %q)", mc.Mode, CacheAlways, CacheFallback)
	}
	c.positive(f+".ttl", mc.TTL)
}
