package router_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// TestHoldOnAnEmptyPool sends a request to a tier whose only pool has no
// worker. A pool that starts workers on demand holds it until one
// attaches, and it is answered; any other fails at once with
// ErrNoCapacity.
func TestHoldOnAnEmptyPool(t *testing.T) {
	tests := []struct {
		name     string
		activate bool
		// start attaches a worker once the request is queued; else its
		// deadline passes.
		start   bool
		wantErr error
	}{
		{name: "pool does not start workers", activate: false, wantErr: router.ErrNoCapacity},
		{name: "held until a worker attaches", activate: true, start: true},
		{name: "held until its deadline", activate: true, wantErr: batcher.ErrDeadline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			curve := costmodel.Curve{Base: ms}
			f := startFleet(t, router.Config{
				Models: []router.Model{sumModel("t", time.Second)},
				Tiers:  map[string][]string{"t": {"a"}},
			}, pool{name: "a", curve: curve, maxBatch: 8, activate: tt.activate})
			type answer struct {
				res *router.Result
				err error
			}
			done := make(chan answer, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				res, err := f.serve(ctx, "sum", 2, nil)
				done <- answer{res, err}
			}()
			if tt.activate {
				waitQueued(t, f.router.Pool("a"), 1)
				if f.router.Pool("a").Stats().Queued.Total() != 1 {
					t.Fatal("the request is not queued")
				}
				if got := f.router.Pool("a").StatsAt(time.Now()).Arrivals; got != 1 {
					t.Errorf("pool a counts %d arrivals, want 1: the scaler must see the held request", got)
				}
			}
			if tt.start {
				w := startWorker(t, "a-0", emulate(curve, 8))
				if err := f.router.SetEndpoints("a", []router.Endpoint{w.ep}); err != nil {
					t.Fatal(err)
				}
			}
			got := <-done
			if !errors.Is(got.err, tt.wantErr) || (tt.wantErr == nil) != (got.err == nil) {
				t.Fatalf("Serve error = %v, want %v", got.err, tt.wantErr)
			}
			if got.err == nil {
				if got.res.Pool != "a" {
					t.Errorf("served by pool %q, want a", got.res.Pool)
				}
				checkSums(t, got.res, 2, 2)
			}
		})
	}
}

// TestEvacuatedRequestsAreHeld drops the only worker of the pool that
// serves a tier while it holds one request in flight and one queued: both
// are routed again and, no pool of the tier having a worker, held on the
// pool that starts workers on demand, which answers them once its worker
// attaches.
func TestEvacuatedRequestsAreHeld(t *testing.T) {
	slow, fast := costmodel.Curve{Base: 300 * ms}, costmodel.Curve{Base: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", 5*time.Second)},
		Tiers:  map[string][]string{"t": {"b", "a"}},
	}, pool{name: "a", curve: fast, maxBatch: 1, activate: true}, pool{name: "b", curve: slow, maxBatch: 1, workers: 1})
	done := make(chan error, 2)
	for range 2 {
		go func() {
			res, err := f.serve(context.Background(), "sum", 1, nil)
			if err == nil && res.Pool != "a" {
				err = fmt.Errorf("served by pool %q, want a", res.Pool)
			}
			done <- err
		}()
	}
	b := f.router.Pool("b")
	for deadline := time.Now().Add(5 * time.Second); b.Stats().Queued.Total()+b.Stats().InFlightItems < 2; time.Sleep(ms) {
		if time.Now().After(deadline) {
			t.Fatalf("pool b took %+v, want one request in flight and one queued", b.Stats())
		}
	}
	if err := f.router.SetEndpoints("b", nil); err != nil {
		t.Fatal(err)
	}
	waitQueued(t, f.router.Pool("a"), 2)
	w := startWorker(t, "a-0", emulate(fast, 1))
	if err := f.router.SetEndpoints("a", []router.Endpoint{w.ep}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("evacuated request: %v", err)
		}
	}
}

// TestPickCountsPoolsThatStart checks the readiness check: a model whose
// tier can start workers is servable before any is ready.
func TestPickCountsPoolsThatStart(t *testing.T) {
	curve := costmodel.Curve{Base: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second), {Name: "echo", Tier: "u", SLO: time.Second}},
		Tiers:  map[string][]string{"t": {"a"}, "u": {"b"}},
	}, pool{name: "a", curve: curve, maxBatch: 8, activate: true}, pool{name: "b", curve: curve, maxBatch: 8})
	if p, err := f.router.Pick("sum"); err != nil || p.Name() != "a" {
		t.Errorf("Pick(sum) = %v, %v; want pool a", p, err)
	}
	if _, err := f.router.Pick("echo"); !errors.Is(err, router.ErrNoCapacity) {
		t.Errorf("Pick(echo) error = %v, want ErrNoCapacity", err)
	}
}

// waitQueued polls p's queue until it holds n items, for at most 5 s.
func waitQueued(t *testing.T, p *router.Pool, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(ms) {
		if p.Stats().Queued.Total() == n {
			return
		}
	}
	t.Fatalf("pool %s queues %d items, want %d", p.Name(), p.Stats().Queued.Total(), n)
}
