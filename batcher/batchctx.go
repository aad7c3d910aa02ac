package batcher

import (
	"context"
	"slices"
	"sync"
	"time"
)

// batchContext is the context of a puller's calls to its worker, one
// batch at a time, and the watch over its members' deadlines. It is kept
// from batch to batch so that a batch costs no context, timer or channel
// of its own (context.WithTimeout would allocate all three for every
// batch), and so that no caller needs a timer of its own to be answered
// by its deadline: one timer, reset for each batch, answers each member
// ErrDeadline once its deadline passes, and ends the context at the
// latest member deadline (never, when a member has none) with
// context.DeadlineExceeded. It carries no values and no parent: a member
// whose caller leaves is dropped from the batch's answer, never the
// others' call.
//
// A context that ended, or that a Dispatcher left a child registered on
// (AfterFunc without stop), is never given another batch: the puller
// takes a fresh one, so that whoever still holds it sees it ended for
// good. Between batches only its deadline changes.
type batchContext struct {
	p      *Pool
	expire func() // c.expired, bound once
	mu     sync.Mutex
	// batch is the batch in flight; nil between batches. deadline is its
	// latest member deadline, zero when a member has none.
	batch    []*Item
	deadline time.Time
	done     chan struct{} // made by Done, closed when the context ends
	err      error
	timer    Timer
	// funcs holds AfterFunc's registrations, nil where none is pending;
	// stops the function that stops each slot's, made once per slot: a
	// slot is used again only once its registration was stopped, whose
	// stop is called no more.
	funcs []func()
	stops []func() bool
}

var _ context.Context = (*batchContext)(nil)

func newBatchContext(p *Pool) *batchContext {
	c := &batchContext{p: p}
	c.expire = c.expired
	return c
}

// start gives c to batch, and arms its timer for the earliest member
// deadline: one passed already is acted on at once. pre: c is not in
// use.
func (c *batchContext) start(batch []*Item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batch, c.deadline = batch, latestDeadline(batch)
	c.check()
}

// finish takes c back from its batch and reports whether it may serve
// another: false once it ended or still has a child registered.
func (c *batchContext) finish() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.batch, c.deadline = nil, time.Time{}
	return c.err == nil && !slices.ContainsFunc(c.funcs, func(f func()) bool { return f != nil })
}

// expired is the timer's: it acts on the deadlines passed by now. A
// timer that fires after its batch finished finds none passed, or those
// of the next batch, which it acts on as that batch's own timer would.
func (c *batchContext) expired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.check()
}

// check answers ErrDeadline to each member whose deadline has passed,
// ends c once the batch's deadline has, and arms the timer for the next
// member deadline. pre: c.mu held.
func (c *batchContext) check() {
	now := c.p.clock.Now()
	var next time.Time
	for _, it := range c.batch {
		switch {
		case it.Deadline.IsZero():
		case !now.Before(it.Deadline):
			deliver(it, result{err: c.p.lateErr(it, now, nil)})
		case next.IsZero() || it.Deadline.Before(next):
			next = it.Deadline
		}
	}
	if !c.deadline.IsZero() && !now.Before(c.deadline) {
		c.end(context.DeadlineExceeded)
	}
	if !next.IsZero() {
		c.arm(next.Sub(now))
	}
}

// arm sets the timer to fire after d, resetting the one it has when the
// clock's timers can be reset. pre: c.mu held.
func (c *batchContext) arm(d time.Duration) {
	if t, ok := c.timer.(interface{ Reset(time.Duration) bool }); ok {
		t.Reset(d)
		return
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = c.p.clock.AfterFunc(d, c.expire)
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
	for i, f := range c.funcs {
		if f != nil {
			c.funcs[i] = nil
			go f()
		}
	}
}

// Deadline returns the batch's deadline; ok is false when it has none.
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
	i := slices.IndexFunc(c.funcs, func(f func()) bool { return f == nil })
	if i < 0 {
		i = len(c.funcs)
		c.funcs = append(c.funcs, nil)
		c.stops = append(c.stops, func() bool { return c.unregister(i) })
	}
	c.funcs[i] = f
	return c.stops[i]
}

// unregister forgets the registration in slot i and reports whether it
// was still pending.
func (c *batchContext) unregister(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	pending := c.funcs[i] != nil
	c.funcs[i] = nil
	return pending
}

// latestDeadline returns the latest deadline of batch's members; zero
// if any member has none.
func latestDeadline(batch []*Item) time.Time {
	var latest time.Time
	for _, it := range batch {
		if it.Deadline.IsZero() {
			return time.Time{}
		}
		if it.Deadline.After(latest) {
			latest = it.Deadline
		}
	}
	return latest
}
