package router

import (
	"context"
	"time"
)

// deadlineOf returns the deadline of req, a request of model m: the
// earliest of the caller's own (req.Deadline), ctx's, and req.Enqueued
// plus m.Timeout. Each counts only when set — a zero time, no ctx
// deadline, a Timeout <= 0 — and with none set it is the zero time: no
// deadline. pre: req.Enqueued is set.
func deadlineOf(ctx context.Context, req *Request, m Model) time.Time {
	d := req.Deadline
	if m.Timeout > 0 {
		d = earliest(d, req.Enqueued.Add(m.Timeout))
	}
	if c, ok := ctx.Deadline(); ok {
		d = earliest(d, c)
	}
	return d
}

// Due returns when the answer of a request that arrived at enqueued, with
// deadline deadline, stops being on time for a latency target slo: the
// earlier of the deadline and enqueued + slo, each counting only when set
// (a non-zero deadline, slo > 0); the zero time when neither is.
//
// The SLO bounds queueing, never the request's life: the picker's
// OnTimeFilter wants a pool that completes the request by its due time
// (Facts.Due), and the batcher's waiting rule never holds it back past
// that time (batcher.Item.Due); only the deadline fails a request.
func Due(enqueued time.Time, slo time.Duration, deadline time.Time) time.Time {
	if slo <= 0 {
		return deadline
	}
	return earliest(deadline, enqueued.Add(slo))
}

// earliest returns the earlier of a and b, a zero time counting as none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// bound returns ctx cut to deadline, unless ctx ends no later already or
// deadline is zero. The time left is measured on the router's clock, as
// the batcher measures a batch's call.
func (r *Router) bound(ctx context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	if deadline.IsZero() {
		return ctx, func() {}
	}
	if c, ok := ctx.Deadline(); ok && !c.After(deadline) {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, deadline.Sub(r.clock.Now()))
}
