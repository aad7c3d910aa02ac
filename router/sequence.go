package router

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// The request parameters of Triton's sequence extension.
const (
	paramSequenceID    = "sequence_id"
	paramSequenceStart = "sequence_start"
	paramSequenceEnd   = "sequence_end"
)

// sequence is one request's place in a sequence.
type sequence struct {
	// id is the sequence_id, as text: integers and strings alike.
	id         string
	start, end bool
}

// sequenceOf reads a request's sequence parameters; ok is false when it
// belongs to no sequence (no sequence_id, or 0, or ""). Malformed values
// fail with an error matching oip.ErrInvalid.
func sequenceOf(req *oip.InferenceRequest) (seq sequence, ok bool, err error) {
	v, has := req.Parameters[paramSequenceID]
	if !has {
		return sequence{}, false, nil
	}
	switch id := v.(type) {
	case int64:
		seq.id = strconv.FormatInt(id, 10)
	case uint64:
		seq.id = strconv.FormatUint(id, 10)
	case float64:
		if id != math.Trunc(id) || id < 0 || id > math.MaxInt64 {
			return sequence{}, false, fmt.Errorf("%w: parameter %s: %v is not an integer or a string", oip.ErrInvalid, paramSequenceID, v)
		}
		seq.id = strconv.FormatInt(int64(id), 10)
	case string:
		seq.id = "s:" + id
	default:
		return sequence{}, false, fmt.Errorf("%w: parameter %s: %v is not an integer or a string", oip.ErrInvalid, paramSequenceID, v)
	}
	if seq.id == "0" || seq.id == "s:" {
		return sequence{}, false, nil
	}
	if seq.start, err = boolParam(req.Parameters, paramSequenceStart); err == nil {
		seq.end, err = boolParam(req.Parameters, paramSequenceEnd)
	}
	return seq, err == nil, err
}

func boolParam(p oip.Parameters, key string) (bool, error) {
	v, ok := p[key]
	if !ok {
		return false, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, fmt.Errorf("%w: parameter %s: %v is not a boolean", oip.ErrInvalid, key, v)
	}
	return b, nil
}

// sequences pins each open sequence to the worker that serves it, so
// that the worker's state for it is always at hand. Safe for concurrent
// use.
type sequences struct {
	idle time.Duration // 0: never forgotten but at their end

	mu   sync.Mutex
	open map[seqKey]*pinned
}

type seqKey struct{ model, id string }

// pinned is an open sequence: its worker and when it was last used. Its
// requests run one at a time, in the order they arrive.
type pinned struct {
	w    *worker
	last time.Time
	turn sync.Mutex
}

func newSequences(idle time.Duration) *sequences {
	return &sequences{idle: idle, open: map[seqKey]*pinned{}}
}

// lookup returns the open sequence k, forgetting it first if it was idle
// too long by now.
func (s *sequences) lookup(k seqKey, now time.Time) (*pinned, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pn, ok := s.open[k]
	if ok && s.idle > 0 && now.Sub(pn.last) > s.idle {
		delete(s.open, k)
		return nil, false
	}
	if ok {
		pn.last = now
	}
	return pn, ok
}

// pin opens sequence k on w (restarting it if it was open), forgetting
// every sequence idle too long by now.
func (s *sequences) pin(k seqKey, w *worker, now time.Time) *pinned {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, pn := range s.open {
		if s.idle > 0 && now.Sub(pn.last) > s.idle {
			delete(s.open, key)
		}
	}
	if pn, ok := s.open[k]; ok && pn.w == w {
		pn.last = now
		return pn
	}
	pn := &pinned{w: w, last: now}
	s.open[k] = pn
	return pn
}

// forget closes sequence k if pn still holds it.
func (s *sequences) forget(k seqKey, pn *pinned) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[k] == pn {
		delete(s.open, k)
	}
}

// serveSequence serves a request of a sequence on the sequence's worker,
// never batched with other requests, never retried elsewhere. Its first
// request (sequence_start) picks a pool of the tier as any request does,
// and the pool's least busy worker. A request of a sequence that is not
// open fails with oip.ErrInvalid; one whose worker left, with
// ErrSequenceLost. perr is sequenceOf's error, returned as it is.
func (r *Router) serveSequence(ctx context.Context, rq *Request, m Model, seq sequence, perr error) (*Result, error) {
	if perr != nil {
		return nil, perr
	}
	k := seqKey{model: rq.Model, id: seq.id}
	pn, err := r.openSequence(k, rq, m, seq)
	if err != nil {
		return nil, err
	}
	pn.turn.Lock()
	defer pn.turn.Unlock()
	if !pn.w.serving() {
		r.seqs.forget(k, pn)
		return nil, fmt.Errorf("%w: model %q, sequence %s: worker %q that held it is gone; start the sequence again", ErrSequenceLost, rq.Model, seq.id, pn.w.endpoint.ID)
	}
	resp, err := pn.w.Dispatch(ctx, rq.Model, rq.Version, rq.Req)
	if seq.end || err != nil && ctx.Err() == nil && !pn.w.serving() {
		r.seqs.forget(k, pn)
	}
	if err != nil {
		return nil, fmt.Errorf("model %q, sequence %s on worker %q: %w", rq.Model, seq.id, pn.w.endpoint.ID, err)
	}
	return r.result(rq, m, pn.w.pool, resp, false), nil
}

// openSequence returns the open sequence k, or opens it for a request
// that starts it.
func (r *Router) openSequence(k seqKey, rq *Request, m Model, seq sequence) (*pinned, error) {
	now := r.clock.Now()
	if !seq.start {
		if pn, ok := r.seqs.lookup(k, now); ok {
			return pn, nil
		}
		why := ""
		if r.seqs.idle > 0 {
			why = fmt.Sprintf(", or was idle longer than %v", r.seqs.idle)
		}
		return nil, fmt.Errorf("%w: model %q, sequence %s is not open: its first request must set %s%s",
			oip.ErrInvalid, rq.Model, seq.id, paramSequenceStart, why)
	}
	f := factsOf(rq, m)
	tier := r.tables().tiers[tierOf(r.tables().routes, f, m.Tier)]
	p, err := r.pickAmong(tier, f, m, nil)
	if err != nil {
		return nil, err
	}
	w := p.leastBusy()
	if w == nil {
		return nil, fmt.Errorf("%w for model %q: pool %q has no ready worker to hold sequence %s", ErrNoCapacity, rq.Model, p.name, seq.id)
	}
	return r.seqs.pin(k, w, now), nil
}

// leastBusy returns the ready worker with the fewest batches in flight,
// or nil.
func (p *Pool) leastBusy() *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	var best *worker
	for _, w := range p.workers {
		if w.attached && (best == nil || w.inflight < best.inflight || w.inflight == best.inflight && w.endpoint.ID < best.endpoint.ID) {
			best = w
		}
	}
	return best
}

// serving reports whether w still takes batches: attached to its pool's
// queue, not removed.
func (w *worker) serving() bool {
	w.pool.mu.Lock()
	defer w.pool.mu.Unlock()
	return w.attached && !w.removed
}

// finish counts a served request in the model's statistics and returns
// its result as it is.
func (r *Router) finish(rq *Request, res *Result, err error) (*Result, error) {
	now := r.clock.Now()
	rows, rerr := rq.Req.Rows()
	if rerr != nil {
		rows = 1
	}
	model := rq.Model
	if res != nil && res.Model != "" {
		model = res.Model
	}
	r.stats.finished(model, rows, now.Sub(rq.Enqueued), now, err != nil)
	return res, err
}
