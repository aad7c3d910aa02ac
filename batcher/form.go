package batcher

import (
	"iter"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// FormConfig tells Form how to build batches for one model on one pool.
// The zero value forms batches of one item and never waits.
type FormConfig struct {
	// MaxBatch is the most rows one batch may hold; below 2, every batch
	// holds one item. An item with more rows than MaxBatch goes alone.
	MaxBatch int
	// Batching allows merging items; false forms batches of one item.
	Batching bool
	// MaxDelay is the longest the oldest item may wait for companions
	// while a worker is idle, reached only when it waits alone; 0 or less
	// never waits. See the package documentation for the waiting rule.
	MaxDelay time.Duration
	// Curve is the worker's batch latency. It keeps a wait inside the
	// members' slack before their due times (Item.Due); the zero Curve
	// assumes batches take no time.
	Curve costmodel.Curve
}

// batches reports whether cfg merges items at all.
func (cfg FormConfig) batches() bool { return cfg.Batching && cfg.MaxBatch >= 2 }

// Form is called when a worker slot is free. It either removes and returns
// the batch to dispatch now, or returns nil and how long to wait before
// calling again (sooner if an item arrives); nil and 0 mean the queue is
// empty.
//
// The batch is built around the head — the item Peek returns: the oldest
// of the most urgent non-empty class, or its newest while the class is
// standing — with the compatible items (same Key) that follow it in
// priority order, then in each class's order (oldest first, newest first
// while it is standing), while their rows fit in cfg.MaxBatch. The first
// compatible item that does not fit ends the batch, so no item is
// overtaken by one served after it of its own Key; items of other keys
// keep their place and form their own batches once they reach the head.
// The head's batch comes first, which is why no shape starves another.
//
// Items that expired by now are never returned: they are set aside for
// Expired. The returned slice is the caller's; its first element is the
// head. Cost: O(batch size + classes), plus the expired items.
func (q *Queue) Form(now time.Time, cfg FormConfig) (batch []*Item, wait time.Duration) {
	head := q.Peek(now)
	if head == nil {
		return nil, 0
	}
	if !cfg.batches() {
		q.Remove(head)
		return []*Item{head}, 0
	}
	standing := q.Standing(now)
	g := q.gather(head, standing, int64(cfg.MaxBatch))
	if w := q.window(now, cfg, head, g); w > 0 {
		return nil, w
	}
	return q.take(head, standing, g.n), 0
}

// gathered sums up the batch Form would take now.
type gathered struct {
	n    int       // items
	rows int64     // their rows
	full bool      // no compatible item could join
	due  time.Time // the earliest member due time (Item.Due); zero if none
}

// gather walks the items compatible with head, head first, and sums up the
// batch that fits in maxRows.
func (q *Queue) gather(head *Item, standing Classes, maxRows int64) gathered {
	var g gathered
	for it := range q.compatible(head, standing) {
		w := it.weight()
		if g.n > 0 && g.rows+w > maxRows {
			g.full = true
			break
		}
		g.n++
		g.rows += w
		if at, ok := it.due(); ok && (g.due.IsZero() || at.Before(g.due)) {
			g.due = at
		}
		if g.rows >= maxRows {
			g.full = true
			break
		}
	}
	return g
}

// window returns how long Form should still wait for companions of head,
// 0 to dispatch now. The rule and its reasons are in doc.go:
//
//	w = MaxDelay × (1 − rows/MaxBatch) − (now − head queued)
//	w = min(w, earliest member due − now − Curve.Latency(MaxBatch))
//	w = 0 when fewer than one arrival is expected within w
func (q *Queue) window(now time.Time, cfg FormConfig, head *Item, g gathered) time.Duration {
	if g.full || cfg.MaxDelay <= 0 {
		return 0
	}
	free := 1 - float64(g.rows)/float64(cfg.MaxBatch)
	w := time.Duration(float64(cfg.MaxDelay)*free) - now.Sub(head.pushed)
	if !g.due.IsZero() {
		w = min(w, g.due.Sub(now)-cfg.Curve.Latency(cfg.MaxBatch))
	}
	if w <= 0 || q.rate.expected(now, w) < 1 {
		return 0
	}
	return w
}

// take removes and returns the first n items compatible with head, in the
// order gather counted them.
func (q *Queue) take(head *Item, standing Classes, n int) []*Item {
	batch := make([]*Item, 0, n)
	for it := range q.compatible(head, standing) {
		if len(batch) == n {
			break
		}
		q.Remove(it)
		batch = append(batch, it)
	}
	return batch
}

// compatible yields head and the queued items of its Key in priority
// order, each class in its order: newest first in the standing classes,
// oldest first in the others. Head is the first of the most urgent
// non-empty class, so the walk starts there. Removing the yielded item is
// allowed.
func (q *Queue) compatible(head *Item, standing Classes) iter.Seq[*Item] {
	return func(yield func(*Item) bool) {
		kl := head.kl
		for c := head.Priority.class(); c < numClasses; c++ {
			l, lifo := &kl.classes[c], standing&(1<<c) != 0
			for it := first(l, lifo); it != nil; {
				next := after(l, it, lifo)
				if !yield(it) {
					return
				}
				it = next
			}
		}
	}
}
