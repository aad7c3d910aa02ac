package batcher

import (
	"iter"
	"math"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// FormConfig tells Form how to build batches for one model on one pool.
// The zero value forms batches of one item and never waits.
type FormConfig struct {
	// MaxBatch is the most rows one batch may hold; below 2, every batch
	// holds one item. An item with more rows than MaxBatch goes alone.
	MaxBatch int
	// MaxBytes is the most bytes of data (Item.Bytes) one batch may hold;
	// 0 or less means no limit. An item larger on its own goes alone.
	MaxBytes int64
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
// The batch is built around the head — the item of the most urgent
// non-empty class that is next in fair order (Peek) — with the compatible
// items (same Key) that follow it in priority order, then fair order,
// while their rows fit in cfg.MaxBatch and their bytes in cfg.MaxBytes.
// The first compatible item that does not fit ends the batch, so no item is overtaken by a later one of
// its own Key and tenant; items of other keys keep their place and form
// their own batches once they reach the head. The head's batch comes
// first, which is why no shape starves another.
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
		q.dispatch(head)
		return []*Item{head}, 0
	}
	g := q.gather(head, cfg)
	if w := q.window(now, cfg, head, g); w > 0 {
		return nil, w
	}
	return q.take(head, g.n), 0
}

// gathered sums up the batch Form would take now.
type gathered struct {
	n     int       // items
	rows  int64     // their rows
	bytes int64     // their bytes
	full  bool      // no compatible item could join
	due   time.Time // the earliest member due time (Item.Due); zero if none
}

// gather walks the items compatible with head, head first, and sums up the
// batch that fits in cfg's rows and bytes.
func (q *Queue) gather(head *Item, cfg FormConfig) gathered {
	maxRows, maxBytes := int64(cfg.MaxBatch), cfg.MaxBytes
	if maxBytes <= 0 {
		maxBytes = math.MaxInt64
	}
	var g gathered
	for it := range q.compatible(head) {
		w, b := it.weight(), it.size()
		if g.n > 0 && (g.rows+w > maxRows || b > maxBytes-g.bytes) {
			g.full = true
			break
		}
		g.n++
		g.rows += w
		g.bytes += b
		if at, ok := it.due(); ok && (g.due.IsZero() || at.Before(g.due)) {
			g.due = at
		}
		if g.rows >= maxRows || g.bytes >= maxBytes {
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
func (q *Queue) take(head *Item, n int) []*Item {
	batch := make([]*Item, 0, n)
	for it := range q.compatible(head) {
		if len(batch) == n {
			break
		}
		q.dispatch(it)
		batch = append(batch, it)
	}
	return batch
}

// dispatch removes it as it leaves for a worker, advancing its class's
// virtual time.
func (q *Queue) dispatch(it *Item) {
	q.clocks[it.Priority.class()].served(it)
	q.Remove(it)
}

// compatible yields head and the queued items of its Key in priority
// order, then in fair order: within a class, the least start tag first
// among the tenants' oldest items. Head is the next of the most urgent
// non-empty class, so the walk starts with it. Removing the yielded item
// is allowed.
func (q *Queue) compatible(head *Item) iter.Seq[*Item] {
	return func(yield func(*Item) bool) {
		kl := head.kl
		for c := head.Priority.class(); c < numClasses; c++ {
			if !q.walk(&kl.classes[c], yield) {
				return
			}
		}
	}
}

// walk yields the items of f by start tag, merging its flows, and reports
// whether yield asked for more.
func (q *Queue) walk(f *fairList, yield func(*Item) bool) bool {
	cur := q.cursors[:0]
	for _, fl := range f.flows {
		cur = append(cur, fl.items.head)
	}
	q.cursors = cur
	for {
		best := -1
		for i, it := range cur {
			if it != nil && (best < 0 || it.before(cur[best])) {
				best = i
			}
		}
		if best < 0 {
			return true
		}
		it := cur[best]
		cur[best] = it.links[f.k].next
		if !yield(it) {
			return false
		}
	}
}
