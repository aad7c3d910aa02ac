package batcher

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// worker is one attached Dispatcher and the pullers feeding it.
type worker struct {
	id    string
	d     Dispatcher
	slots int
	stop  chan struct{} // closed when the worker is removed
	gone  bool          // set with stop closed; guarded by Pool.mu
}

// puller is one slot of a worker: a goroutine that forms a batch, sends
// it, answers its members, and starts over.
type puller struct {
	w    *worker
	kick chan struct{} // one-slot wake-up: work arrived or a wait ended
	// results and one are the puller's scratch for a batch's answers,
	// reused from batch to batch and cleared after each.
	results []result
	one     [1]*oip.InferenceResponse
	// ctx is the context of the puller's batch calls, kept from batch to
	// batch while it has not ended; nil until the first batch.
	ctx *batchContext
}

// poke wakes pl without blocking; a wake-up already pending is enough.
func (pl *puller) poke() {
	select {
	case pl.kick <- struct{}{}:
	default:
	}
}

// pull is a puller's loop; it ends when its worker is removed.
func (p *Pool) pull(pl *puller) {
	defer p.pullers.Done()
	for {
		batch, wait, ok := p.next(pl)
		if !ok {
			return
		}
		if batch != nil {
			p.run(pl, batch)
			continue
		}
		var t Timer
		if wait > 0 {
			t = p.clock.AfterFunc(wait, pl.poke)
		}
		select {
		case <-pl.kick:
		case <-pl.w.stop:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// next fails the expired items and forms a batch. With no batch to send,
// pl is listed as idle (so that Submit wakes it) and wait says when to
// look again, 0 meaning only when woken. ok is false once pl's worker is
// gone.
func (p *Pool) next(pl *puller) (batch []*Item, wait time.Duration, ok bool) {
	p.mu.Lock()
	p.unidle(pl)
	if pl.w.gone {
		p.mu.Unlock()
		return nil, 0, false
	}
	now := p.clock.Now()
	expired := p.expire(now)
	batch, wait = p.form(now)
	if batch == nil {
		p.idle = append(p.idle, pl)
	} else {
		p.started(batch)
	}
	p.mu.Unlock()
	p.observe(batch, now)
	p.tracing.formed(batch, now)
	p.failExpired(expired, now)
	return batch, wait, true
}

// form asks the queue for a batch under the config of the head's model.
// pre: p.mu held.
func (p *Pool) form(now time.Time) ([]*Item, time.Duration) {
	head := p.q.Peek(now)
	if head == nil {
		return nil, 0
	}
	cfg, ok := p.models[head.Model]
	if !ok {
		cfg = p.defaults
	}
	return p.q.Form(now, cfg)
}

// started counts a batch leaving the queue and, if work is left, wakes
// another idle puller for it. pre: p.mu held.
func (p *Pool) started(batch []*Item) {
	p.usage.addBatches(p.clock.Now(), 1)
	p.st.InFlightBatches++
	p.st.InFlightItems += len(batch)
	p.st.Batches++
	p.st.Items += uint64(len(batch))
	rows := rowsOf(batch)
	p.st.InFlightRows += rows
	p.st.Rows += uint64(rows)
	if p.q.Len() > 0 {
		p.kickOne()
	}
}

// rowsOf returns the rows of batch's items, each at least 1.
func rowsOf(batch []*Item) int {
	n := 0
	for _, it := range batch {
		n += int(it.weight())
	}
	return n
}

// kickOne wakes the most recently idle puller, if any. pre: p.mu held.
func (p *Pool) kickOne() {
	if n := len(p.idle); n > 0 {
		pl := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		pl.poke()
	}
}

// unidle takes pl off the idle list. pre: p.mu held.
func (p *Pool) unidle(pl *puller) {
	if i := slices.Index(p.idle, pl); i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
}

// stopWorker marks w gone, wakes its pullers and forgets the idle ones.
// pre: p.mu held.
func (p *Pool) stopWorker(w *worker) {
	p.usage.addSlots(p.clock.Now(), -w.slots)
	w.gone = true
	close(w.stop)
	p.idle = slices.DeleteFunc(p.idle, func(pl *puller) bool { return pl.w == w })
}

// run sends batch to pl's worker and answers each member. The pool's
// statistics count the batch as answered before any member hears back, so
// a caller holding its answer never sees its batch still in flight. A
// member whose deadline passes in flight is answered ErrDeadline then
// (see batchContext), and again, unheard, once the batch is back.
func (p *Pool) run(pl *puller, batch []*Item) {
	ctx := p.callContext(pl, batch)
	results := p.answers(ctx, pl, batch, pl.results[:0])
	pl.callDone()
	defer func() { clear(results); pl.results = results[:0] }()
	now := p.clock.Now()
	late, failed := 0, false
	for i, it := range batch {
		failed = failed || results[i].err != nil
		if !it.Deadline.IsZero() && !now.Before(it.Deadline) {
			results[i] = result{err: p.lateErr(it, now, results[i].err)}
			late++
		}
	}
	p.finished(now, batch, late, failed)
	for i, it := range batch {
		deliver(it, results[i])
	}
}

// finished counts batch answered at now, late of its members past their
// deadline.
func (p *Pool) finished(now time.Time, batch []*Item, late int, failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.usage.addBatches(now, -1)
	p.st.InFlightBatches--
	p.st.InFlightItems -= len(batch)
	p.st.InFlightRows -= rowsOf(batch)
	p.st.Rejected.Deadline += uint64(late)
	if failed {
		p.st.FailedBatches++
	}
}

// answers sends batch to pl's worker and appends each member's result
// to out, in order. A batch of several members that the worker refuses
// for its size (ErrTooLarge) is sent again in halves, and so on, so that
// no member fails for its companions' size: only a member refused alone
// gets ErrTooLarge.
func (p *Pool) answers(ctx context.Context, pl *puller, batch []*Item, out []result) []result {
	resps, err := p.dispatch(ctx, pl, batch)
	if err != nil && len(batch) > 1 && errors.Is(err, ErrTooLarge) {
		half := len(batch) / 2
		return p.answers(ctx, pl, batch[half:], p.answers(ctx, pl, batch[:half], out))
	}
	for i := range batch {
		r := result{err: err}
		if err == nil {
			r.resp = resps[i]
		}
		out = append(out, r)
	}
	clear(pl.one[:])
	return out
}

// lateErr is the answer of a member whose deadline passed in flight;
// cause is the batch's error, if any.
func (p *Pool) lateErr(it *Item, now time.Time, cause error) error {
	late := now.Sub(it.Deadline)
	if cause != nil {
		return fmt.Errorf("pool %q: %w by %v in flight: %w", p.name, ErrDeadline, late, cause)
	}
	return fmt.Errorf("pool %q: %w by %v in flight", p.name, ErrDeadline, late)
}

// dispatch merges batch into one request, sends it and splits the answer,
// one response per member in order. A panic on the way (in the
// Dispatcher, merging or splitting) fails the batch with an error that
// names it, its stack logged once, instead of taking the process down.
// The answer of a lone member is returned in pl's scratch.
func (p *Pool) dispatch(ctx context.Context, pl *puller, batch []*Item) (_ []*oip.InferenceResponse, err error) {
	w := pl.w
	ctx, span := p.tracing.startBatch(ctx, p.name, w.id, batch)
	defer func() { p.tracing.endBatch(span, err) }()
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("batcher: panic while dispatching a batch", "worker", w.id, "panic", v, "stack", string(debug.Stack()))
			err = p.batchErr(batch, fmt.Errorf("worker %q: panic: %v", w.id, v))
		}
	}()
	req, reqs, rows, err := merge(batch)
	if err != nil {
		return nil, p.batchErr(batch, err)
	}
	head := batch[0]
	resp, err := w.d.Dispatch(ctx, head.Model, head.Version, req)
	if err != nil {
		return nil, p.batchErr(batch, err)
	}
	if resp == nil {
		return nil, p.batchErr(batch, fmt.Errorf("worker %q returned no response", w.id))
	}
	if len(batch) == 1 {
		pl.one[0] = resp
		return pl.one[:], nil
	}
	parts, err := oip.SplitResponse(resp, reqs, rows)
	if err != nil {
		return nil, p.batchErr(batch, fmt.Errorf("%w from worker %q: %v", ErrBadResponse, w.id, err))
	}
	return parts, nil
}

// merge concatenates the requests of batch along dimension 0, and
// returns them (reqs) with the rows each has; a lone request goes as it
// is, reqs and rows nil.
func merge(batch []*Item) (req *oip.InferenceRequest, reqs []*oip.InferenceRequest, rows []int64, err error) {
	if len(batch) == 1 {
		return batch[0].Req, nil, nil, nil
	}
	reqs = make([]*oip.InferenceRequest, len(batch))
	for i, it := range batch {
		reqs[i] = it.Req
	}
	req, rows, err = oip.MergeRequests(reqs)
	return req, reqs, rows, err
}

// batchErr wraps the failure of a batch for each of its members.
func (p *Pool) batchErr(batch []*Item, err error) error {
	return fmt.Errorf("batcher: pool %q: batch of %d: %w", p.name, len(batch), err)
}

// callContext returns the context of batch's calls, pl's own: it
// expires at the latest member deadline, so that one member's deadline
// never cuts the others short, and has none if any member has none; a
// batch sent again in halves (see answers) sends them on it too.
func (p *Pool) callContext(pl *puller, batch []*Item) context.Context {
	if pl.ctx == nil {
		pl.ctx = newBatchContext(p)
	}
	pl.ctx.start(batch)
	return pl.ctx
}

// callDone takes pl's context back from its batch, and drops it if it
// cannot serve another.
func (pl *puller) callDone() {
	if !pl.ctx.finish() {
		pl.ctx = nil
	}
}
