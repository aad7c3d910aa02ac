package router_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// TestServeAnswersAtTheDeadline shares one batch between a request with
// no deadline (its model has no timeout, its context none) and one whose
// caller's deadline passes while the batch is in flight. The batch's call
// runs on for the first; the second is answered at its deadline, before
// the batch ends, not when the batch ends.
func TestServeAnswersAtTheDeadline(t *testing.T) {
	const batch = time.Second // every batch's latency
	model := router.Model{Name: "sum", Tier: "t", SLO: 10 * time.Second, Batching: true}
	f := startFleet(t, router.Config{Models: []router.Model{model}, Tiers: map[string][]string{"t": {"a"}}},
		pool{name: "a", curve: costmodel.Curve{Base: batch}, maxBatch: 8, workers: 1})
	p := f.router.Pool("a")
	blocker := serveAsync(f, time.Time{})
	waitInFlight(t, p, 1)
	free := serveAsync(f, time.Time{})
	// The router predicts 1.5 batches (half the first one left on average,
	// then its own), so a deadline of 1.75 admits the request, and it
	// passes while the second batch is in flight.
	bounded := serveAsync(f, time.Now().Add(batch+3*batch/4))
	waitQueued(t, p, 2)

	if err := <-bounded; !errors.Is(err, batcher.ErrDeadline) {
		t.Errorf("the request with a deadline: error %v, want ErrDeadline", err)
	}
	if got := f.workers["a"][0].batches(); got != 1 {
		t.Errorf("the worker finished %d batches when the deadline passed, want 1 (the first only)", got)
	}
	for name, done := range map[string]<-chan error{"the first request": blocker, "the request without a deadline": free} {
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// serveAsync serves a request of one row, with the caller's deadline
// deadline (zero: none), and reports Serve's error.
func serveAsync(f *fleet, deadline time.Time) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := f.router.Serve(context.Background(), &router.Request{Model: "sum", Req: sumRequest("", 1, 2), Deadline: deadline})
		done <- err
	}()
	return done
}

// waitInFlight waits, for at most 5 s, until p has n items in flight.
func waitInFlight(t *testing.T, p *router.Pool, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(ms) {
		if p.Stats().InFlightItems == n {
			return
		}
	}
	t.Fatalf("pool %s has %d items in flight, want %d", p.Name(), p.Stats().InFlightItems, n)
}
