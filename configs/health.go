package configs

import "time"

// Defaults of the health section.
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
)

// Health configures active health checks of workers and passive outlier
// ejection. Every field takes its default when zero. The router and the
// xDS control plane (Envoy's health checks and outlier detection) both
// apply it.
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

func (h *Health) applyDefaults() {
	fillIfZero(&h.Interval, DefaultHealthInterval)
	fillIfZero(&h.Timeout, DefaultHealthTimeout)
	fillIfZero(&h.EjectAfter, DefaultEjectAfter)
	fillIfZero(&h.EjectFor, DefaultEjectFor)
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
