package xds

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time moves only when a test advances it.
// Every call of After is announced on waits, so a test knows when the
// server has started waiting.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	waits  chan time.Duration
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

var _ Clock = (*fakeClock)(nil)

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), waits: make(chan time.Duration, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	c.fireLocked()
	c.waits <- d
	return ch
}

// Advance moves the clock on by d and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fireLocked()
}

func (c *fakeClock) fireLocked() {
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

func TestPublishDelay(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gap := 250 * time.Millisecond
	tests := []struct {
		name      string
		last, now time.Time
		want      time.Duration
	}{
		{"never published", time.Time{}, t0, 0},
		{"just published", t0, t0, gap},
		{"within the gap", t0, t0.Add(100 * time.Millisecond), 150 * time.Millisecond},
		{"gap just passed", t0, t0.Add(gap), 0},
		{"long ago", t0, t0.Add(time.Hour), 0},
		{"clock went back", t0, t0.Add(-time.Hour), gap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := publishDelay(tt.last, tt.now, gap); got != tt.want {
				t.Errorf("publishDelay = %v, want %v", got, tt.want)
			}
		})
	}
}
