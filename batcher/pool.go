package batcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sluice-gateway/sluice/oip"
)

// DefaultMaxDelay is the MaxDelay a Pool uses when its FormConfig leaves
// it zero: short enough that a lone request at low load waits at most
// this long for companions, and then only when the arrival rate makes one
// likely.
const DefaultMaxDelay = time.Millisecond

// Dispatcher sends one batch, merged into a single request, to one worker
// and returns the worker's answer. The router implements it per worker.
// It must be safe for concurrent use: a worker with several slots is
// called concurrently. ctx carries the batch's deadline, the latest of its
// members' deadlines (none if any member has none).
type Dispatcher interface {
	Dispatch(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error)
}

// PoolConfig configures a Pool. The zero value is usable: a pool with no
// name, no batching, no queue limits, the real clock and no logging.
type PoolConfig struct {
	// Name names the pool in errors and logs.
	Name string
	// Form is how batches are formed for models not in Models. A zero
	// MaxDelay means DefaultMaxDelay; a negative one never waits.
	Form FormConfig
	// Models overrides Form per model name, with the same MaxDelay
	// defaulting. Nil means every model uses Form.
	Models map[string]FormConfig
	// Limits bounds each priority class of the queue; a missing class is
	// unbounded.
	Limits map[Priority]ClassLimits
	// Clock is the time source; nil means RealClock.
	Clock Clock
	// Logger receives the pool's few events (workers added and removed,
	// close); nil discards them.
	Logger *slog.Logger
	// TracerProvider records a span for each item's queue wait and each
	// batch (SpanQueueWait, SpanBatch); nil records none, at no cost.
	TracerProvider trace.TracerProvider
	// Observer is told of every batch as it leaves the queue; nil means
	// none.
	Observer Observer
}

// Pool queues the requests for one pool of workers and feeds them, as
// batches, to the workers that pull from it. Create it with NewPool; all
// its methods are safe for concurrent use.
type Pool struct {
	name     string
	defaults FormConfig
	models   map[string]FormConfig
	clock    Clock
	log      *slog.Logger
	tracing  tracing
	observer Observer

	mu      sync.Mutex
	q       *Queue
	closed  bool
	workers map[string]*worker
	idle    []*puller // pullers waiting for work, most recent last
	expiry  expiryTimer
	usage   usageMeter
	st      Stats // counters; the queue and worker fields are filled by Stats
	pullers sync.WaitGroup
}

// expiryTimer is the one timer that fails expired items when no puller
// is forming batches.
type expiryTimer struct {
	t   Timer
	at  time.Time
	gen uint64
}

// result is what a waiting Submit receives.
type result struct {
	resp *oip.InferenceResponse
	err  error
}

// NewPool returns a pool with no workers: requests queue until AddWorker
// attaches one (or their deadline passes).
func NewPool(cfg PoolConfig) *Pool {
	p := &Pool{
		name:     cfg.Name,
		defaults: withDefaults(cfg.Form),
		models:   make(map[string]FormConfig, len(cfg.Models)),
		clock:    cfg.Clock,
		log:      cfg.Logger,
		q:        NewQueue(cfg.Limits),
		workers:  make(map[string]*worker),
	}
	for m, f := range cfg.Models {
		p.models[m] = withDefaults(f)
	}
	if p.clock == nil {
		p.clock = RealClock{}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.log = p.log.With("pool", cfg.Name)
	p.tracing = newTracing(cfg.TracerProvider, p.clock)
	p.observer = cfg.Observer
	return p
}

// withDefaults fills a zero MaxDelay.
func withDefaults(f FormConfig) FormConfig {
	if f.MaxDelay == 0 {
		f.MaxDelay = DefaultMaxDelay
	}
	return f
}

// Submit queues it and blocks until it is answered, returning its own
// response (its rows, the outputs it asked for, its id). it.Req must be
// set; Rows and Key are read from it when Key is empty, and Ref is
// overwritten. The caller must not touch it until Submit returns.
//
// Errors: ErrQueueFull when its class is full; ErrQueueTimeout after its
// class's MaxQueueTime queued; ErrDeadline when it.Deadline passed before
// it was answered, returned as it passes, whether the item is queued
// (then it is never sent to a worker) or in flight (whatever the
// Dispatcher does: the pool's timers watch the deadline, so ctx need
// not carry it); ErrClosed
// when the pool is closed; ErrInvalidItem for an unusable item; the
// dispatcher's error, wrapped, when its batch failed. When ctx is done
// first, the item leaves the queue at once and Submit returns ctx.Err()
// (for a passed context deadline, an error that also matches ErrDeadline).
func (p *Pool) Submit(ctx context.Context, it *Item) (_ *oip.InferenceResponse, err error) {
	if err := p.check(it); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := make(chan result, 1)
	p.tracing.enqueue(ctx, it, p.name)
	defer func() { p.tracing.left(it, err) }()
	if err := p.enqueue(it, done); err != nil {
		return nil, err
	}
	select {
	case r := <-done:
		return r.resp, r.err
	case <-ctx.Done():
		return p.abandon(ctx, it, done)
	}
}

// check makes sure it can be dispatched, filling Rows and Key.
func (p *Pool) check(it *Item) error {
	if it.Req == nil {
		return fmt.Errorf("pool %q: %w: model %q: no request", p.name, ErrInvalidItem, it.Model)
	}
	if err := it.fill(); err != nil {
		return fmt.Errorf("pool %q: %w", p.name, err)
	}
	return nil
}

// enqueue pushes it, answered on done, wakes an idle puller and arms the
// expiry timer; an item withdrawn already is not pushed.
func (p *Pool) enqueue(it *Item, done chan result) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	it.Ref = done
	if it.withdrawn != nil {
		return it.withdrawn
	}
	if p.closed {
		p.st.Rejected.Closed++
		return fmt.Errorf("pool %q: %w", p.name, ErrClosed)
	}
	now := p.clock.Now()
	if err := p.q.Push(it, now); err != nil {
		p.st.Rejected.count(err)
		return fmt.Errorf("pool %q: %w", p.name, err)
	}
	p.kickOne()
	p.armExpiry(now)
	return nil
}

