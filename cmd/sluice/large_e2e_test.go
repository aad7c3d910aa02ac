//go:build !race

package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// The race detector makes copying 256 MB of tensors through the gateway
// and the workers slower than the calls' deadline on two cores, so this
// test builds without it; make test runs it in its second pass.

// largeConfig is one pool of two of Sluice's own workers, whose gRPC
// servers take at most 64 MiB a message, with the default
// max_batch_bytes (48 MiB) and batches of up to 16 requests.
const largeConfig = `models: [{name: sum, tier: t, slo: 5s, timeout: 60s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 5ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 2, max: 2}}
shutdown: {drain_delay: 10ms}
`

// largeWidth makes a sum request of FP32 [1, 4000000]: 16 MB of data,
// within the default max_body_bytes, and more than three of which exceed
// a worker's message limit.
const largeWidth = 4_000_000

// TestLargeRequestsConcurrently sends a real `sluice serve` 16 calls of
// 16 MB at once over gRPC: none fails for the others' size (batches stay
// under max_batch_bytes, so no worker refuses one). It logs the largest
// heap the gateway had in use meanwhile.
func TestLargeRequestsConcurrently(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, largeConfig)
	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := inferencepb.NewGRPCInferenceServiceClient(conn)
	const clients = 16
	failures := map[string]int{}
	var mu sync.Mutex
	peak := samplePeakHeap(t, s.admin, 50*time.Millisecond)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			err := largeSum(client)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures[status.Code(err).String()+": "+status.Convert(err).Message()]++
			}
		})
	}
	wg.Wait()
	most := peak()
	t.Logf("%d concurrent gRPC sum FP32 [1, %d]: failures %v; gateway heap in use at most %.0f MB, %.1f× the %d MB sent",
		clients, largeWidth, failures, most/1e6, most/(clients*4*largeWidth), clients*4*largeWidth/1_000_000)
	if len(failures) > 0 {
		t.Errorf("calls failed: %v", failures)
	}
}

// largeSum sends one sum call of FP32 [1, largeWidth].
func largeSum(client inferencepb.GRPCInferenceServiceClient) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := client.ModelInfer(ctx, &inferencepb.ModelInferRequest{
		ModelName: "sum",
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{1, largeWidth},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: make([]float32, largeWidth)},
		}},
	})
	return err
}
