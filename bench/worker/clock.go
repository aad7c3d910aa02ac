package worker

import "time"

// Clock tells the time and sleeps; the device sleeps on it to emulate work.
// Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep blocks for d; d <= 0 returns at once.
	Sleep(d time.Duration)
}

// realClock is the wall clock.
type realClock struct{}

var _ Clock = realClock{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(d time.Duration) { time.Sleep(d) }