// Withdraw makes the Submit of it, in progress or about to start, return
// cause (non-nil) at once, as it is, unless it has an answer already: it
// leaves the queue if still queued (counted as cancelled, as a caller that
// gives up is), and the answer of a batch in flight is dropped. It serves
// a caller that must route the item elsewhere without cancelling the
// context the item waits on.
func (p *Pool) Withdraw(it *Item, cause error) {
	p.mu.Lock()
	it.withdrawn = cause
	if p.q.Remove(it) {
		p.st.Rejected.count(context.Canceled)
	}
	ref := it.Ref
	p.mu.Unlock()
	if ch, ok := ref.(chan result); ok {
		select {
		case ch <- result{err: cause}:
		default:
		}
	}
}

// abandon handles a caller whose ctx is done: it removes the item if it is
// still queued, and otherwise prefers an answer that already arrived.
func (p *Pool) abandon(ctx context.Context, it *Item, done <-chan result) (*oip.InferenceResponse, error) {
	err := ctx.Err()
	p.mu.Lock()
	removed := p.q.Remove(it)
	if removed {
		p.st.Rejected.count(err)
	}
	p.mu.Unlock()
	if !removed {
		select {
		case r := <-done:
			return r.resp, r.err
		default:
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("pool %q: %w: %w", p.name, ErrDeadline, err)
	}
	return nil, err
}

// AddWorker starts slots pullers (at least one) that take batches for the
// worker id and send them to d. A worker already added under id is
// replaced: its pullers stop after their batches in flight. It does
// nothing on a closed pool.
func (p *Pool) AddWorker(id string, d Dispatcher, slots int) {
	slots = max(slots, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if old, ok := p.workers[id]; ok {
		p.stopWorker(old)
	}
	w := &worker{id: id, d: d, slots: slots, stop: make(chan struct{})}
	p.workers[id] = w
	p.usage.addSlots(p.clock.Now(), slots)
	p.pullers.Add(slots)
	for range slots {
		go p.pull(&puller{w: w, kick: make(chan struct{}, 1)})
	}
	p.log.Info("batcher: worker added", "worker", id, "slots", slots)
}

// RemoveWorker stops the pullers of worker id; its batches in flight
// finish and are answered. Queued items stay for the other workers, or
// until a worker is added. It does nothing for an unknown id.
func (p *Pool) RemoveWorker(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.workers[id]
	if !ok {
		return
	}
	p.stopWorker(w)
	delete(p.workers, id)
	p.log.Info("batcher: worker removed", "worker", id)
}

// Close stops every puller, fails each queued item with ErrClosed (or
// with its expiry error if that came first), and waits for the batches in
// flight to be answered. Submit on a closed pool fails with ErrClosed.
// Close is idempotent.
func (p *Pool) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.pullers.Wait()
		return
	}
	p.closed = true
	for id, w := range p.workers {
		p.stopWorker(w)
		delete(p.workers, id)
	}
	if p.expiry.t != nil {
		p.expiry.t.Stop()
	}
	now := p.clock.Now()
	expired := p.expire(now)
	left := p.q.Drain()
	p.st.Rejected.Closed += uint64(len(left))
	p.mu.Unlock()
	p.failExpired(expired, now)
	for _, it := range left {
		deliver(it, result{err: fmt.Errorf("pool %q: %w", p.name, ErrClosed)})
	}
	p.pullers.Wait()
	p.log.Info("batcher: pool closed", "failed", len(left))
}

// armExpiry makes sure the expiry timer fires by the queue's next expiry.
// pre: p.mu held.
func (p *Pool) armExpiry(now time.Time) {
	d, ok := p.q.NextWake(now)
	if !ok || p.closed {
		return
	}
	at := now.Add(d)
	if p.expiry.t != nil && !at.Before(p.expiry.at) {
		return
	}
	if p.expiry.t != nil {
		p.expiry.t.Stop()
	}
	p.expiry.gen++
	gen := p.expiry.gen
	p.expiry.at = at
	p.expiry.t = p.clock.AfterFunc(d, func() { p.onExpiry(gen) })
}

// onExpiry fails the items that expired and re-arms the timer.
func (p *Pool) onExpiry(gen uint64) {
	p.mu.Lock()
	if gen == p.expiry.gen {
		p.expiry.t = nil
	}
	now := p.clock.Now()
	expired := p.expire(now)
	p.armExpiry(now)
	p.mu.Unlock()
	p.failExpired(expired, now)
}

// expire takes the expired items out of the queue and counts them.
// pre: p.mu held.
func (p *Pool) expire(now time.Time) []*Item {
	expired := p.q.Expired(now)
	for _, it := range expired {
		p.st.Rejected.count(it.Expiry())
	}
	return expired
}

// failExpired answers each item that expired by now with its reason.
// pre: p.mu not held.
func (p *Pool) failExpired(items []*Item, now time.Time) {
	for _, it := range items {
		err := fmt.Errorf("pool %q: %w after %v queued", p.name, it.Expiry(), now.Sub(it.pushed))
		deliver(it, result{err: err})
	}
}

// deliver hands r to the Submit waiting for it. Every item leaves the
// queue exactly once, so the one-slot channel never blocks.
func deliver(it *Item, r result) {
	if ch, ok := it.Ref.(chan result); ok {
		select {
		case ch <- r:
		default:
		}
	}
}
