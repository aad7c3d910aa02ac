package router_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// TestKillEveryWorkerOfAPool runs a steady load on a tier of two pools
// and drops every worker of the preferred pool mid-load, as kill -9
// would: no request that still had time left is lost; each one queued or
// in flight on the dead pool is answered by the other; over either
// protocol.
func TestKillEveryWorkerOfAPool(t *testing.T) {
	for _, proto := range protocols {
		t.Run(string(proto), func(t *testing.T) { killEveryWorkerOfAPool(t, proto) })
	}
}

func killEveryWorkerOfAPool(t *testing.T, proto router.Protocol) {
	curve := costmodel.Curve{Base: 10 * ms, PerItem: ms}
	a := pool{name: "a", price: 0.10, curve: curve, maxBatch: 8, workers: 2, protocol: proto}
	b := pool{name: "b", price: 1, curve: curve, maxBatch: 8, workers: 2, protocol: proto}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", 300*ms)},
		Tiers:  map[string][]string{"t": {"a", "b"}},
		Health: router.HealthConfig{Timeout: time.Second, EjectAfter: 3, EjectFor: time.Minute},
		Retry:  router.RetryConfig{Budget: 0.2, Window: 10 * time.Second},
	}, a, b)

	const rate, length, killAt = 200, 1500 * ms, 600 * ms
	var (
		mu       sync.Mutex
		served   = map[string]int{}
		retried  int
		failures []error
		wg       sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	start := time.Now()
	killed := false
	for time.Since(start) < length {
		<-tick.C
		if !killed && time.Since(start) >= killAt {
			for _, w := range f.workers["a"] {
				w.kill()
			}
			killed = true
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			res, err := f.serve(ctx, "sum", 1, nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			served[res.Pool]++
			if res.Retried {
				retried++
			}
		})
	}
	wg.Wait()
	t.Logf("served %v, %d after a retry", served, retried)
	for _, err := range failures {
		t.Errorf("lost a request: %v", err)
	}
	if served["a"] == 0 || served["b"] == 0 {
		t.Errorf("served %v: want both pools to serve, a before the kill and b after", served)
	}
	if got := f.router.Pool("a").Ready(); got != 0 {
		t.Errorf("pool a has %d ready workers after losing them all, want 0", got)
	}
}

// TestEjectedWorkerReturns drops one worker of a pool: it is ejected, the
// pool goes on with the other, and once the worker is back it returns
// after its ejection and takes batches again; over either protocol.
func TestEjectedWorkerReturns(t *testing.T) {
	for _, proto := range protocols {
		t.Run(string(proto), func(t *testing.T) { ejectedWorkerReturns(t, proto) })
	}
}

func ejectedWorkerReturns(t *testing.T, proto router.Protocol) {
	p := pool{name: "p", curve: costmodel.Curve{Base: 5 * ms, PerItem: ms}, maxBatch: 8, workers: 2, protocol: proto}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
		Health: router.HealthConfig{Timeout: time.Second, EjectAfter: 3, EjectFor: 100 * ms},
		Retry:  router.RetryConfig{Budget: 1, Window: 10 * time.Second},
	}, p)
	w := f.workers["p"][0]
	w.kill()
	for f.router.Pool("p").Ready() == 2 {
		if _, err := f.serve(context.Background(), "sum", 1, nil); err != nil {
			t.Fatalf("with one worker down: %v", err)
		}
	}
	w.restart(t)
	f.waitReady(t, "p", 2)
	for range 20 {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := f.serve(context.Background(), "sum", 1, nil); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if w.batches() == 0 {
		t.Error("the returned worker ran no batch")
	}
}

// TestActiveChecks takes a worker that is not ready (in its cold start)
// out of the pool until its ready endpoint says it is.
func TestActiveChecks(t *testing.T) {
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
		Health: router.HealthConfig{Interval: 20 * ms, Timeout: time.Second},
	}, pool{name: "p", curve: costmodel.Curve{Base: ms}, maxBatch: 8})
	opts := emulate(costmodel.Curve{Base: ms}, 8)
	opts.ColdStart = time.Second
	cold := startWorker(t, "cold", opts)
	if err := f.router.SetEndpoints("p", []router.Endpoint{cold.ep}); err != nil {
		t.Fatal(err)
	}
	f.waitReady(t, "p", 0)
	f.waitReady(t, "p", 1)
	if _, err := f.serve(context.Background(), "sum", 1, nil); err != nil {
		t.Errorf("after the cold start: %v", err)
	}
}

// TestRetryBudgetLimitsRetries fails every first try (the preferred pool's only
// worker refuses connections and is never ejected): only a fifth of the
// requests may be retried, on the other pool.
func TestRetryBudgetLimitsRetries(t *testing.T) {
	curve := costmodel.Curve{Base: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"dead", "b"}},
		Retry:  router.RetryConfig{Budget: 0.2, Window: time.Minute},
	}, pool{name: "dead", price: 0.1, curve: curve, maxBatch: 8, workers: 1}, pool{name: "b", price: 1, curve: curve, maxBatch: 8, workers: 1})
	f.workers["dead"][0].kill()
	var ok, backend atomic.Int32
	for range 50 {
		res, err := f.serve(context.Background(), "sum", 1, nil)
		switch {
		case err == nil && res.Retried && res.Pool == "b":
			ok.Add(1)
		case errors.Is(err, router.ErrBackend):
			backend.Add(1)
		default:
			t.Errorf("unexpected answer: %+v, %v", res, err)
		}
	}
	if ok.Load() != 10 || backend.Load() != 40 {
		t.Errorf("%d retried answers and %d backend failures, want 10 and 40", ok.Load(), backend.Load())
	}
}
