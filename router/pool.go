package router

import (
	"context"
	"fmt"
	"sync"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Pool is a group of identical workers behind one batcher queue. It is safe
// for concurrent use.
type Pool struct {
	name  string
	queue *batcher.Pool
	// slots is how many batches one worker is given at a time.
	slots int

	mu      sync.Mutex
	workers map[string]*worker
}

func newPool(name string, queue *batcher.Pool, slots int) *Pool {
	return &Pool{name: name, queue: queue, slots: slots, workers: map[string]*worker{}}
}

// Name returns the pool's name.
func (p *Pool) Name() string { return p.name }

// Ready returns the number of workers that can take batches now.
func (p *Pool) Ready() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.workers)
}

// Stats returns the pool's queue statistics.
func (p *Pool) Stats() batcher.Stats { return p.queue.Stats() }

// Submit queues one request on the pool and waits for its answer; see
// batcher.Pool.Submit for the errors.
func (p *Pool) Submit(ctx context.Context, it *batcher.Item) (*oip.InferenceResponse, error) {
	return p.queue.Submit(ctx, it)
}

// SetEndpoints makes eps the pool's set of ready workers: new ones start
// pulling batches, missing ones stop pulling and are closed once their
// batches in flight have finished. An endpoint whose address changed is
// replaced.
func (p *Pool) SetEndpoints(eps []Endpoint) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := make(map[string]Endpoint, len(eps))
	for _, ep := range eps {
		want[ep.ID] = ep
	}
	for id, w := range p.workers {
		if ep, ok := want[id]; !ok || ep != w.endpoint {
			p.removeLocked(id, w)
		}
	}
	for id, ep := range want {
		if _, ok := p.workers[id]; ok {
			continue
		}
		w, err := dialWorker(ep)
		if err != nil {
			return fmt.Errorf("pool %q: %w", p.name, err)
		}
		p.workers[id] = w
		p.queue.AddWorker(id, w, p.slots)
	}
	return nil
}

func (p *Pool) removeLocked(id string, w *worker) {
	p.queue.RemoveWorker(id)
	delete(p.workers, id)
	w.retire()
}

// anyWorker returns one ready worker, or nil.
func (p *Pool) anyWorker() *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		return w
	}
	return nil
}

// close stops the pool's queue and its workers.
func (p *Pool) close() {
	p.mu.Lock()
	for id, w := range p.workers {
		p.removeLocked(id, w)
	}
	p.mu.Unlock()
	p.queue.Close()
}
