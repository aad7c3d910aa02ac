package gateway_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// seqBody is a sum request of sequence id with its flags.
func seqBody(id int, start, end bool) []byte {
	return []byte(`{"parameters":{"sequence_id":` + strconv.Itoa(id) + `,"sequence_start":` + strconv.FormatBool(start) +
		`,"sequence_end":` + strconv.FormatBool(end) + `},"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}]}`)
}

// TestSequencesStickToOneWorker runs six sequences of five requests over
// three workers: each sequence's requests all reach one worker, so each
// worker counts whole sequences; a request of a closed or unknown
// sequence is refused; a sequence whose worker left fails clearly.
func TestSequencesStickToOneWorker(t *testing.T) {
	cfg := defaultFleet()
	cfg.workers = 3
	f := startFleet(t, cfg)
	ctx := context.Background()
	const seqs, steps = 6, 5
	for s := 1; s <= seqs; s++ {
		for i := range steps {
			if r := f.post(ctx, "sum", seqBody(s, i == 0, i == steps-1)); r.status != http.StatusOK {
				t.Fatalf("sequence %d step %d: %d %s", s, i, r.status, r.body)
			}
		}
	}
	total := int64(0)
	for i, w := range f.workers {
		n := w.Stats().Items
		if n%steps != 0 {
			t.Errorf("worker %d served %d requests, not whole sequences of %d", i, n, steps)
		}
		total += n
	}
	if total != seqs*steps {
		t.Errorf("workers served %d requests, want %d", total, seqs*steps)
	}
	if r := f.post(ctx, "sum", seqBody(1, false, false)); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "is not open") {
		t.Errorf("a request of an ended sequence: %d %s, want 400", r.status, r.body)
	}
	if r := f.post(ctx, "sum", seqBody(77, true, false)); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if err := f.router.SetEndpoints("pool", nil); err != nil {
		t.Fatal(err)
	}
	if r := f.post(ctx, "sum", seqBody(77, false, true)); r.status != http.StatusConflict || !strings.Contains(string(r.body), "start the sequence again") {
		t.Errorf("a sequence whose worker left: %d %s, want 409", r.status, r.body)
	}
}

// TestStreamErrorKeepsStreamOpen sends a request that fails and one that
// succeeds on one stream: the first is answered with its error and id,
// the second with its sums.
func TestStreamErrorKeepsStreamOpen(t *testing.T) {
	f := startFleet(t, defaultFleet())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := f.grpc.ModelStreamInfer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	req := func(model, id string) *inferencepb.ModelInferRequest {
		return &inferencepb.ModelInferRequest{ModelName: model, Id: id, Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{1, 2}, Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2}}}}}
	}
	if err := stream.Send(req("nope", "bad")); err != nil {
		t.Fatal(err)
	}
	out, err := stream.Recv()
	if err != nil || !strings.Contains(out.GetErrorMessage(), "unknown model") || out.GetInferResponse().GetId() != "bad" {
		t.Fatalf("answer %v, %v: want an error message for id bad", out, err)
	}
	if err := stream.Send(req("sum", "good")); err != nil {
		t.Fatal(err)
	}
	out, err = stream.Recv()
	if err != nil || out.GetErrorMessage() != "" || out.GetInferResponse().GetId() != "good" {
		t.Fatalf("answer %v, %v: want the sums for id good", out, err)
	}
	_ = stream.CloseSend()
}
