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
// items (same Key) that follow it in priority order, then fair order
// (newest first in a standing class, see Standing), while their rows fit
// in cfg.MaxBatch and their bytes in cfg.MaxBytes. The first compatible
// item that does not fit ends the batch, so no item is overtaken by one
// of its own Key and tenant that comes after it in that order; items of
// other keys keep their place and form their own batches once they reach
// the head. The head's batch comes first, which is why no shape starves
// another.
//
// Items that expired by now are never returned: they are set aside for
// Expired. The returned slice is the caller's; its first element is the
// head. Cost: O(batch size + classes), plus the expired items.
func (q *Queue) Form(now time.Time, cfg FormConfig) (batch []*Item, wait time.Duration) {
	head := q.Peek(now)
	if head == nil {
		return nil, 0
	}
	st := q.Standing(now)
	if !cfg.batches() {
		q.dispatch(head, st.Has(head.Priority))
		return []*Item{head}, 0
	}
	g := q.gather(head, st, cfg)
	defer clear(q.picked)
	if w := q.window(now, cfg, head, g); w > 0 {
		return nil, w
	}
	return q.take(g.n, st), 0
}

// gathered sums up the batch Form would take now.
type gathered struct {
	n     int       // items
	rows  int64     // their rows
	bytes int64     // their bytes
	full  bool      // no compatible item could join
	due   time.Time // the earliest member due time (Item.Due); zero if none
}

// gather walks the items compatible with head, head first, in the
// directions st sets, and sums up the batch that fits in cfg's rows and
// bytes; q.picked holds its items.
func (q *Queue) gather(head *Item, st Classes, cfg FormConfig) gathered {
	maxRows, maxBytes := int64(cfg.MaxBatch), cfg.MaxBytes
	if maxBytes <= 0 {
		maxBytes = math.MaxInt64
	}
	var g gathered
	q.picked = q.picked[:0]
	for it := range q.compatible(head, st) {
		w, b := it.weight(), it.size()
		if g.n > 0 && (g.rows+w > maxRows || b > maxBytes-g.bytes) {
			g.full = true
			break
		}
		q.picked = append(q.picked, it)
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

// take removes and returns the first n items gather picked, in its
// order, st saying which classes are standing.
func (q *Queue) take(n int, st Classes) []*Item {
	batch := append(make([]*Item, 0, n), q.picked[:n]...)
	for _, it := range batch {
		q.dispatch(it, st.Has(it.Priority))
	}
	return batch
}

// dispatch removes it as it leaves for a worker and charges its tenant's
// turn. Served oldest first, it is its tenant's head and the virtual time
// moves to its tag — or a companion ahead of its turn, at its own tag, as
// fair queueing has it. Served from a standing class, it takes the turn
// of its tenant's head: the virtual time moves to the head's tag and that
// tag on by it's rows over its weight, so the tenant pays in turns for
// what it got newest first.
func (q *Queue) dispatch(it *Item, standing bool) {
	h, turn := it.cf.items.head, it
	if standing {
		turn = h
	}
	q.clocks[it.Priority.class()].served(turn.start)
	if turn == h {
		h.start += float64(it.weight()) / it.share()
	}
	q.Remove(it)
}

// compatible yields head and the queued items of its Key in priority
// order, then in fair order: within a class, the tenant whose turn is
// next first, with its oldest items, or with its newest in the classes
// standing in st. Head is the next of the most urgent non-empty class, so
// the walk starts with it. The walk must not remove items.
func (q *Queue) compatible(head *Item, st Classes) iter.Seq[*Item] {
	return func(yield func(*Item) bool) {
		kl := head.kl
		for c := head.Priority.class(); c < numClasses; c++ {
			if !q.walk(&kl.classes[c], st.has(c), yield) {
				return
			}
		}
	}
}

// walk yields the items of f in turn order, merging its flows, each flow
// from its newest item back when newest is set, and reports whether yield
// asked for more.
func (q *Queue) walk(f *fairList, newest bool, yield func(*Item) bool) bool {
	cur := q.cursors[:0]
	for _, fl := range f.flows {
		cur = append(cur, firstCursor(fl, newest))
	}
	q.cursors = cur
	for {
		best := -1
		for i := range cur {
			if cur[i].it != nil && (best < 0 || cur[i].before(cur[best])) {
				best = i
			}
		}
		if best < 0 {
			return true
		}
		it := cur[best].it
		cur[best].advance(f.k, newest)
		if !yield(it) {
			return false
		}
	}
}

// cursor is a walk's place in one flow: the item it yields next, the
// tag of that item's turn, and the push number that orders equal turns
// (the item's own, or going newest first its tenant's head's, as
// fairList.head orders them).
type cursor struct {
	it   *Item
	turn float64
	seq  uint64
}

// firstCursor returns the cursor at fl's first item: its oldest at its own
// tag, or its newest at the turn of its tenant's head in the class.
func firstCursor(fl *flow, newest bool) cursor {
	if newest {
		h := fl.items.tail.cf.items.head
		return cursor{fl.items.tail, h.start, h.seq}
	}
	return cursor{fl.items.head, fl.items.head.start, fl.items.head.seq}
}

// advance moves c to the item after c.it in the walk's direction, through
// links[k]. Going back from the newest, each item moves the tenant's turn
// on by its rows over its weight, as dispatch does.
func (c *cursor) advance(k uint8, newest bool) {
	it := c.it
	if newest {
		c.it = it.links[k].prev
		c.turn += float64(it.weight()) / it.share()
		return
	}
	if c.it = it.links[k].next; c.it != nil {
		c.turn, c.seq = c.it.start, c.it.seq
	}
}

// before reports whether c's item comes before o's: the earlier turn,
// then the lesser seq.
func (c cursor) before(o cursor) bool {
	return c.turn < o.turn || (c.turn == o.turn && c.seq < o.seq)
}
