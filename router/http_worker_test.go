package router_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// TestHTTPWorkerBatches routes a burst to a pool whose one worker speaks
// the protocol over HTTP only: every answer is right, the burst rides in
// far fewer batches than requests, and the batches go over a handful of
// kept-alive connections.
func TestHTTPWorkerBatches(t *testing.T) {
	curve := costmodel.Curve{Base: 20 * ms, PerItem: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
	}, pool{name: "p", curve: curve, maxBatch: 8, workers: 1, protocol: router.ProtocolHTTP})
	w := f.workers["p"][0]
	w.ep.GRPC = "" // nothing may go over gRPC
	if err := f.router.SetEndpoints("p", []router.Endpoint{w.ep}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		rows := 1 + i%3
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := f.router.Serve(ctx, &router.Request{Model: "sum", Req: sumRequest("", rows, 2)})
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			checkSums(t, res, rows, 2)
		})
	}
	wg.Wait()
	if got := w.batches(); got == 0 || got >= n/2 {
		t.Errorf("%d requests ran in %d batches, want at least two per batch", n, got)
	}
	if got := f.router.Pool("p").StatsAt(time.Now()).Models["sum"]; got.Base == 0 && got.PerItem == 0 {
		t.Errorf("pool learned no curve of sum from its HTTP batches: %+v", got)
	}
	if cfg, err := f.router.WorkerConfig(context.Background(), "sum"); cfg != nil || err != nil {
		t.Errorf("WorkerConfig(sum) = %v, %v; want none: the emulator serves no configuration", cfg, err)
	}
}

// TestHTTPWorkerErrors checks how the answers of an HTTP worker map to
// the router's errors: a model it lacks (its 404 is ErrUnknownModel,
// which makes the model unavailable once the worker said so when it
// attached), and a worker that is gone.
func TestHTTPWorkerErrors(t *testing.T) {
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second), {Name: "nope", Tier: "t", SLO: time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"p"}},
		Health: router.HealthConfig{Timeout: time.Second, EjectAfter: 1, EjectFor: time.Minute},
	}, pool{name: "p", curve: costmodel.Curve{Base: ms}, maxBatch: 8, workers: 1, protocol: router.ProtocolHTTP})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waitFor(t, 5*time.Second, "nope unavailable", func() bool {
		_, err := f.router.Pick("nope")
		return errors.Is(err, router.ErrModelUnavailable)
	})
	_, err := f.router.Serve(ctx, &router.Request{Model: "nope", Req: sumRequest("", 1, 2)})
	if !errors.Is(err, router.ErrModelUnavailable) || !strings.Contains(err.Error(), router.ErrUnknownModel.Error()) {
		t.Errorf("a model the worker lacks: %v, want ErrModelUnavailable with the worker's unknown model", err)
	}
	f.workers["p"][0].kill()
	_, err = f.router.Serve(ctx, &router.Request{Model: "sum", Req: sumRequest("", 1, 2)})
	if !errors.Is(err, router.ErrBackend) && !errors.Is(err, router.ErrNoCapacity) {
		t.Errorf("a worker gone: %v, want ErrBackend or ErrNoCapacity", err)
	}
	if got := f.router.Pool("p").Ready(); got != 0 {
		t.Errorf("%d ready workers after the only one was unreachable, want 0 (ejected)", got)
	}
}
