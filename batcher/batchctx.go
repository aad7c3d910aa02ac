package batcher

import (
	"context"
	"slices"
	"sync"
	"time"
)

// batchContext is the context of a puller's calls to its worker, one
// batch at a time, kept from batch to batch so that a batch's call costs
// no context, timer or channel of its own: context.WithTimeout would
// allocate all three for every batch. It carries the batch's deadline
// (none when any member has none), ends with context.DeadlineExceeded
// when the deadline passes, and carries no values and no parent: a
// member whose caller leaves is dropped from the batch's answer, never
// the others' call.
//
// A context that ended, or that a Dispatcher left a child registered on
// (AfterFunc without stop), is never given another batch: the puller
// takes a fresh one, so that whoever still holds it sees it ended for
// good. Between batches only its deadline changes.
type batchContext struct {
	clock  Clock
	expire func() // c.expired, bound once
	mu     sync.Mutex
	// deadline is the current batch's; zero for none, or between batches.
	deadline time.Time
	done     chan struct{} // made by Done, closed when the context ends
	err      error
	timer    Timer
	funcs    []afterFunc // registered by AfterFunc, neither run nor stopped
	seq      uint64      // the last AfterFunc registration's id
}

// afterFunc is one AfterFunc registration.
type afterFunc struct {
	id uint64
	f  func()
}

var _ context.Context = (*batchContext)(nil)

func newBatchContext(clock Clock) *batchContext {
	c := &batchContext{clock: clock}
	c.expire = c.expired
	return c
}

// start gives c to a batch that must be answered by deadline (zero for
// none). A deadline passed already ends c at once. pre: c is not in use.
func (c *batchContext) start(deadline time.Time) {
	c.mu.Lock()
	c.deadline = deadline
	c.mu.Unlock()
	if deadline.IsZero() {
		return
	}
	d := deadline.Sub(c.clock.Now())
	if d <= 0 {
		c.mu.Lock()
		c.end(context.DeadlineExceeded)
		c.mu.Unlock()
		return
	}
	if t, ok := c.timer.(interface{ Reset(time.Duration) bool }); ok {
		t.Reset(d)
		return
	}
	c.timer = c.clock.AfterFunc(d, c.expire)
}

// finish takes c back from its batch and reports whether it may serve
// another: false once it ended or still has a child registered.
func (c *batchContext) finish() bool {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = time.Time{}
	return c.err == nil && len(c.funcs) == 0
}

// expired ends c if its batch's deadline has passed; a timer that fires
// for an earlier batch, after that batch finished, finds its deadline
// gone or not yet passed.
func (c *batchContext) expired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.deadline.IsZero() && !c.clock.Now().Before(c.deadline) {
		c.end(context.DeadlineExceeded)
	}
}

// end ends c with err, once, and runs the registered functions, each in
// its own goroutine. pre: c.mu held.
func (c *batchContext) end(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	if c.done == nil {
		c.done = make(chan struct{})
	}
	close(c.done)
	for _, a := range c.funcs {
		go a.f()
	}
	c.funcs = nil
}

// Deadline returns the current batch's deadline; ok is false when it has
// none.
func (c *batchContext) Deadline() (deadline time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline, !c.deadline.IsZero()
}

// Done returns a channel closed when c ends; nil while the batch has no
// deadline, as it can then never end.
func (c *batchContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil && c.err == nil && c.deadline.IsZero() {
		return nil
	}
	if c.done == nil {
		c.done = make(chan struct{})
	}
	return c.done
}

// Err returns context.DeadlineExceeded once c ended, else nil.
func (c *batchContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns nil: a batch's context carries no values.
func (c *batchContext) Value(any) any { return nil }

// AfterFunc arranges for f to run in its own goroutine once c ends; stop
// cancels that and reports whether it did. The context package calls it
// for a child context (context.WithCancel(c)), which would otherwise
// watch c from a goroutine of its own.
func (c *batchContext) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		go f()
		return func() bool { return false }
	}
	c.seq++
	id := c.seq
	c.funcs = append(c.funcs, afterFunc{id: id, f: f})
	return func() bool { return c.unregister(id) }
}

// unregister forgets the registration id and reports whether it was
// still pending.
func (c *batchContext) unregister(id uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, a := range c.funcs {
		if a.id == id {
			c.funcs = slices.Delete(c.funcs, i, i+1)
			return true
		}
	}
	return false
}
