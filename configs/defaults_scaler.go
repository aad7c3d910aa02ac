package configs

import "time"

// Defaults of the scaler section, filled by ApplyDefaults; they equal the
// scaler package's own.
const (
	// DefaultStabilization is the scale-down window.
	DefaultStabilization = 5 * time.Minute
	// DefaultHoldColdStarts keeps replicas no longer needed for three of
	// their pool's cold starts, at most the stabilization window.
	DefaultHoldColdStarts = 3.0
	// DefaultPanicWindow is the window of a surge's demand.
	DefaultPanicWindow = 6 * time.Second
	// DefaultPanicThreshold starts a panic at 200 % of ready capacity.
	DefaultPanicThreshold = 2.0
	// DefaultSpotShareMax lets spot pools take all of a tier's demand.
	DefaultSpotShareMax = 1.0
	// DefaultSpotBackoff is how long a spot pool that lost workers is
	// trusted with its ready replicas only.
	DefaultSpotBackoff = 2 * time.Minute
	// DefaultQueueDrainTarget is the time a queue should drain within.
	DefaultQueueDrainTarget = 5 * time.Second
)

// applyDefaults fills the scaler section's unset knobs (Interval is filled
// by ApplyDefaults itself).
func (s *Scaler) applyDefaults() {
	setDuration(&s.Stabilization, DefaultStabilization)
	setDuration(&s.PanicWindow, DefaultPanicWindow)
	setDuration(&s.SpotBackoff, DefaultSpotBackoff)
	setDuration(&s.QueueDrainTarget, DefaultQueueDrainTarget)
	if s.PanicThreshold == 0 {
		s.PanicThreshold = DefaultPanicThreshold
	}
	if s.HoldColdStarts == 0 {
		s.HoldColdStarts = DefaultHoldColdStarts
	}
	if s.SpotShareMax == 0 {
		s.SpotShareMax = DefaultSpotShareMax
	}
	if s.Driver == "" {
		s.Driver = DriverLocal
	}
}
