package batcher

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestBatchContext drives a puller's context through one batch: it ends
// at the latest member deadline with context.DeadlineExceeded, as
// context.WithTimeout would, has none when a member has none, ends its
// children, answers each member ErrDeadline once its own deadline
// passes, and is kept for the next batch only while it has not ended and
// no child is left on it.
func TestBatchContext(t *testing.T) {
	const none = time.Duration(0)
	for _, tc := range []struct {
		name      string
		deadlines []time.Duration // each member's, from the start; 0: none
		wait      time.Duration   // before the batch finishes
		child     string          // "none", "cancelled" (as gRPC does), "left"
		ended     bool            // the context ended within the batch
		late      []bool          // each member was answered ErrDeadline
		reused    bool            // finish let it serve another batch
	}{
		{name: "no deadline", deadlines: []time.Duration{none}, wait: time.Hour, child: "cancelled",
			late: []bool{false}, reused: true},
		{name: "answered in time", deadlines: []time.Duration{time.Second}, wait: 10 * time.Millisecond, child: "cancelled",
			late: []bool{false}, reused: true},
		{name: "deadline passed", deadlines: []time.Duration{time.Second}, wait: 2 * time.Second, child: "cancelled",
			ended: true, late: []bool{true}},
		{name: "deadline passed already", deadlines: []time.Duration{-time.Second}, child: "none",
			ended: true, late: []bool{true}},
		{name: "one member's passed, the batch's not", deadlines: []time.Duration{time.Second, 3 * time.Second, 2 * time.Second},
			wait: 2500 * time.Millisecond, child: "cancelled", late: []bool{true, false, true}, reused: true},
		{name: "one member's passed, the other has none", deadlines: []time.Duration{time.Second, none},
			wait: time.Hour, child: "cancelled", late: []bool{true, false}, reused: true},
		{name: "child left behind", deadlines: []time.Duration{time.Second}, wait: 10 * time.Millisecond, child: "left",
			late: []bool{false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := newBatchContext(&Pool{name: "p", clock: RealClock{}})
				batch := make([]*Item, len(tc.deadlines))
				var latest time.Time
				for i, d := range tc.deadlines {
					batch[i] = &Item{Ref: make(chan result, 1)}
					if d != none {
						batch[i].Deadline = time.Now().Add(d)
					}
				}
				latest = latestDeadline(batch)
				c.start(batch)
				if got, ok := c.Deadline(); got != latest || ok != !latest.IsZero() {
					t.Errorf("Deadline() = %v, %v; want %v", got, ok, latest)
				}
				if latest.IsZero() && c.Done() != nil {
					t.Error("Done() is not nil for a batch without a deadline")
				}
				var child context.Context
				cancel := context.CancelFunc(func() {})
				if tc.child != "none" {
					child, cancel = context.WithCancel(c)
				}
				time.Sleep(tc.wait)
				synctest.Wait()
				if ended := c.Err() != nil; ended != tc.ended {
					t.Fatalf("ended = %v (%v), want %v", ended, c.Err(), tc.ended)
				}
				if tc.ended {
					<-c.Done()
					if !errors.Is(c.Err(), context.DeadlineExceeded) {
						t.Errorf("Err() = %v, want context.DeadlineExceeded", c.Err())
					}
					if child != nil && !errors.Is(child.Err(), context.DeadlineExceeded) {
						t.Errorf("child's Err() = %v, want context.DeadlineExceeded", child.Err())
					}
				}
				if child != nil && !tc.ended && child.Err() != nil {
					t.Errorf("child ended early: %v", child.Err())
				}
				for i, it := range batch {
					select {
					case r := <-it.Ref.(chan result):
						if !tc.late[i] || !errors.Is(r.err, ErrDeadline) {
							t.Errorf("member %d answered %v, want late %v", i, r.err, tc.late[i])
						}
					default:
						if tc.late[i] {
							t.Errorf("member %d not answered ErrDeadline", i)
						}
					}
				}
				if tc.child == "cancelled" {
					cancel()
				}
				if reused := c.finish(); reused != tc.reused {
					t.Errorf("finish() = %v, want %v", reused, tc.reused)
				}
				cancel()
			})
		})
	}
}

// TestBatchContextLateTimer checks that a batch's timer firing after its
// batch finished never ends the context the next batch holds.
func TestBatchContextLateTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newBatchContext(&Pool{name: "p", clock: RealClock{}})
		c.start([]*Item{{Deadline: time.Now().Add(time.Second)}})
		time.Sleep(time.Second - time.Millisecond)
		if !c.finish() {
			t.Fatal("a context whose timer had not run was not kept")
		}
		c.start([]*Item{{Deadline: time.Now().Add(time.Minute)}})
		c.expired() // the first batch's timer, late
		synctest.Wait()
		if err := c.Err(); err != nil {
			t.Fatalf("the second batch's context ended: %v", err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Err() = %v after the second deadline, want context.DeadlineExceeded", err)
		}
	})
}

// TestBatchContextChildren registers children over several batches, as
// gRPC does for each call: each is ended by the deadline of its own
// batch only, and a stopped registration's slot serves the next.
func TestBatchContextChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newBatchContext(&Pool{name: "p", clock: RealClock{}})
		for range 3 {
			c.start([]*Item{{Deadline: time.Now().Add(time.Second)}})
			child, cancel := context.WithCancel(c)
			time.Sleep(time.Millisecond)
			if err := child.Err(); err != nil {
				t.Fatalf("child ended before its batch's deadline: %v", err)
			}
			cancel()
			if !c.finish() {
				t.Fatal("a context whose children were all cancelled was not kept")
			}
		}
		if n := len(c.funcs); n != 1 {
			t.Errorf("%d registration slots after three calls one at a time, want 1", n)
		}
		c.start([]*Item{{Deadline: time.Now().Add(time.Second)}})
		a, cancelA := context.WithCancel(c)
		defer cancelA()
		b, cancelB := context.WithCancel(c)
		defer cancelB()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		for _, child := range []context.Context{a, b} {
			if err := child.Err(); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("child's Err() = %v after the deadline, want context.DeadlineExceeded", err)
			}
		}
		if c.finish() {
			t.Error("a context that ended was kept")
		}
	})
}
