package router

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Serve answers one request: from the cache when its model caches always
// and holds a fresh answer; else through the pool the picker chooses in
// the request's tier (its first matching route's, or its model's), with
// one retry elsewhere when the batch fails on a worker, within the
// request's deadline and the retry budget; and when no pool of the tier
// can take it, holding it on a pool that starts workers on demand, else
// answering from the cache, else from the model's fallback model.
//
// The request's deadline is computed here, once: the earliest of the
// caller's (Request.Deadline), ctx's, and its arrival plus the model's
// Timeout, each only when set; with none the request has no deadline.
// Every attempt's batcher item carries it, and its pool answers
// batcher.ErrDeadline when it passes, queued or in flight (see
// batcher.Pool.Submit): a call needs no context or timer of its own for
// it. A sequence's call, sent to its worker directly, runs on ctx cut to
// it. The model's SLO bounds queueing only (see Due).
//
// Errors: ErrUnknownModel; ErrShed for a class its tier sheds;
// batcher.ErrTooLarge for a request larger than every pool of its tier
// takes in one batch (PoolConfig.Queue.Form.MaxBytes), or that a worker
// refused for its size; ErrNoCapacity naming each pool's reason when
// nothing can answer,
// wrapped with ErrModelUnavailable when that is because no pool of the
// tier serves the model (see Pick); the batcher's errors (batcher.ErrQueueFull,
// ErrQueueTimeout, ErrDeadline, ErrClosed); an ErrBackend failure that
// could not be retried; oip.ErrInvalid for a request a worker rejects;
// ctx's error when ctx ends first. req is not modified.
func (r *Router) Serve(ctx context.Context, req *Request) (*Result, error) {
	m, ok := r.tables().models[req.Model]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownModel, req.Model)
	}
	if req.Req == nil {
		return nil, fmt.Errorf("%w: router: model %q: no request", oip.ErrInvalid, req.Model)
	}
	if _, err := req.Req.Rows(); m.Batching && err != nil {
		return nil, fmt.Errorf("router: model %q batches requests along dimension 0: %w", m.Name, err)
	}
	rq := r.complete(ctx, req, m)
	if seq, ok, err := sequenceOf(rq.Req); ok || err != nil {
		ctx, cancel := r.bound(ctx, rq.Deadline)
		defer cancel()
		res, err := r.serveSequence(ctx, rq, m, seq, err)
		return r.finish(rq, res, err)
	}
	res, down, err := r.answer(ctx, rq, m)
	if down {
		res, err = r.fallback(ctx, rq, m, err)
	}
	r.served(ctx, rq, res)
	return r.finish(rq, res, err)
}

// complete returns a copy of req with its arrival (now when unset) and
// its deadline (deadlineOf) set.
func (r *Router) complete(ctx context.Context, req *Request, m Model) *Request {
	rq := *req
	if rq.Enqueued.IsZero() {
		rq.Enqueued = r.clock.Now()
	}
	rq.Deadline = deadlineOf(ctx, &rq, m)
	return &rq
}

// answer serves rq from the cache (mode always) or its tier, and caches
// the answer if m opts in. down reports that no pool of the tier could
// take the request; err then says why.
func (r *Router) answer(ctx context.Context, rq *Request, m Model) (res *Result, down bool, err error) {
	cached := r.caches(m)
	var key cacheKey
	if cached {
		key = keyOf(rq.Model, rq.Version, rq.Req)
	}
	if cached && m.Cache.Mode == CacheAlways {
		if res, ok := r.fromCache(key, rq, m); ok {
			return res, false, nil
		}
	}
	res, down, err = r.route(ctx, rq, m)
	if err == nil && cached {
		r.cache.put(key, res.Response, m.Cache.TTL, r.clock.Now())
	}
	return res, down, err
}

// caches reports whether m's answers go through the cache.
func (r *Router) caches(m Model) bool {
	return m.Cache.Mode != CacheOff && m.Cache.TTL > 0 && r.cache.limit > 0
}

func (r *Router) fromCache(key cacheKey, rq *Request, m Model) (*Result, bool) {
	resp, ok := r.cache.get(key, rq.Req.ID, r.clock.Now())
	if !ok {
		return nil, false
	}
	return &Result{Response: resp, Model: m.Name, CacheHit: true}, true
}

// fallback answers a request no pool of its tier can take: from the
// cache, else from m's fallback model; else it returns cause.
func (r *Router) fallback(ctx context.Context, rq *Request, m Model, cause error) (*Result, error) {
	if r.caches(m) {
		if res, ok := r.fromCache(keyOf(rq.Model, rq.Version, rq.Req), rq, m); ok {
			return res, nil
		}
	}
	fm, ok := r.tables().models[m.Fallback]
	if m.Fallback == "" || !ok { // none, or a reload removed it
		return nil, cause
	}
	frq := *rq
	frq.Model, frq.Version = fm.Name, ""
	res, _, err := r.answer(ctx, &frq, fm)
	if err != nil {
		return nil, fmt.Errorf("model %q: %w; its fallback %q: %w", m.Name, cause, fm.Name, err)
	}
	res.FallbackFrom = m.Name
	return res, nil
}

// attempt is the state of one request's tries across a tier.
type attempt struct {
	// evacuated lists pools that lost their last worker under the
	// request: never tried again.
	evacuated []*Pool
	// failed is the pool whose worker failed the first try; failure is
	// that error. A retry prefers other pools.
	failed  *Pool
	failure error
	// repicked is set once the tier was picked from again because a
	// pool of it had a ready worker by the time none could hold the
	// request: the snapshot predated the worker's arrival.
	repicked bool
}

