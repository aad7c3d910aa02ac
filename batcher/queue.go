package batcher

import (
	"fmt"
	"time"
)

// ClassLimits bounds one priority class of a Queue, as Triton's queue
// policy does. The zero value bounds nothing.
type ClassLimits struct {
	// MaxLen is the most items the class may hold; 0 means unbounded. A
	// Push beyond it fails with ErrQueueFull, unless another tenant holds
	// at least two items more of the class than the pushing one: then
	// that tenant's newest item makes room, and Expired returns it with
	// ErrQueueFull, so that a flood cannot lock a trickle out.
	MaxLen int
	// MaxQueueTime is the longest an item may stay queued; Expired removes
	// it after that, with ErrQueueTimeout. 0 means unbounded.
	MaxQueueTime time.Duration
}

// Queue holds the items waiting for one pool: per priority class, one
// FIFO per tenant served in fair order (see fair.go), and beside them the
// same per class and Key so that forming a batch visits only compatible
// items.
//
// Queue is pure: it never reads the clock, starts no goroutine and never
// blocks; every method that depends on time takes now, which must not go
// backwards from one call to the next. A Queue is not safe for concurrent
// use. Create it with NewQueue.
type Queue struct {
	limits    [numClasses]ClassLimits
	classes   [numClasses]fairList
	ages      [numClasses]list // each class's items in the order pushed, for Standing
	clocks    [numClasses]virtualClock
	rows      [numClasses]int // the rows (Item.Rows, at least 1 each) queued in each class
	keys      map[string]*keyLists
	spare     *keyLists // an emptied keyLists kept to spare an allocation
	flows     []*flow   // emptied flows kept to spare allocations
	cursors   []cursor  // scratch of compatible's walk
	picked    []*Item   // scratch: the items gather counted
	deadlines deadlineHeap
	dead      []*Item // expired items not yet returned by Expired
	rate      arrivalRate
	rowRates  [numClasses]arrivalRate // rows arriving in each class
	seq       uint64
}

// keyLists holds the items of one Key, a fairList per class.
type keyLists struct {
	classes [numClasses]fairList
	n       int
}

// NewQueue returns an empty queue with the given per-class limits. A class
// missing from limits (or a nil map) is unbounded; keys other than the
// four classes are ignored.
func NewQueue(limits map[Priority]ClassLimits) *Queue {
	q := &Queue{keys: make(map[string]*keyLists)}
	for p, l := range limits {
		if p.valid() {
			q.limits[p.class()] = l
		}
	}
	for c := range q.classes {
		q.classes[c].k = byClass
		q.ages[c].k = byAge
	}
	return q
}

// Push queues it at the tail of its tenant's items in its class, with
// its fair-queueing tag, recording now as the time it was queued and,
// when it.Enqueued is zero, as its arrival. It fails with
// ErrQueueFull when the class holds ClassLimits.MaxLen items, with
// ErrDeadline when it.Deadline is not after now, and with ErrInvalidItem
// for an unknown priority or an item already in a queue. O(log n) for an
// item with a deadline, O(1) otherwise.
func (q *Queue) Push(it *Item, now time.Time) error {
	if err := q.admit(it, now); err != nil {
		return err
	}
	c := it.Priority.class()
	q.seq++
	it.q, it.seq, it.pushed, it.expiry = q, q.seq, now, nil
	if it.Enqueued.IsZero() {
		it.Enqueued = now
	}
	q.clocks[c].tag(it)
	it.cf = q.classes[c].push(it, &q.flows)
	q.ages[c].pushBack(it)
	q.rows[c] += int(it.weight())
	it.kl = q.keyLists(it.Key)
	it.kf = it.kl.add(it, c, &q.flows)
	if !it.Deadline.IsZero() {
		q.deadlines.push(it)
	}
	q.rate.observe(now)
	q.rowRates[c].observeN(now, float64(it.weight()))
	return nil
}

// admit returns why it cannot be pushed at now, or nil.
func (q *Queue) admit(it *Item, now time.Time) error {
	switch {
	case !it.Priority.valid():
		return fmt.Errorf("%w: %s", ErrInvalidItem, it.Priority)
	case it.q != nil:
		return fmt.Errorf("%w: model %q: already queued", ErrInvalidItem, it.Model)
	case !it.Deadline.IsZero() && !now.Before(it.Deadline):
		return fmt.Errorf("%w: %v before it was queued", ErrDeadline, now.Sub(it.Deadline))
	}
	c := it.Priority.class()
	if lim := q.limits[c].MaxLen; lim > 0 && q.classes[c].n >= lim && !q.pushOut(c, it.Tenant) {
		return fmt.Errorf("%w: class %s holds its limit of %d", ErrQueueFull, it.Priority, lim)
	}
	return nil
}

// pushOut makes room in full class c for an item of tenant: it expires
// the newest item of the tenant holding the most of the class, if that
// is at least two more than tenant holds, and reports whether it did.
func (q *Queue) pushOut(c int, tenant string) bool {
	var longest *flow
	own := 0
	for _, fl := range q.classes[c].flows {
		if fl.tenant == tenant {
			own = fl.items.n
		} else if longest == nil || fl.items.n > longest.items.n {
			longest = fl
		}
	}
	if longest == nil || longest.items.n < own+2 {
		return false
	}
	victim := longest.items.tail
	q.expire(victim, ErrQueueFull, !victim.Deadline.IsZero())
	return true
}

// Remove takes it out of the queue — a caller that went away — and reports
// whether it was queued here. Amortised O(1).
func (q *Queue) Remove(it *Item) bool {
	if it.q != q {
		return false
	}
	q.unlink(it)
	if !it.Deadline.IsZero() {
		q.deadlines.forget(q)
	}
	return true
}

