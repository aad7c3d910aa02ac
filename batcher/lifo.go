package batcher

import "time"

// Adaptive LIFO (see the package documentation): a class whose oldest
// item is late is standing, and serves each tenant, in its fair turn,
// newest first. Form and Peek ask standing; dispatch charges the turn.

// Classes is a set of priority classes; the zero value is empty. As a
// number it is a bit mask: Critical 1, High 2, Normal 4, Low 8.
type Classes uint8

// Has reports whether p is in the set.
func (c Classes) Has(p Priority) bool { return p.valid() && c.has(p.class()) }

// has reports whether the class of index i is in the set.
func (c Classes) has(i int) bool { return c&(1<<i) != 0 }

// with returns c with the class of index i added.
func (c Classes) with(i int) Classes { return c | 1<<i }

// Standing returns the classes standing at now: those whose oldest item
// (the first pushed of those queued) is past its due time, and which
// therefore serve their tenants' newest items first. An item expired by
// now but not yet set aside (by Expired, Peek or Form) counts. It
// changes nothing; O(classes).
func (q *Queue) Standing(now time.Time) Classes {
	var s Classes
	for c := range q.ages {
		if q.standing(c, now) {
			s = s.with(c)
		}
	}
	return s
}

// standing reports whether the class of index c is standing at now.
func (q *Queue) standing(c int, now time.Time) bool {
	h := q.ages[c].head
	return h != nil && late(h, now)
}

// late reports whether it can no longer be on time at now: its due time
// has come.
func late(it *Item, now time.Time) bool {
	due, ok := it.due()
	return ok && !now.Before(due)
}
