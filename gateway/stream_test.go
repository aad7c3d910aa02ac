package gateway_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// TestStreamCancelFreesQueuedRequests queues three requests of one
// ModelStreamInfer stream behind a blocker that holds the only worker,
// then cancels the stream: the three leave the queue at once, counted as
// canceled, and never reach the worker, which runs the blocker alone.
func TestStreamCancelFreesQueuedRequests(t *testing.T) {
	cfg := slowFleet(nil)
	// Long enough that the blocker is still running when the stream ends.
	cfg.curve.Base = time.Second
	f := startFleet(t, cfg)
	blocker := f.block(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := f.grpc.ModelStreamInfer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		req := &inferencepb.ModelInferRequest{ModelName: "echo", Id: strconv.Itoa(i), Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "INT32", Shape: []int64{1}, Contents: &inferencepb.InferTensorContents{IntContents: []int32{int32(i)}}}}}
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
	}
	f.waitFor(t, "the stream's requests queued", func(s batcher.Stats) bool { return s.Queued.Total() == 3 })
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("Recv after the cancel: %v, want Canceled", err)
	}
	f.waitFor(t, "the stream's requests removed", func(s batcher.Stats) bool {
		return s.Queued.Total() == 0 && s.Rejected.Canceled == 3
	})
	<-blocker
	f.waitFor(t, "idle", func(s batcher.Stats) bool { return s.Queued.Total() == 0 && s.InFlightBatches == 0 })
	if got := f.workers[0].Stats(); got.Batches != 1 || got.Items != 1 {
		t.Errorf("worker ran %d batches of %d rows, want 1 of 1 (the blocker): a request of the canceled stream reached it", got.Batches, got.Items)
	}
}
