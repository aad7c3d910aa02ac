package batcher

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestBatchContext drives a puller's context through batches: it ends at
// its deadline with context.DeadlineExceeded, as context.WithTimeout
// would, carries none when the batch has none, ends its children, and is
// kept for the next batch only while it has not ended and no child is
// left on it.
func TestBatchContext(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline time.Duration // from the start; 0: none
		wait     time.Duration // before the batch finishes
		child    string        // "none", "cancelled" (as gRPC does), "left"
		ended    bool          // the context ended within the batch
		reused   bool          // finish let it serve another batch
	}{
		{name: "no deadline", child: "cancelled", wait: time.Hour, reused: true},
		{name: "answered in time", deadline: time.Second, wait: 10 * time.Millisecond, child: "cancelled", reused: true},
		{name: "deadline passed", deadline: time.Second, wait: 2 * time.Second, child: "cancelled", ended: true},
		{name: "deadline passed already", deadline: -time.Second, child: "none", ended: true},
		{name: "child left behind", deadline: time.Second, wait: 10 * time.Millisecond, child: "left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := newBatchContext(RealClock{})
				var deadline time.Time
				if tc.deadline != 0 {
					deadline = time.Now().Add(tc.deadline)
				}
				c.start(deadline)
				if got, ok := c.Deadline(); got != deadline || ok != !deadline.IsZero() {
					t.Errorf("Deadline() = %v, %v; want %v", got, ok, deadline)
				}
				if deadline.IsZero() && c.Done() != nil {
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
		c := newBatchContext(RealClock{})
		c.start(time.Now().Add(time.Second))
		time.Sleep(time.Second - time.Millisecond)
		if !c.finish() {
			t.Fatal("a context whose timer had not run was not kept")
		}
		c.start(time.Now().Add(time.Minute))
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
