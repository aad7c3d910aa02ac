package batcher

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
)

// sumDispatcher is a fake worker: it answers each row of input "x" with
// the row's sum in output "sum", after delay (fake time under synctest),
// and records what it saw.
type sumDispatcher struct {
	delay time.Duration   // time each call takes
	curve costmodel.Curve // time each call takes by rows, added to delay
	err   error           // returned instead of an answer when set

	mu        sync.Mutex
	batches   [][]float32 // per call, the first element of each row of x
	deadlines []time.Time // per call, the context deadline (zero if none)
	refused   int         // calls refused before they were recorded
}

var _ Dispatcher = (*sumDispatcher)(nil)

func (d *sumDispatcher) Dispatch(ctx context.Context, model, _ string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	x := req.Inputs[0]
	vals, err := x.Float32s()
	if err != nil {
		return nil, err
	}
	rows, cols := x.Shape[0], x.Shape[1]
	firsts, sums := make([]float32, rows), make([]float32, rows)
	for r := range rows {
		firsts[r] = vals[r*cols]
		for c := range cols {
			sums[r] += vals[r*cols+c]
		}
	}
	deadline, _ := ctx.Deadline()
	d.mu.Lock()
	d.batches = append(d.batches, firsts)
	d.deadlines = append(d.deadlines, deadline)
	d.mu.Unlock()
	if delay := d.delay + d.curve.Latency(int(rows)); delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return &oip.InferenceResponse{
		ModelName: model,
		ID:        req.ID,
		Outputs:   []oip.Tensor{oip.NewFP32("sum", []int64{rows, 1}, sums)},
	}, nil
}

// seen returns the recorded batches.
func (d *sumDispatcher) seen() [][]float32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([][]float32(nil), d.batches...)
}

// request returns a request with id id and rows rows of input x, shape
// [rows, cols]; row r holds tag+r in its first column and 1 elsewhere, so
// its sum is tag+r+cols-1.
func request(id string, tag float32, rows, cols int64) *oip.InferenceRequest {
	vals := make([]float32, 0, rows*cols)
	for r := range rows {
		vals = append(vals, tag+float32(r))
		for range cols - 1 {
			vals = append(vals, 1)
		}
	}
	return &oip.InferenceRequest{ID: id, Inputs: []oip.Tensor{oip.NewFP32("x", []int64{rows, cols}, vals)}}
}

// newItem returns the item of a request built by request.
func newItem(t testing.TB, id string, p Priority, tag float32, rows, cols int64) *Item {
	t.Helper()
	it, err := NewItem("m", "1", request(id, tag, rows, cols), p)
	if err != nil {
		t.Fatalf("NewItem(%s): %v", id, err)
	}
	return it
}

// outcome is what one Submit returned.
type outcome struct {
	resp *oip.InferenceResponse
	err  error
}

// submitAsync runs Submit in a goroutine and returns where its outcome
// will arrive.
func submitAsync(ctx context.Context, p *Pool, it *Item) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		resp, err := p.Submit(ctx, it)
		ch <- outcome{resp, err}
	}()
	return ch
}

// withMaxBatch returns cfg with MaxBatch n.
func (cfg FormConfig) withMaxBatch(n int) FormConfig {
	cfg.MaxBatch = n
	return cfg
}
