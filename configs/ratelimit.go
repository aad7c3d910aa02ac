package configs

import "math"

// RateLimit is a token bucket: Rate requests per second on average, bursts
// of up to Burst. A model's rate_limit is one; an API key's rate and burst
// follow the same rules.
type RateLimit struct {
	// Rate is in requests per second; > 0.
	Rate float64 `yaml:"rate"`
	// Burst is the bucket's size; >= 1, default max(1, ceil(Rate)).
	Burst int `yaml:"burst"`
}

func (l *RateLimit) applyDefaults() { l.Burst = defaultBurst(l.Rate, l.Burst) }

// defaultBurst returns burst, or max(1, ceil(rate)) when burst is 0 and
// rate is a valid rate (validation reports the others).
func defaultBurst(rate float64, burst int) int {
	if burst != 0 || !(rate > 0) || rate > math.MaxInt32 {
		return burst
	}
	return max(1, int(math.Ceil(rate)))
}

// rateLimit checks a token bucket whose rate and burst are at f.rate and
// f.burst.
func (c *checker) rateLimit(f string, l RateLimit) {
	switch {
	case !(l.Rate > 0) || math.IsInf(l.Rate, 1):
		c.addf(f+".rate", "%v must be > 0 and finite (requests per second)", l.Rate)
	case l.Burst < 1: // not reported with a bad rate, which leaves it without its default
		c.addf(f+".burst", "%d must be >= 1", l.Burst)
	}
}
