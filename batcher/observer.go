package batcher

import "time"

// Observer is told of every batch a Pool sends, as it leaves the queue,
// for metrics. A Pool calls it from its pullers, concurrently and outside
// its lock, before the batch is dispatched: its methods must be safe for
// concurrent use, fast, and must not block or call back into the Pool.
type Observer interface {
	// ObserveBatch is called once per batch with its items and their
	// rows, the batch size a worker sees.
	ObserveBatch(items int, rows int64)
	// ObserveWait is called once per item of a batch with the item's
	// class and how long it waited in the queue: from its latest Push (a
	// request routed again queues again) to its batch leaving.
	ObserveWait(p Priority, wait time.Duration)
}

// ModelObserver is an Observer that is also told, for each item of a
// batch, its model and how long it waited (as ObserveWait measures it),
// for per-model statistics. A Pool whose Observer implements it calls
// ObserveModelWait beside ObserveWait, under the same rules.
type ModelObserver interface {
	ObserveModelWait(model string, wait time.Duration)
}

// observe tells the pool's Observer, if any, of batch, formed at now.
// pre: p.mu not held; batch has left the queue and is not answered yet,
// so its items are not touched by anyone else.
func (p *Pool) observe(batch []*Item, now time.Time) {
	if p.observer == nil || len(batch) == 0 {
		return
	}
	var rows int64
	models, _ := p.observer.(ModelObserver)
	for _, it := range batch {
		rows += it.weight()
		p.observer.ObserveWait(it.Priority, now.Sub(it.pushed))
		if models != nil {
			models.ObserveModelWait(it.Model, now.Sub(it.pushed))
		}
	}
	p.observer.ObserveBatch(len(batch), rows)
}