// Len returns the number of queued items.
func (q *Queue) Len() int {
	n := 0
	for c := range q.classes {
		n += q.classes[c].n
	}
	return n
}

// LenByClass returns the number of queued items of each class.
func (q *Queue) LenByClass() ClassCounts {
	var n [numClasses]int
	for c := range q.classes {
		n[c] = q.classes[c].n
	}
	return countsOf(n)
}

// RowsByClass returns the rows queued in each class: each item's Rows,
// at least 1, the weight it has in a batch.
func (q *Queue) RowsByClass() ClassCounts { return countsOf(q.rows) }

// Expired removes and returns the items whose deadline or class
// MaxQueueTime has passed by now (a deadline equal to now has passed),
// and those a Push made room for (see ClassLimits.MaxLen), each with
// Item.Expiry saying which. The caller owns the returned slice; nil when
// nothing expired.
func (q *Queue) Expired(now time.Time) []*Item {
	q.sweep(now)
	out := q.dead
	q.dead = nil
	return out
}

// NextWake returns how long after now the next item expires, and false
// when no queued item can expire. A zero wait means some item is due
// already: call Expired.
func (q *Queue) NextWake(now time.Time) (time.Duration, bool) {
	if len(q.dead) > 0 {
		return 0, true
	}
	var at time.Time
	if e, ok := q.deadlines.top(q); ok {
		at = e.at
	}
	for c, l := range q.limits {
		if l.MaxQueueTime <= 0 {
			continue
		}
		for _, fl := range q.classes[c].flows {
			if t := fl.items.head.pushed.Add(l.MaxQueueTime); at.IsZero() || t.Before(at) {
				at = t
			}
		}
	}
	if at.IsZero() {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// Peek returns the item Form would build its next batch around — the
// live item of the most urgent non-empty class that is next in fair
// order: of the tenant whose turn it is (the least start tag), its
// oldest item, or its newest when the class is standing (see Standing) —
// without removing it; nil when the queue is empty. Items that expired by
// now are moved aside for Expired first.
func (q *Queue) Peek(now time.Time) *Item {
	q.sweep(now)
	for c := range q.classes {
		if h := q.classes[c].head(q.standing(c, now)); h != nil {
			return h
		}
	}
	return nil
}

// Drain removes and returns every item, the expired ones not yet returned
// by Expired included, most urgent class first, in fair order within a
// class.
func (q *Queue) Drain() []*Item {
	out := q.dead
	q.dead = nil
	for c := range q.classes {
		for it := q.classes[c].head(false); it != nil; it = q.classes[c].head(false) {
			q.Remove(it)
			out = append(out, it)
		}
	}
	return out
}

// sweep moves the items that expired by now from the lists to q.dead:
// first those whose deadline passed, then, per class, those queued longer
// than MaxQueueTime.
func (q *Queue) sweep(now time.Time) {
	for {
		e, ok := q.deadlines.top(q)
		if !ok || now.Before(e.at) {
			break
		}
		q.deadlines.pop()
		q.expire(e.it, ErrDeadline, false)
	}
	for c, l := range q.limits {
		if l.MaxQueueTime <= 0 {
			continue
		}
		flows := q.classes[c].flows
		// Downwards: expiring a flow's last item moves the last flow
		// into its place, and that one was swept already.
		for i := len(flows) - 1; i >= 0; i-- {
			q.sweepFlow(flows[i], now.Add(-l.MaxQueueTime))
		}
	}
}

// sweepFlow expires the items of fl queued at or before cutoff: a prefix
// of it, since a flow is in the order of pushes.
func (q *Queue) sweepFlow(fl *flow, cutoff time.Time) {
	for h := fl.items.head; h != nil && !h.pushed.After(cutoff); h = fl.items.head {
		q.expire(h, ErrQueueTimeout, !h.Deadline.IsZero())
		if fl.items.n == 0 {
			return // fl went back to the spare list
		}
	}
}

// expire moves it to q.dead with reason; inHeap says whether its deadline
// entry is still in the heap.
func (q *Queue) expire(it *Item, reason error, inHeap bool) {
	q.unlink(it)
	if inHeap {
		q.deadlines.forget(q)
	}
	it.expiry = reason
	q.dead = append(q.dead, it)
}

// unlink takes it out of its class and key lists; the deadline heap is
// the caller's business.
func (q *Queue) unlink(it *Item) {
	c := it.Priority.class()
	q.classes[c].remove(it, it.cf, &q.flows)
	q.ages[c].remove(it)
	q.rows[c] -= int(it.weight())
	kl := it.kl
	kl.classes[c].remove(it, it.kf, &q.flows)
	kl.n--
	if kl.n == 0 {
		delete(q.keys, it.Key)
		q.spare = kl
	}
	it.q, it.kl, it.cf, it.kf = nil, nil, nil, nil
}

// keyLists returns the lists of key, creating them when missing.
func (q *Queue) keyLists(key string) *keyLists {
	if kl, ok := q.keys[key]; ok {
		return kl
	}
	kl := q.spare
	q.spare = nil
	if kl == nil {
		kl = &keyLists{}
		for c := range kl.classes {
			kl.classes[c].k = byKey
		}
	}
	q.keys[key] = kl
	return kl
}

// add appends it to its tenant's flow of class c and returns the flow.
func (kl *keyLists) add(it *Item, c int, spare *[]*flow) *flow {
	kl.n++
	return kl.classes[c].push(it, spare)
}
