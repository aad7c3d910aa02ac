package configs

import "time"

// Defaults of the shutdown section.
const (
	// DefaultDrainTimeout bounds the wait for requests in progress when
	// the gateway stops.
	DefaultDrainTimeout = 10 * time.Second
	// DefaultDrainDelay is how long the listeners stay open, refusing
	// new requests, once the gateway turned not ready: long enough for
	// load balancers and endpoint controllers to see the change.
	DefaultDrainDelay = 5 * time.Second
)

// Shutdown shapes how serve stops on SIGTERM or SIGINT: it turns not
// ready and answers new requests 503 at once (with "Connection: close"
// over HTTP), lets the requests already queued or in flight finish for up
// to DrainTimeout, answers those still unfinished 503, and once
// DrainDelay has passed too, closes its listeners and stops its workers.
type Shutdown struct {
	// DrainTimeout bounds the wait for the requests in progress, counted
	// from the signal; > 0, default 10s (DefaultDrainTimeout). Keep it
	// under the grace period of whatever stops the gateway (Kubernetes'
	// terminationGracePeriodSeconds, default 30s).
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// DrainDelay is how long the listeners keep accepting after the
	// signal, answering new requests 503 "shutting down", so that load
	// balancers that still send requests get an answer instead of a
	// closed port; > 0, default 5s (DefaultDrainDelay). The listeners
	// close at the later of DrainDelay and the end of the drain.
	DrainDelay time.Duration `yaml:"drain_delay"`
}

func (s *Shutdown) applyDefaults() {
	fillIfZero(&s.DrainTimeout, DefaultDrainTimeout)
	fillIfZero(&s.DrainDelay, DefaultDrainDelay)
}

func (c *checker) shutdown(s Shutdown) {
	c.positive("shutdown.drain_timeout", s.DrainTimeout)
	c.positive("shutdown.drain_delay", s.DrainDelay)
}