// route serves rq through its tier, holding it on a pool that starts
// workers on demand when no pool can take it now. down reports that no
// pool could take or hold it, with err the reason: the picker's, or the
// failure the request could not be retried after.
func (r *Router) route(ctx context.Context, rq *Request, m Model) (res *Result, down bool, err error) {
	f := factsOf(rq, m)
	t := r.tables()
	name := tierOf(t.routes, f, m.Tier)
	t.arrivals[name].add(f.Priority, f.Rows)
	if !r.shed.admits(name, f.Priority) {
		return nil, false, fmt.Errorf("%w: tier %q refuses %v requests for now", ErrShed, name, f.Priority)
	}
	if err := fitsAny(r.tables().tiers[name], f); err != nil {
		return nil, false, err
	}
	r.budget.request(r.clock.Now())
	var a attempt
	for {
		// Each try reads the tables afresh: a pool that a reload retired
		// sends the request back here, to the pools that replace it.
		tier := r.tables().tiers[name]
		p, err := r.pick(tier, f, m, &a)
		held := false
		if err != nil {
			if p, held = r.hold(tier, f, m); !held {
				if !a.repicked && anyReady(tier, a.evacuated) {
					a.repicked = true
					continue
				}
				return nil, true, cmp.Or(a.failure, err)
			}
		}
		resp, err := p.submit(ctx, newWaiter(itemOf(rq, m, f), held), f.SLO)
		switch {
		case err == nil:
			return r.result(rq, m, p, resp, a.failure != nil), false, nil
		case errors.Is(err, errEvacuated):
			a.evacuated = append(a.evacuated, p)
		case a.failure == nil && r.retryable(ctx, rq, err):
			a.failed, a.failure = p, err
		default:
			return nil, false, err
		}
	}
}

// fitsAny refuses, with an error wrapping batcher.ErrTooLarge, a request
// larger than the largest batch in bytes of every pool of its tier: no
// worker of the tier could take it, now or later.
func fitsAny(tier []*Pool, f Facts) error {
	if len(tier) == 0 || slices.ContainsFunc(tier, func(p *Pool) bool { return p.maxBytes <= 0 || f.DataBytes <= p.maxBytes }) {
		return nil
	}
	limits := make([]string, len(tier))
	for i, p := range tier {
		limits[i] = fmt.Sprintf("%s %d", p.name, p.maxBytes)
	}
	return fmt.Errorf("%w: model %q: its %d bytes of input exceed the largest batch of every pool of its tier (%s bytes)",
		batcher.ErrTooLarge, f.Model, f.DataBytes, strings.Join(limits, ", "))
}

// anyReady reports whether a pool of tier not in skip has a ready worker.
func anyReady(tier, skip []*Pool) bool {
	return slices.ContainsFunc(tier, func(p *Pool) bool { return !slices.Contains(skip, p) && p.Ready() > 0 })
}

// pick chooses a pool for the next try from a snapshot of the tier. A
// retry avoids the pool that failed, unless no other pool can take it.
func (r *Router) pick(tier []*Pool, f Facts, m Model, a *attempt) (*Pool, error) {
	if a.failed == nil {
		return r.pickAmong(tier, f, m, a.evacuated)
	}
	p, err := r.pickAmong(tier, f, m, append(slices.Clip(a.evacuated), a.failed))
	if err != nil {
		p, err = r.pickAmong(tier, f, m, a.evacuated)
	}
	return p, err
}

// pickAmong takes a snapshot of the tier's pools not in skip and asks the
// picker.
func (r *Router) pickAmong(tier []*Pool, f Facts, m Model, skip []*Pool) (*Pool, error) {
	now := r.clock.Now()
	pools := make([]*Pool, 0, len(tier))
	vs := viewSlices.Get().(*[]PoolView)
	defer func() { clear(*vs); viewSlices.Put(vs) }()
	views := (*vs)[:0]
	for _, p := range tier {
		if !slices.Contains(skip, p) {
			pools = append(pools, p)
			views = append(views, p.view(f, m))
		}
	}
	*vs = views
	if len(views) == 0 && len(skip) > 0 {
		return nil, fmt.Errorf("%w for model %q: every pool of its tier failed it or lost its last worker under it", ErrNoCapacity, f.Model)
	}
	d, err := r.picker.Pick(views, f, now)
	if err != nil {
		return nil, unserved(tier, f.Model, err)
	}
	if d.Index < 0 || d.Index >= len(pools) {
		return nil, fmt.Errorf("%w for model %q: picker chose pool %d of %d", ErrNoCapacity, f.Model, d.Index, len(pools))
	}
	return pools[d.Index], nil
}

// viewSlices holds the slices pickAmong hands the picker, reused from
// pick to pick (the picker keeps none: see Picker).
var viewSlices = sync.Pool{New: func() any { return new([]PoolView) }}

// retryable reports whether a failed try may be retried now: the worker
// failed (not the request), the deadline has not passed, and the budget
// allows one more retry.
func (r *Router) retryable(ctx context.Context, rq *Request, err error) bool {
	if !errors.Is(err, ErrBackend) || errors.Is(err, batcher.ErrDeadline) || ctx.Err() != nil {
		return false
	}
	now := r.clock.Now()
	return (rq.Deadline.IsZero() || now.Before(rq.Deadline)) && r.budget.allow(now)
}

// result completes a worker's answer.
func (r *Router) result(rq *Request, m Model, p *Pool, resp *oip.InferenceResponse, retried bool) *Result {
	resp.ModelName = m.Name
	if resp.ModelVersion == "" {
		resp.ModelVersion = rq.Version
	}
	return &Result{Response: resp, Model: m.Name, Pool: p.name, Retried: retried}
}
