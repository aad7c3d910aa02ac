package configs

import "time"

// DefaultDrainTimeout bounds the wait for requests in progress when the
// gateway stops.
const DefaultDrainTimeout = 10 * time.Second

// applyDefaults fills the shutdown settings left at zero.
func (s *Shutdown) applyDefaults() {
	if s.DrainTimeout == 0 {
		s.DrainTimeout = DefaultDrainTimeout
	}
}
