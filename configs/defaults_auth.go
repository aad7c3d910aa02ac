package configs

import "math"

// DefaultKeyPriority is the priority class of an API key that names none.
const DefaultKeyPriority = "normal"

// applyAuthDefaults fills the keys' priorities and the bursts of the keys'
// and models' rate limits.
func (c *Config) applyAuthDefaults() {
	for i := range c.Auth.Keys {
		k := &c.Auth.Keys[i]
		if k.Priority == "" {
			k.Priority = DefaultKeyPriority
		}
		k.Burst = defaultBurst(k.Rate, k.Burst)
	}
	for i := range c.Models {
		if l := c.Models[i].RateLimit; l != nil {
			l.Burst = defaultBurst(l.Rate, l.Burst)
		}
	}
}

// defaultBurst returns burst, or max(1, ceil(rate)) when burst is 0 and
// rate is a valid rate (validation reports the others).
func defaultBurst(rate float64, burst int) int {
	if burst != 0 || !(rate > 0) || rate > math.MaxInt32 {
		return burst
	}
	return max(1, int(math.Ceil(rate)))
}
