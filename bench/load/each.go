package load

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Sender is what request i of a schedule does, i indexing its Offsets: a
// Target told which request it sends, so that requests may differ. Send
// must be safe for concurrent use, return when ctx is done, and return nil
// for a success; a *StatusError marks an answer outside 2xx.
type Sender interface {
	Send(ctx context.Context, i int) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, i int) error

var _ Sender = SenderFunc(nil)

// Send calls f(ctx, i).
func (f SenderFunc) Send(ctx context.Context, i int) error { return f(ctx, i) }

// Outcome is how one request of a run ended.
type Outcome struct {
	// Index is the request's index in the schedule's Offsets.
	Index int
	// Err is what the request returned: nil for a success, a
	// *StatusError for an answer outside 2xx, else the reason there was
	// no answer.
	Err error
	// TimedOut reports that the request was abandoned, unanswered, at its
	// deadline (Options.Timeout or Options.Grace); Err is then not nil.
	TimedOut bool
	// Canceled reports that the run's context ended while the request was
	// unanswered; Err is then not nil.
	Canceled bool
	// Latency runs from the request's scheduled send time to its end.
	Latency time.Duration
	// Lag is how late the generator started the request: the part of
	// Latency the machine running the generator added, not the server.
	Lag time.Duration
}

// Span is the time a run took and what it sent.
type Span struct {
	// Scheduled is the number of requests in the schedule; Sent those
	// actually sent (fewer only when the run's context ended early).
	Scheduled, Sent int
	// Window is the time requests were offered over: the schedule's
	// Duration, or less when the run's context ended it early.
	Window time.Duration
	// Elapsed runs from the start of the run to the end of its last
	// request, answered or abandoned.
	Elapsed time.Duration
}

// RunEach sends request i of s through snd at s.Offsets[i], counted from
// when RunEach is called, on the real clock, like Run, and hands each
// request's Outcome to observe as the request ends. observe is called from
// the requests' goroutines, concurrently, and must be safe for that; nil
// discards the outcomes. RunEach returns once every request sent has ended
// and been observed; the requests not sent (ctx ended first) are not
// observed.
func RunEach(ctx context.Context, s Schedule, snd Sender, opts Options, observe func(Outcome)) Span {
	if observe == nil {
		observe = func(Outcome) {}
	}
	start := time.Now()
	deadline := deadlineFunc(start, s.Duration, opts)
	span := Span{Scheduled: len(s.Offsets), Window: s.Duration}
	var wg sync.WaitGroup
	wait := time.NewTimer(time.Hour)
	defer wait.Stop()
	for i, off := range s.Offsets {
		due := start.Add(off)
		if !sleepUntil(ctx, wait, due) {
			span.Window = time.Since(start)
			break
		}
		span.Sent++
		wg.Go(func() { observe(send(ctx, snd, i, due, deadline(due))) })
	}
	wg.Wait()
	span.Elapsed = time.Since(start)
	return span
}

// deadlineFunc returns the deadline of a request due at a given time, as
// opts says, for a run started at start over a window of d.
func deadlineFunc(start time.Time, d time.Duration, opts Options) func(due time.Time) time.Time {
	if opts.Grace > 0 {
		end := start.Add(d + opts.Grace)
		return func(time.Time) time.Time { return end }
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return func(due time.Time) time.Time { return due.Add(timeout) }
}

// sleepUntil waits for the time due, or for ctx to end, reusing timer; it
// reports whether due was reached.
func sleepUntil(ctx context.Context, timer *time.Timer, due time.Time) bool {
	if ctx.Err() != nil {
		return false
	}
	d := time.Until(due)
	if d <= 0 {
		return true
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// send runs request i, due at due, until deadline.
func send(ctx context.Context, snd Sender, i int, due, deadline time.Time) Outcome {
	reqCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	lag := time.Since(due)
	err := snd.Send(reqCtx, i)
	o := Outcome{Index: i, Err: err, Lag: lag, Latency: time.Since(due)}
	if err != nil {
		o.Canceled = ctx.Err() != nil
		o.TimedOut = !o.Canceled && errors.Is(reqCtx.Err(), context.DeadlineExceeded)
	}
	return o
}
