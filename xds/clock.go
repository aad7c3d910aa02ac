package xds

import "time"

// Clock is the time source of a Server's rate limit; tests inject a fake.
// Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// publishDelay returns how long a publication wanted at now must wait so
// that two publications are at least gap apart, given that the last one
// was at last (the zero time: never). It is 0 when it may go at once, and
// never more than gap, even when the clock went back.
func publishDelay(last, now time.Time, gap time.Duration) time.Duration {
	if last.IsZero() {
		return 0
	}
	return min(gap, max(0, last.Add(gap).Sub(now)))
}
