package sim

import "time"

// evKind is what an event does. At equal times events run in the order of
// their kinds, then in the order they were scheduled.
type evKind uint8

const (
	evSecond evKind = iota // a trace second begins: scripted events, interruptions, timeline
	evTick                 // a policy decision
	evReady                // a replica's cold start ends
	evDone                 // a replica's batch ends
	evWake                 // a pool's batch-forming wait ends
)

// event is one scheduled event. Replica events carry the replica's
// generation, so that an event of a replica lost since is ignored.
type event struct {
	at   time.Duration
	seq  uint64
	kind evKind
	pool int32
	slot int32
	gen  uint32
}

// before orders events by time, kind, then scheduling order.
func (e *event) before(o *event) bool {
	if e.at != o.at {
		return e.at < o.at
	}
	if e.kind != o.kind {
		return e.kind < o.kind
	}
	return e.seq < o.seq
}

// eventQueue is a binary min-heap of events. The zero value is empty.
type eventQueue struct {
	h   []event
	seq uint64
}

// push schedules e.
func (q *eventQueue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !q.h[i].before(&q.h[parent]) {
			break
		}
		q.h[i], q.h[parent] = q.h[parent], q.h[i]
		i = parent
	}
}

// len returns the number of scheduled events.
func (q *eventQueue) len() int { return len(q.h) }

// peek returns the earliest event's time. pre: q.len() > 0.
func (q *eventQueue) peek() time.Duration { return q.h[0].at }

// pop removes and returns the earliest event. pre: q.len() > 0.
func (q *eventQueue) pop() event {
	top := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h = q.h[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && q.h[l].before(&q.h[m]) {
			m = l
		}
		if r < last && q.h[r].before(&q.h[m]) {
			m = r
		}
		if m == i {
			return top
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
}
