package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// errRefusedDraining fails a call that arrives after Drain.
	errRefusedDraining = fmt.Errorf("%w: not taking new calls", ErrDraining)
	// errAbortedDraining fails a call still in progress when Shutdown's
	// context ends.
	errAbortedDraining = fmt.Errorf("%w: the call did not finish within the drain timeout", ErrDraining)
)

// drainGate counts the infer calls in progress, refuses new ones once
// draining or beyond its limit, and fails the unfinished ones when told
// to give up. It is safe for concurrent use. Each call's cancel function
// is kept in live, under a short lock, rather than hooked to a shared
// context with context.AfterFunc: that costs four allocations per call
// more.
type drainGate struct {
	draining atomic.Bool
	calls    atomic.Int64
	// limit is the most calls in progress at once.
	limit int64
	// idle receives a token when a call leaves while draining; buffered
	// (1), so that no wake-up is lost.
	idle chan struct{}

	mu sync.Mutex
	// aborted is set once the gate gave up: calls still entering fail at
	// once.
	aborted bool
	// live holds each call in progress, by its context.
	live map[context.Context]liveCall
}

// liveCall is what the gate gives up on: a call's cancel function and,
// while the call reads its HTTP body, the writer whose connection read
// the gate cuts (a context cannot reach a read in progress).
type liveCall struct {
	cancel  context.CancelCauseFunc
	reading http.ResponseWriter
}

func newDrainGate(limit int) *drainGate {
	return &drainGate{idle: make(chan struct{}, 1), live: map[context.Context]liveCall{}, limit: int64(limit)}
}

// enter admits one call unless the gate is draining, in which case it
// returns an error matching ErrDraining, or already holds its limit of
// calls, in which case it returns one matching ErrOverloaded. The call
// runs on the returned context, which is cancelled when the gate gives up
// on it, and must call exit with that context once it has answered.
func (d *drainGate) enter(ctx context.Context) (context.Context, error) {
	n := d.calls.Add(1)
	if d.draining.Load() {
		d.leave()
		return ctx, errRefusedDraining
	}
	if n > d.limit {
		d.leave()
		return ctx, fmt.Errorf("%w: %d calls in progress, the limit", ErrOverloaded, d.limit)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	d.mu.Lock()
	if d.aborted {
		cancel(errAbortedDraining)
	} else {
		d.live[ctx] = liveCall{cancel: cancel}
	}
	d.mu.Unlock()
	return ctx, nil
}

// exit ends the call that entered with ctx.
func (d *drainGate) exit(ctx context.Context) {
	d.mu.Lock()
	c := d.live[ctx]
	delete(d.live, ctx)
	d.mu.Unlock()
	if c.cancel != nil {
		c.cancel(nil)
	}
	d.leave()
}

// reading marks the call that entered with ctx as reading its body from
// w's connection (nil: no longer): if the gate gives up on it meanwhile,
// the read is cut at once. When the gate gave up already, it cuts the
// read now.
func (d *drainGate) reading(ctx context.Context, w http.ResponseWriter) {
	d.mu.Lock()
	c, ok := d.live[ctx]
	if ok {
		c.reading = w
		d.live[ctx] = c
	}
	aborted := d.aborted
	d.mu.Unlock()
	if aborted && w != nil {
		cutRead(w)
	}
}

// cutRead ends the read in progress on w's connection.
func cutRead(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// abort fails every call in progress, and every later one, with
// errAbortedDraining.
func (d *drainGate) abort() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.aborted = true
	for _, c := range d.live {
		c.cancel(errAbortedDraining)
		if c.reading != nil {
			cutRead(c.reading)
		}
	}
}

// leave ends one call, waking wait when it was the last while draining.
// Incrementing calls before reading draining in enter, and decrementing
// it before reading draining here, makes sure that wait sees either the
// call or its wake-up.
func (d *drainGate) leave() {
	if d.calls.Add(-1) == 0 && d.draining.Load() {
		select {
		case d.idle <- struct{}{}:
		default:
		}
	}
}

// wait returns nil once no call is in progress, or ctx's error when ctx
// ends first. pre: draining is set.
func (d *drainGate) wait(ctx context.Context) error {
	for d.calls.Load() > 0 {
		select {
		case <-d.idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// explain returns the error a call that failed with err reports: the
// gate's when the gate gave up on it (whatever the router made of the
// cancellation), else err.
func explain(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errAbortedDraining) {
		return errAbortedDraining
	}
	return err
}

// Drain turns the gateway to draining, for good: readiness (HTTP
// /v2/health/ready and the models' ready, gRPC ServerReady and
// ModelReady) reports not ready, and every infer call that arrives from
// then on fails with an error matching ErrDraining (HTTP 503 with a JSON
// error, gRPC UNAVAILABLE) before its body is read. Calls already in
// progress go on. Liveness stays true. Drain is idempotent.
func (g *Gateway) Drain() { g.gate.draining.Store(true) }

// Draining reports whether Drain has been called.
func (g *Gateway) Draining() bool { return g.gate.draining.Load() }

// InFlight returns the number of infer calls in progress: admitted,
// queued, or waiting for a worker.
func (g *Gateway) InFlight() int { return int(g.gate.calls.Load()) }

// BodyBytesInFlight returns the bytes the bodies of the calls in progress
// hold, as Options.MaxBodyBytesInFlight bounds them.
func (g *Gateway) BodyBytesInFlight() int64 { return g.bodyBytes.held.Load() }

// Shutdown drains the gateway (see Drain) and waits for the infer calls
// in progress to finish. If ctx ends first, it fails every call still in
// progress with an error matching ErrDraining — each leaves its queue or
// stops waiting for its worker, and answers 503 or UNAVAILABLE at once —
// and returns how many there were with ctx's error; else it returns 0
// and nil.
//
// Shutdown leaves the listeners to the caller, who should stop its HTTP
// and gRPC servers after it returns: calls arriving meanwhile are then
// answered ErrDraining instead of finding the port closed. It is safe to
// call more than once; once it has given up, every later call fails at
// once.
func (g *Gateway) Shutdown(ctx context.Context) (unfinished int, err error) {
	g.Drain()
	if err := g.gate.wait(ctx); err != nil {
		n := g.InFlight()
		g.gate.abort()
		return n, err
	}
	return 0, nil
}

// closeWhileDraining asks HTTP clients to close their connection after
// each answer once the gateway drains ("Connection: close"), so that
// none is left reusing a kept-alive connection the server is about to
// close.
func (g *Gateway) closeWhileDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.Draining() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
