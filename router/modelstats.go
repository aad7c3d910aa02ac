package router

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// Duration is a count and the total time it counts.
type Duration struct {
	Count uint64
	Total time.Duration
}

// add counts one more event of duration d.
func (d *Duration) add(n uint64, total time.Duration) {
	d.Count += n
	d.Total += total
}

// BatchStats sums up the batches of one size a model's workers ran.
type BatchStats struct {
	// Rows is the batch size: the rows of its merged request.
	Rows int64
	// Infer is the batches and the time their worker calls took, as the
	// router measures a call: from sending the batch to its answer.
	Infer Duration
}

// ModelStats are the counters of one model since the router started,
// in the shape of Triton's statistics extension. Durations are measured
// by the router on its clock.
type ModelStats struct {
	// Model is the model's name.
	Model string
	// Success is the requests answered and their time from arrival to
	// answer; Fail, the requests failed and their time to failure.
	Success, Fail Duration
	// Queue is the requests sent to a worker and their time in a pool's
	// queue, from their latest queueing to their batch leaving it.
	Queue Duration
	// Infer is the worker calls (executions) and their time.
	Infer Duration
	// Inferences is the rows of the requests answered.
	Inferences uint64
	// Last is when the model last answered; zero before.
	Last time.Time
	// Batches holds the executions per batch size, by size ascending.
	Batches []BatchStats
}

// modelStats collects every model's counters. Safe for concurrent use.
type modelStats struct {
	mu     sync.Mutex
	models map[string]*modelCounters
}

type modelCounters struct {
	ModelStats
	batches map[int64]*Duration
}

// of returns the counters of model, creating them. pre: s.mu held.
func (s *modelStats) of(model string) *modelCounters {
	if s.models == nil {
		s.models = map[string]*modelCounters{}
	}
	c, ok := s.models[model]
	if !ok {
		c = &modelCounters{ModelStats: ModelStats{Model: model}, batches: map[int64]*Duration{}}
		s.models[model] = c
	}
	return c
}

// executed counts a worker call of d for a batch of rows.
func (s *modelStats) executed(model string, rows int64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.of(model)
	c.Infer.add(1, d)
	b, ok := c.batches[rows]
	if !ok {
		b = &Duration{}
		c.batches[rows] = b
	}
	b.add(1, d)
}

// finished counts a request that took d, answered with rows at now or
// failed.
func (s *modelStats) finished(model string, rows int64, d time.Duration, now time.Time, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.of(model)
	if failed {
		c.Fail.add(1, d)
		return
	}
	c.Success.add(1, d)
	c.Inferences += uint64(max(rows, 1))
	c.Last = now
}

// waited counts a request's time in a queue.
func (s *modelStats) waited(model string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.of(model).Queue.add(1, d)
}

// get returns a copy of model's counters; zero counters for a model
// that served nothing yet.
func (s *modelStats) get(model string) ModelStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.models[model]
	if !ok {
		return ModelStats{Model: model}
	}
	out := c.ModelStats
	out.Batches = make([]BatchStats, 0, len(c.batches))
	for _, rows := range slices.Sorted(maps.Keys(c.batches)) {
		out.Batches = append(out.Batches, BatchStats{Rows: rows, Infer: *c.batches[rows]})
	}
	return out
}

// ModelStats returns the named model's counters since the router
// started; zero counters for a model that served nothing yet.
func (r *Router) ModelStats(model string) ModelStats { return r.stats.get(model) }

// statsObserver feeds a pool's queue waits to the router's per-model
// statistics, besides telling next, the pool's own Observer, if any.
type statsObserver struct {
	next  batcher.Observer
	stats *modelStats
}

var _ batcher.ModelObserver = statsObserver{}

func (o statsObserver) ObserveBatch(items int, rows int64) {
	if o.next != nil {
		o.next.ObserveBatch(items, rows)
	}
}

func (o statsObserver) ObserveWait(p batcher.Priority, wait time.Duration) {
	if o.next != nil {
		o.next.ObserveWait(p, wait)
	}
}

func (o statsObserver) ObserveModelWait(model string, wait time.Duration) {
	o.stats.waited(model, wait)
	if m, ok := o.next.(batcher.ModelObserver); ok {
		m.ObserveModelWait(model, wait)
	}
}
