package router_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// wideRequest is one row of width FP32 values: 4·width bytes of data.
func wideRequest(width int) *oip.InferenceRequest {
	return &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{1, int64(width)}, make([]float32, width))}}
}

// largeTimeout bounds the calls of the tests of large requests: what
// they check is where requests go and that none fails for another's
// size, and a shared machine under the race detector moves megabytes
// slowly.
const largeTimeout = 30 * time.Second

// largeModel is the model sum on tier t, its SLO 5 s, its timeout
// largeTimeout.
func largeModel() router.Model {
	m := sumModel("t", 5*time.Second)
	m.Timeout = largeTimeout
	return m
}

// serveConcurrently serves n wide requests at once and returns their
// results and errors, by request.
func serveConcurrently(t *testing.T, f *fleet, n, width int) ([]*router.Result, []error) {
	t.Helper()
	results, errs := make([]*router.Result, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), largeTimeout)
			defer cancel()
			results[i], errs[i] = f.router.Serve(ctx, &router.Request{Model: "sum", Req: wideRequest(width)})
		})
	}
	wg.Wait()
	return results, errs
}

// TestWorkerRefusesLargeBatches serves requests that fit a worker alone
// but not two at once, to a pool whose batches are not bounded in bytes:
// the worker's gRPC server (limit 4 MiB a message) refuses the merged
// batches with RESOURCE_EXHAUSTED, the batches are sent again in halves,
// and every request is answered, without a retry and without ejecting
// the worker. A request over the worker's limit on its own fails with
// batcher.ErrTooLarge, and still ejects no one.
func TestWorkerRefusesLargeBatches(t *testing.T) {
	curve := costmodel.Curve{Base: 30 * ms, PerItem: ms}
	p := pool{name: "a", curve: curve, maxBatch: 8, workers: 1}
	f := startFleet(t, router.Config{
		Models: []router.Model{largeModel()},
		Tiers:  map[string][]string{"t": {"a"}},
		Health: router.HealthConfig{Timeout: time.Second, EjectAfter: 1, EjectFor: time.Minute},
		Retry:  router.RetryConfig{Budget: 1, Window: time.Minute},
	}, p)
	f.waitReady(t, "a", 1)

	const width = 300_000 // 1.2 MB a request: three or more at once exceed 4 MiB
	results, errs := serveConcurrently(t, f, 12, width)
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
			continue
		}
		if results[i].Retried {
			t.Errorf("request %d was retried: a batch too large is not the worker's failure", i)
		}
	}
	formed, ran := f.router.Pool("a").Stats().Batches, f.workers["a"][0].batches()
	if ran <= int64(formed) {
		t.Errorf("the worker ran %d batches of the %d formed: none was refused and halved, so the test sent none too large", ran, formed)
	}

	_, err := f.router.Serve(context.Background(), &router.Request{Model: "sum", Req: wideRequest(1_200_000)})
	if !errors.Is(err, batcher.ErrTooLarge) {
		t.Errorf("a request of 4.8 MB alone: %v, want batcher.ErrTooLarge", err)
	}
	if got := f.router.Pool("a").Ready(); got != 1 {
		t.Errorf("ready workers = %d after the refusals, want 1: a request's size is not the worker's fault", got)
	}
}

// TestBatchesBoundedInBytes serves requests to a tier of two pools: one
// whose batches take at most 3 MB (under its workers' 4 MiB), the other,
// dearer, whose HTTP workers take 64 MiB and whose batches take 16 MB.
// Concurrent requests of 1.2 MB are batched within 3 MB on the cheap
// pool and never refused; a request of 3.2 MB goes to the pool that
// takes it; one of 20 MB, larger than every pool takes, is refused at
// once with batcher.ErrTooLarge.
func TestBatchesBoundedInBytes(t *testing.T) {
	curve := costmodel.Curve{Base: 30 * ms, PerItem: ms}
	small := pool{name: "small", price: 0.1, curve: curve, maxBatch: 8, maxBytes: 3_000_000, workers: 1}
	large := pool{name: "large", price: 1, curve: curve, maxBatch: 8, maxBytes: 16_000_000, workers: 1, protocol: router.ProtocolHTTP}
	f := startFleet(t, router.Config{
		Models: []router.Model{largeModel()},
		Tiers:  map[string][]string{"t": {"small", "large"}},
	}, small, large)
	f.waitReady(t, "small", 1)
	f.waitReady(t, "large", 1)

	_, errs := serveConcurrently(t, f, 12, 300_000)
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if st := f.router.Pool("small").Stats(); st.FailedBatches != 0 || st.Batches == 0 || st.Batches == st.Items {
		t.Errorf("small pool: %d batches of %d items, %d failed; want batches of two, none failed", st.Batches, st.Items, st.FailedBatches)
	}

	res, err := f.router.Serve(context.Background(), &router.Request{Model: "sum", Req: wideRequest(800_000)})
	if err != nil || res.Pool != "large" {
		t.Errorf("a request of 3.2 MB: pool %v, %v; want the large pool", poolOf(res), err)
	}
	huge := &router.Request{Model: "sum", Req: wideRequest(5_000_000)}
	start := time.Now()
	_, err = f.router.Serve(context.Background(), huge)
	if !errors.Is(err, batcher.ErrTooLarge) || time.Since(start) > time.Second {
		t.Errorf("a request of 20 MB: %v after %v, want batcher.ErrTooLarge at once", err, time.Since(start))
	}
}

// poolOf names the pool of a result, or "none".
func poolOf(res *router.Result) string {
	if res == nil {
		return "none"
	}
	return res.Pool
}
