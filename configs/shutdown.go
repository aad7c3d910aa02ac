package configs

import "time"

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
