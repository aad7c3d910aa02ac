package configs

import "time"

// DefaultDrainTimeout bounds the wait for requests in progress when the
// gateway stops.
const DefaultDrainTimeout = 10 * time.Second

// Shutdown shapes how serve stops on SIGTERM or SIGINT: it turns not
// ready and answers new requests 503 at once, lets the requests already
// queued or in flight finish for up to DrainTimeout, answers those still
// unfinished 503, and only then stops its listeners and its workers.
type Shutdown struct {
	// DrainTimeout bounds the wait for the requests in progress when the
	// gateway starts to stop; > 0, default 10s (DefaultDrainTimeout).
	// Keep it under the grace period of whatever stops the gateway
	// (Kubernetes' terminationGracePeriodSeconds, default 30s).
	DrainTimeout time.Duration `yaml:"drain_timeout"`
}

func (s *Shutdown) applyDefaults() { fillIfZero(&s.DrainTimeout, DefaultDrainTimeout) }

func (c *checker) shutdown(s Shutdown) {
	c.positive("shutdown.drain_timeout", s.DrainTimeout)
}
