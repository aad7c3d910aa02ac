package batcher

import "time"

// compactMin is the number of stale entries below which a deadline heap
// is never compacted.
const compactMin = 64

// deadlineEntry is one queued item's deadline. seq tells a live entry from
// a stale one: an item removed (and perhaps pushed again) no longer
// matches it.
type deadlineEntry struct {
	at  time.Time
	it  *Item
	seq uint64
}

// deadlineHeap is a min-heap of deadlines with lazy deletion: removing an
// item only counts its entry as stale, and the heap drops stale entries
// when they reach the top or, all at once, when they outnumber the live
// ones. Removal is therefore amortised O(1).
type deadlineHeap struct {
	e     []deadlineEntry
	stale int
}

// push adds it's deadline. O(log n).
func (h *deadlineHeap) push(it *Item) {
	h.e = append(h.e, deadlineEntry{at: it.Deadline, it: it, seq: it.seq})
	h.up(len(h.e) - 1)
}

// forget counts the entry of an item that left the queue as stale, and
// compacts the heap when stale entries outnumber the live ones.
func (h *deadlineHeap) forget(q *Queue) {
	h.stale++
	if h.stale >= compactMin && 2*h.stale > len(h.e) {
		h.compact(q)
	}
}

// top returns the earliest live entry without removing it, dropping stale
// entries on the way; false when there is none.
func (h *deadlineHeap) top(q *Queue) (deadlineEntry, bool) {
	for len(h.e) > 0 {
		if h.live(q, h.e[0]) {
			return h.e[0], true
		}
		h.pop()
		h.stale--
	}
	return deadlineEntry{}, false
}

// pop removes the top entry. pre: the heap is not empty.
func (h *deadlineHeap) pop() deadlineEntry {
	top := h.e[0]
	last := len(h.e) - 1
	h.e[0] = h.e[last]
	h.e[last] = deadlineEntry{}
	h.e = h.e[:last]
	if last > 0 {
		h.down(0)
	}
	return top
}

// live reports whether e still belongs to an item queued in q.
func (h *deadlineHeap) live(q *Queue, e deadlineEntry) bool {
	return e.it.q == q && e.it.seq == e.seq
}

// compact drops every stale entry and restores the heap order. O(n).
func (h *deadlineHeap) compact(q *Queue) {
	kept := h.e[:0]
	for _, e := range h.e {
		if h.live(q, e) {
			kept = append(kept, e)
		}
	}
	clear(h.e[len(kept):])
	h.e, h.stale = kept, 0
	for i := len(h.e)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *deadlineHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.e[i].at.Before(h.e[parent].at) {
			return
		}
		h.e[i], h.e[parent] = h.e[parent], h.e[i]
		i = parent
	}
}

func (h *deadlineHeap) down(i int) {
	for {
		least := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h.e) && h.e[c].at.Before(h.e[least].at) {
				least = c
			}
		}
		if least == i {
			return
		}
		h.e[i], h.e[least] = h.e[least], h.e[i]
		i = least
	}
}
