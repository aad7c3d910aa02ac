package batcher

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// BenchmarkForm forms batches of up to 8 rows from a queue of 1024 items
// spread over four classes and four keys, pushing each batch back.
func BenchmarkForm(b *testing.B) {
	q := NewQueue(nil)
	now := t0
	for i := range 1024 {
		it := mk("i", Critical-Priority(i%4), fmt.Sprint("k", i/4%4), 1)
		it.Deadline = now.Add(time.Hour)
		if err := q.Push(it, now); err != nil {
			b.Fatal(err)
		}
	}
	cfg := FormConfig{Batching: true, MaxBatch: 8}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		batch, _ := q.Form(now, cfg)
		for _, it := range batch {
			if err := q.Push(it, now); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// echo answers every request with its own inputs.
type echo struct{}

func (echo) Dispatch(_ context.Context, model, _ string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	return &oip.InferenceResponse{ModelName: model, ID: req.ID, Outputs: req.Inputs}, nil
}

// BenchmarkSubmit measures a Submit round trip through one worker with a
// dispatcher that does no work, sequentially and from parallel callers.
func BenchmarkSubmit(b *testing.B) {
	req := request("r", 0, 1, 4)
	for _, bc := range []struct {
		name     string
		parallel bool
	}{{"sequential", false}, {"parallel", true}} {
		b.Run(bc.name, func(b *testing.B) {
			p := NewPool(PoolConfig{Name: "bench", Form: FormConfig{Batching: true, MaxBatch: 8, MaxDelay: -1}})
			defer p.Close()
			p.AddWorker("w", echo{}, 2)
			submit := func() {
				it, err := NewItem("m", "1", req, Normal)
				if err == nil {
					_, err = p.Submit(context.Background(), it)
				}
				if err != nil {
					b.Error(err)
				}
			}
			b.ReportAllocs()
			if !bc.parallel {
				for b.Loop() {
					submit()
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					submit()
				}
			})
			b.ReportMetric(p.Stats().MeanBatch(), "items/batch")
		})
	}
}
