package app

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// garbageConfig serves sum from a pool whose only worker answers garbage,
// and echo from a healthy pool.
const garbageConfig = `
models:
  - {name: sum, tier: bad, slo: 2s}
  - {name: echo, tier: good, slo: 2s, batching: false}
tiers:
  - {name: bad, pools: [bad]}
  - {name: good, pools: [good]}
pools:
  - {name: bad, curve: {base: 2ms, per_item: 1ms}, max_batch: 8, replicas: {min: 1, initial: 1, max: 1}}
  - {name: good, curve: {base: 1ms, per_item: 1ms}, max_batch: 8, replicas: {min: 1, initial: 1, max: 1}}
health: {interval: 1h, eject_after: 1000}
`

// TestFaultGarbageWorker is fault (c): a worker that answers every
// inference with garbage — a shape its data does not fill, data cut
// short, a message that is not a response — alone and in batches, over
// both front ends. Every such request gets 502 with a JSON error (gRPC
// UNAVAILABLE), and the gateway goes on serving the healthy pool.
func TestFaultGarbageWorker(t *testing.T) {
	f := startFaultFleet(t, garbageConfig, map[string]worker.Options{"bad-1": {Garbage: true}})

	// Alone: one request at a time, each kind of garbage in turn, twice.
	for i := range 6 {
		checkBadGateway(t, f.post(context.Background(), "sum", apptest.SumRequest(fmt.Sprint("alone-", i), 1+i%3)), "bad-1")
	}
	// In batches: concurrent requests merged into one call to the worker.
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			checkBadGateway(t, f.post(context.Background(), "sum", apptest.SumRequest(fmt.Sprint("batched-", i), 1+i%2)), "bad-1")
		})
	}
	wg.Wait()
	for i := range 3 {
		checkGRPCUnavailable(t, f, fmt.Sprint("grpc-", i))
	}

	st, err := f.worker(t, "bad-1").ModelStats("sum")
	if err != nil {
		t.Fatal(err)
	}
	if st.Batches == 0 {
		t.Fatal("the garbage worker served no batch: the test did not exercise it")
	}
	t.Logf("garbage worker answered %d batches of %d rows", st.Batches, st.Items)
	if got := f.post(context.Background(), "echo", apptest.SumRequest("after", 2)); got.status != http.StatusOK {
		t.Errorf("healthy pool after the garbage: status %d: %s", got.status, got.body)
	}
}

// checkBadGateway checks that a is a 502 with a JSON error naming the
// worker; safe on any goroutine.
func checkBadGateway(t *testing.T, a answer, worker string) {
	t.Helper()
	if a.status != http.StatusBadGateway {
		t.Errorf("status %d, want 502: %s", a.status, a.body)
		return
	}
	msg, err := jsonError(a.body)
	if err != nil {
		t.Errorf("502 without a JSON error: %v", err)
		return
	}
	if !strings.Contains(msg, strconv.Quote(worker)) {
		t.Errorf("error %q does not name worker %q", msg, worker)
	}
}

// checkGRPCUnavailable sends one sum call over gRPC and checks that it
// fails with UNAVAILABLE, as a 502 does over HTTP.
func checkGRPCUnavailable(t *testing.T, f *faultFleet, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := oip.RequestToProto("sum", "", &oip.InferenceRequest{ID: id, Inputs: []oip.Tensor{
		oip.NewFP32("x", []int64{1, 4}, []float32{1, 2, 3, 4}),
	}})
	resp, err := f.grpc.ModelInfer(ctx, req)
	if status.Code(err) != codes.Unavailable {
		t.Errorf("gRPC %s: answer %v, error %v; want UNAVAILABLE", id, describeProto(resp), err)
		return
	}
	if msg := status.Convert(err).Message(); !strings.Contains(msg, `"bad-1"`) {
		t.Errorf("gRPC %s: message %q does not name the worker", id, msg)
	}
}

// describeProto shortens a response for a failure message.
func describeProto(m *inferencepb.ModelInferResponse) string {
	if m == nil {
		return "none"
	}
	return fmt.Sprintf("%d outputs", len(m.GetOutputs()))
}

// TestFaultGarbageWorkerEjected puts a garbage worker beside a healthy
// one: each request is answered, 200 or 502, never otherwise; the
// garbage worker is ejected after health.eject_after bad answers, and
// from then on every request succeeds on the healthy worker.
func TestFaultGarbageWorkerEjected(t *testing.T) {
	const cfg = `
models: [{name: sum, tier: t, slo: 2s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 2ms, per_item: 1ms}, max_batch: 4, replicas: {min: 2, initial: 2, max: 2}}
health: {interval: 1h, eject_after: 3, eject_for: 1m}
retry: {budget_ratio: 0.5}
`
	f := startFaultFleet(t, cfg, map[string]worker.Options{"cpu-2": {Garbage: true}})
	statuses := map[int]int{}
	var mu sync.Mutex
	for burst := 0; f.router.Pool("cpu").Ready() == 2; burst++ {
		if burst == 50 {
			t.Fatalf("the garbage worker is not ejected after %d bursts; statuses %v", burst, statuses)
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				a := f.post(context.Background(), "sum", apptest.SumRequest(fmt.Sprint(burst, "-", i), 1))
				mu.Lock()
				statuses[a.status]++
				mu.Unlock()
				if a.status != http.StatusOK {
					checkBadGateway(t, a, "cpu-2")
				}
			})
		}
		wg.Wait()
	}
	garbage, _ := f.worker(t, "cpu-2").ModelStats("sum")
	t.Logf("before the ejection: statuses %v; the garbage worker answered %d batches", statuses, garbage.Batches)
	for i := range 20 {
		if a := f.post(context.Background(), "sum", apptest.SumRequest(fmt.Sprint("after-", i), 1)); a.status != http.StatusOK {
			t.Errorf("request %d after the ejection: status %d: %s", i, a.status, a.body)
		}
	}
	if after, _ := f.worker(t, "cpu-2").ModelStats("sum"); after.Batches != garbage.Batches {
		t.Errorf("the ejected worker answered %d more batches", after.Batches-garbage.Batches)
	}
}
