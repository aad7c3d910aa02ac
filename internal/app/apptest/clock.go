package apptest

import (
	"sync"
	"time"
)

// Epoch is the time a Clock of NewClock starts at, and the tests' other
// times are counted from: a Monday, 10:00 UTC.
var Epoch = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Clock is a settable clock for the tests that hand Sluice's parts an
// injected clock: its time moves only when the test advances it. It is
// safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at Epoch.
func NewClock() *Clock { return &Clock{now: Epoch} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d forward and returns its new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
