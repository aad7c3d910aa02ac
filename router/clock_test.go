package router

import (
	"sort"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// fakeClock is a batcher.Clock whose time moves only by Advance, which
// runs the timers that fall due, in order, on the caller's goroutine.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	f    func()
	done bool
}

var _ batcher.Clock = (*fakeClock)(nil)

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) batcher.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves the time forward by d, running each timer due by then at
// its own time.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		t := c.next(end)
		if t == nil {
			break
		}
		t.f()
	}
	c.mu.Lock()
	c.now = end
	c.mu.Unlock()
}

// next takes the earliest live timer due by end and sets the time to it.
func (c *fakeClock) next(end time.Time) *fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	for i, t := range c.timers {
		if t.done || t.at.After(end) {
			continue
		}
		c.timers = append(c.timers[:i], c.timers[i+1:]...)
		t.done = true
		c.now = t.at
		return t
	}
	return nil
}
