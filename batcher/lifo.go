package batcher

import "time"

// Adaptive LIFO. A class serves its items oldest first while its oldest
// item can still be on time. Once that item is past its due time
// (Item.Due, else Item.Deadline) the class's queue is standing: it holds
// work that already missed its target, and serving it first would make
// every item behind it late too. The class then serves its newest items
// first, which can still be on time, and the late ones as capacity frees
// up (or until their deadline passes); when the oldest item left is on
// time again it is back to oldest first. This is the adaptive LIFO of
// "Fail at Scale" (CoDel's standing-queue test, with the item's own due
// time as the target), confined to the choice of a batch's head and the
// direction in which its companions are gathered.

// Classes is a set of priority classes; the zero value is empty.
type Classes uint8

// Has reports whether p is in the set.
func (c Classes) Has(p Priority) bool { return p.valid() && c&(1<<p.class()) != 0 }

// with returns c with class index i added.
func (c Classes) with(i int) Classes { return c | 1<<i }

// Standing returns the classes whose oldest item is past its due time at
// now: those that serve their newest items first.
func (q *Queue) Standing(now time.Time) Classes {
	var c Classes
	for i := range q.classes {
		if h := q.classes[i].head; h != nil && late(h, now) {
			c = c.with(i)
		}
	}
	return c
}

// late reports whether it can no longer be on time at now: its due time
// has come.
func late(it *Item, now time.Time) bool {
	due, ok := it.due()
	return ok && !now.Before(due)
}

// first returns the item of class list l served first at now: its
// newest when the class is standing, else its oldest; nil when empty.
func first(l *list, standing bool) *Item {
	if standing {
		return l.tail
	}
	return l.head
}

// after returns the item of l served after it: the one queued before it
// when the class is standing, else the one queued after it.
func after(l *list, it *Item, standing bool) *Item {
	if standing {
		return it.links[l.k].prev
	}
	return l.next(it)
}
