package system

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/bench/batchbench"
	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app"
	"github.com/sluice-gateway/sluice/oip"
)

// BatchOptions configure Batch.
type BatchOptions struct {
	// Curve is the latency of a batch on the one emulated worker, and
	// MaxBatch the largest batch it takes, in items.
	Curve    costmodel.Curve
	MaxBatch int
	// SLO is the model's latency target, which bounds the batcher's waits.
	SLO time.Duration
	// Levels are the offered loads, as fractions of the worker's limit.
	Levels []float64
	// Duration is how long each level offers load.
	Duration time.Duration
	// Seed seeds the Poisson arrivals; level i uses Seed+i.
	Seed uint64
	// Timeout bounds each request, from its scheduled send time.
	Timeout time.Duration
	// JSON writes one JSON object per level instead of a table.
	JSON bool
}

// Batch measures the batcher against the limit of one emulated worker:
// it starts the worker's pool behind Sluice, as serve runs it, offers each
// load level through the gateway's HTTP API and reports each level to
// stdout as it ends. It fails when the system cannot start.
func Batch(ctx context.Context, o BatchOptions, stdout io.Writer, log *slog.Logger) (err error) {
	cfg, err := benchPool{curve: o.Curve, maxBatch: o.MaxBatch, slo: o.SLO}.config()
	if err != nil {
		return err
	}
	sys, err := startBenchPool(ctx, cfg, app.Options{Logger: log, Workers: worker.InProcess{}.Start})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sys.Close()) }()
	body, err := sumRequest(1, 4)
	if err != nil {
		return err
	}
	report := batchReporter(stdout, o.JSON)
	if !o.JSON {
		fmt.Fprintf(stdout, "one worker, %v + %v per item, max batch %d, SLO %v: limit %.1f/s; %v per level\n\n",
			o.Curve.Base, o.Curve.PerItem, o.MaxBatch, o.SLO, batchbench.Limit(o.Curve, o.MaxBatch), o.Duration)
		if err := batchbench.WriteTableHeader(stdout); err != nil {
			return err
		}
	}
	_, err = batchbench.Run(ctx, batchbench.Config{
		Target: &load.HTTPTarget{
			Client: load.NewHTTPClient(0),
			URL:    sys.url + "/v2/models/" + benchModel + "/infer",
			Body:   body,
		},
		Counts: func() batchbench.Counts {
			batches, items := sys.dispatched(ctx, benchPoolName)
			return batchbench.Counts{Batches: int64(batches), Items: int64(items)}
		},
		Curve: o.Curve, MaxBatch: o.MaxBatch, Levels: o.Levels, Duration: o.Duration, Seed: o.Seed, Timeout: o.Timeout,
		OnLevel: report,
	})
	return err
}

// batchReporter returns the function that writes each level, as a table
// row or a JSON line.
func batchReporter(w io.Writer, asJSON bool) func(batchbench.Level) {
	write := batchbench.WriteTableRow
	if asJSON {
		write = batchbench.WriteJSON
	}
	return func(lv batchbench.Level) {
		// A report that cannot be written has nowhere to say so either.
		_ = write(w, lv)
	}
}

// sumRequest returns the JSON body of a request to the model sum: one
// FP32 input x of shape [rows, n].
func sumRequest(rows, n int) ([]byte, error) {
	vals := make([]float32, rows*n)
	for i := range vals {
		vals[i] = float32(i + 1)
	}
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{int64(rows), int64(n)}, vals)}}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("bench: encoding the sum request: %w", err)
	}
	return body, nil
}
