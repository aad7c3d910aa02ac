package sim

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestEventQueueOrder(t *testing.T) {
	var q eventQueue
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		q.push(event{at: time.Duration(rng.IntN(50)), kind: evKind(rng.IntN(5))})
	}
	var prev *event
	for q.len() > 0 {
		e := q.pop()
		if prev != nil && e.before(prev) {
			t.Fatalf("popped %+v after %+v", e, *prev)
		}
		prev = &e
	}
}

func TestEventQueueTies(t *testing.T) {
	var q eventQueue
	q.push(event{at: 5, kind: evDone, slot: 1})
	q.push(event{at: 5, kind: evSecond})
	q.push(event{at: 5, kind: evDone, slot: 2})
	q.push(event{at: 4, kind: evWake})
	var got []evKind
	var slots []int32
	for q.len() > 0 {
		e := q.pop()
		got = append(got, e.kind)
		slots = append(slots, e.slot)
	}
	want := []evKind{evWake, evSecond, evDone, evDone}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("kinds %v, want %v", got, want)
		}
	}
	if slots[2] != 1 || slots[3] != 2 {
		t.Errorf("equal events out of scheduling order: slots %v", slots)
	}
}
