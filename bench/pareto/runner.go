package pareto

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// Job is one simulation of a sweep: a configuration on a scenario with
// one seed, as Options.Progress reports it.
type Job struct {
	Scenario, Family string
	// Config is the configuration as text, e.g. "target=0.7".
	Config string
	Seed   uint64
	// Elapsed is the run's wall-clock time; Err why it failed.
	Elapsed time.Duration
	Err     error
}

// task is a job waiting to run, and what to do with its outcome.
type task struct {
	job  Job
	opts sim.Options
	// urgent tasks (the oracle's, which its search waits for) run first;
	// the others by size, the most expected requests first.
	urgent bool
	size   float64
	done   func(*sim.Result, error)
}

// runner runs tasks on a fixed number of goroutines.
type runner struct {
	mu           sync.Mutex
	cond         *sync.Cond
	urgent, rest []*task
	closed       bool
	done, queued int
	progress     func(done, queued int, last Job)
	workers      sync.WaitGroup
}

// newRunner starts parallel workers; progress may be nil.
func newRunner(parallel int, progress func(done, queued int, last Job)) *runner {
	r := &runner{progress: progress}
	r.cond = sync.NewCond(&r.mu)
	for range parallel {
		r.workers.Go(r.work)
	}
	return r
}

// push queues tasks.
func (r *runner) push(ts ...*task) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range ts {
		if t.urgent {
			r.urgent = append(r.urgent, t)
		} else {
			r.rest = append(r.rest, t)
		}
	}
	slices.SortStableFunc(r.rest, func(a, b *task) int { return cmp.Compare(b.size, a.size) })
	r.queued += len(ts)
	r.cond.Broadcast()
}

// pop returns the next task, waiting for one; false once the runner is
// closed and drained.
func (r *runner) pop() (*task, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.urgent) == 0 && len(r.rest) == 0 && !r.closed {
		r.cond.Wait()
	}
	switch {
	case len(r.urgent) > 0:
		t := r.urgent[0]
		r.urgent = r.urgent[1:]
		return t, true
	case len(r.rest) > 0:
		t := r.rest[0]
		r.rest = r.rest[1:]
		return t, true
	}
	return nil, false
}

// work runs tasks until the runner is closed and drained.
func (r *runner) work() {
	for t, ok := r.pop(); ok; t, ok = r.pop() {
		start := time.Now()
		res, err := sim.Run(t.opts)
		t.done(res, err)
		t.job.Elapsed, t.job.Err = time.Since(start), err
		r.mu.Lock()
		r.done++
		if r.progress != nil {
			r.progress(r.done, r.queued, t.job)
		}
		r.mu.Unlock()
	}
}

// close lets the workers end once the queue is drained, and waits for
// them. No task may be pushed after.
func (r *runner) close() {
	r.mu.Lock()
	r.closed = true
	r.cond.Broadcast()
	r.mu.Unlock()
	r.workers.Wait()
}
