package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// testPool is a pool of one worker "w", on a fake clock, whose readiness
// probes answer what ready says. The worker's address is never dialled:
// the tests report batches to the pool themselves.
func testPool(t *testing.T, h HealthConfig) (*Pool, *fakeClock, *atomic.Bool) {
	t.Helper()
	clk := newFakeClock(t0)
	ready := &atomic.Bool{}
	prober := ProberFunc(func(context.Context, Endpoint) error {
		if ready.Load() {
			return nil
		}
		return errNotReady
	})
	h.Timeout = time.Second
	p := newPool(PoolConfig{Name: "p"}, poolDeps{
		clock: clk, health: h, prober: prober, log: slog.New(slog.DiscardHandler), window: 10 * time.Second,
	})
	t.Cleanup(p.close)
	if err := p.SetEndpoints([]Endpoint{{ID: "w", GRPC: "127.0.0.1:1"}}); err != nil {
		t.Fatal(err)
	}
	p.startChecks()
	return p, clk, ready
}

var errBoom = fmt.Errorf("%w: worker %q: Internal: boom", ErrBackend, "w")

// TestPoolEjection scripts failures, probes and time on one worker.
func TestPoolEjection(t *testing.T) {
	p, clk, ready := testPool(t, HealthConfig{EjectAfter: 2, EjectFor: time.Second})
	w := p.workers["w"]
	step := func(what string, want int) {
		t.Helper()
		if got := p.Ready(); got != want {
			t.Fatalf("%s: %d ready, want %d", what, got, want)
		}
	}
	step("at first", 1)
	p.done(w, "m", costmodel.Size{Rows: 1}, ms, errBoom)
	step("one failure", 1)
	p.done(w, "m", costmodel.Size{Rows: 1}, ms, errors.New("oip: invalid input"))
	step("a failure that is not the worker's", 1)
	p.done(w, "m", costmodel.Size{Rows: 1}, ms, errBoom)
	step("two failures in a row", 0)
	clk.Advance(999 * ms)
	step("before the ejection ends", 0)
	clk.Advance(ms)
	step("still not ready at its end: ejected for 2s more", 0)
	ready.Store(true)
	clk.Advance(1999 * ms)
	step("before the second ejection ends", 0)
	clk.Advance(ms)
	step("ready at its end: returned", 1)
	p.done(w, "m", costmodel.Size{Rows: 1}, ms, fmt.Errorf("%w: worker %q %w: connection refused", ErrBackend, "w", errUnreachable))
	step("unreachable: ejected at once", 0)
	clk.Advance(4 * time.Second)
	step("returned after 4s, the third ejection in a row", 1)
}

// TestPoolActiveChecks takes a worker out while its checks fail.
func TestPoolActiveChecks(t *testing.T) {
	p, clk, ready := testPool(t, HealthConfig{Interval: time.Second})
	ready.Store(true)
	clk.Advance(time.Second)
	if p.Ready() != 1 {
		t.Fatalf("ready worker taken out")
	}
	ready.Store(false)
	clk.Advance(time.Second)
	if p.Ready() != 0 {
		t.Fatalf("worker failing its check still ready")
	}
	ready.Store(true)
	clk.Advance(time.Second)
	if p.Ready() != 1 {
		t.Fatalf("worker passing its check again not back")
	}
	p.done(p.workers["w"], "m", costmodel.Size{Rows: 1}, ms, errBoom)
	if p.Ready() != 1 {
		t.Fatalf("passive ejection is off, yet a failure took the worker out")
	}
}

// TestPoolChecksStarved keeps a worker whose checks all time out at once:
// the round says the gateway is starved, not that the worker is down.
func TestPoolChecksStarved(t *testing.T) {
	clk := newFakeClock(t0)
	prober := ProberFunc(func(context.Context, Endpoint) error { return context.DeadlineExceeded })
	p := newPool(PoolConfig{Name: "p"}, poolDeps{
		clock: clk, health: HealthConfig{Interval: time.Second, Timeout: time.Second}, prober: prober,
		log: slog.New(slog.DiscardHandler), window: 10 * time.Second,
	})
	t.Cleanup(p.close)
	if err := p.SetEndpoints([]Endpoint{{ID: "w", GRPC: "127.0.0.1:1"}}); err != nil {
		t.Fatal(err)
	}
	p.startChecks()
	clk.Advance(3 * time.Second)
	if p.Ready() != 1 {
		t.Errorf("%d ready after rounds where every check timed out, want 1", p.Ready())
	}
}

// TestPoolEvacuates submits a request to a pool whose only worker cannot
// be reached: the failure ejects the worker at once, and the request,
// left on a pool without workers, is handed back to be routed elsewhere;
// so is any later one.
func TestPoolEvacuates(t *testing.T) {
	p, _, _ := testPool(t, HealthConfig{EjectAfter: 3, EjectFor: time.Second})
	submit := func() error {
		req := &Request{Model: "m", Req: sumRequest("", 1), Enqueued: t0}
		_, err := p.Submit(context.Background(), item(req, Model{Name: "m"}, Facts{Rows: 1}))
		return err
	}
	if err := submit(); !errors.Is(err, errEvacuated) || !errors.Is(err, ErrNoCapacity) {
		t.Fatalf("submit error = %v, want one matching errEvacuated and ErrNoCapacity", err)
	}
	if p.Ready() != 0 {
		t.Errorf("the unreachable worker is still ready")
	}
	if err := submit(); !errors.Is(err, errEvacuated) {
		t.Errorf("submit to a pool without workers = %v, want errEvacuated", err)
	}
}
