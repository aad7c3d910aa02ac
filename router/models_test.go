package router_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// rowsOf4 is a request of rows rows of 4 FP32 values.
func rowsOf4(rows int) *oip.InferenceRequest {
	return &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{int64(rows), 4}, make([]float32, 4*rows))}}
}

// TestModelsFromWorkers routes a model that the cheap pool's workers (the
// emulator) do not serve and the dear pool's worker does: once the
// workers have described their models, the model goes to the dear pool
// only, and it stays ready; a model no pool serves is not ready, and
// says why.
func TestModelsFromWorkers(t *testing.T) {
	curve := costmodel.Curve{Base: 2 * ms, PerItem: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{
			{Name: "resnet", Tier: "t", SLO: time.Second, Timeout: 5 * time.Second, Batching: true},
			{Name: "bert", Tier: "t", SLO: time.Second, Timeout: 5 * time.Second, Batching: true},
		},
		Tiers: map[string][]string{"t": {"cheap", "dear"}},
	}, pool{name: "cheap", price: 0.1, curve: curve, maxBatch: 8, workers: 1},
		pool{name: "dear", price: 10, curve: curve, maxBatch: 8})
	fake, ep := startFakeOIP(t, "dear-0", ms, "resnet")
	if err := f.router.SetEndpoints("dear", []router.Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "bert not ready, with its reason", func() bool {
		_, err := f.router.Pick("bert")
		return err != nil
	})
	_, err := f.router.Pick("bert")
	for _, want := range []string{`do not serve model "bert"`, `pool "cheap"`, `pool "dear"`} {
		if !errors.Is(err, router.ErrModelUnavailable) || !errors.Is(err, router.ErrNoCapacity) || !strings.Contains(err.Error(), want) {
			t.Errorf("Pick(bert) = %v, want ErrModelUnavailable and ErrNoCapacity saying %s", err, want)
		}
	}
	if _, err := f.router.Serve(context.Background(), &router.Request{Model: "bert", Req: rowsOf4(1)}); !errors.Is(err, router.ErrModelUnavailable) {
		t.Errorf("Serve(bert) = %v, want ErrModelUnavailable", err)
	}
	if _, err := f.router.Metadata(context.Background(), "bert"); !errors.Is(err, router.ErrModelUnavailable) {
		t.Errorf("Metadata(bert) = %v, want ErrModelUnavailable", err)
	}
	if p, err := f.router.Pick("resnet"); err != nil || p.Name() != "dear" {
		t.Errorf("Pick(resnet) = %v, %v; want pool dear", p, err)
	}
	for i := range 10 {
		res, err := f.router.Serve(context.Background(), &router.Request{Model: "resnet", Req: rowsOf4(1)})
		if err != nil || res.Pool != "dear" {
			t.Fatalf("resnet call %d: %+v, %v; want it served by pool dear", i, res, err)
		}
	}
	if got := fake.calls.Load(); got == 0 {
		t.Error("the worker that serves resnet answered nothing")
	}
	md, err := f.router.Metadata(context.Background(), "resnet")
	if err != nil || md.Name != "resnet" || len(md.Inputs) != 1 {
		t.Errorf("Metadata(resnet) = %+v, %v; want the worker's", md, err)
	}
	cfg, err := f.router.WorkerConfig(context.Background(), "resnet")
	if err != nil || cfg.GetName() != "resnet" || cfg.GetMaxBatchSize() != 8 ||
		len(cfg.GetInput()) != 1 || cfg.GetInput()[0].GetDataType() != inferencepb.DataType_TYPE_FP32 {
		t.Errorf("WorkerConfig(resnet) = %v, %v; want the HTTP worker's own", cfg, err)
	}
}

// TestMetadataHeldUntilAWorkerAttaches asks for a model's metadata while
// its pool has no worker: the call waits for one to attach and answers
// with what it says; once the worker has left, the call answers from what
// it said, at once. Without a worker ever, it ends with its context.
func TestMetadataHeldUntilAWorkerAttaches(t *testing.T) {
	curve := costmodel.Curve{Base: 2 * ms, PerItem: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{{Name: "resnet", Tier: "t", SLO: time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"p"}},
	}, pool{name: "p", curve: curve, maxBatch: 8})
	short, cancel := context.WithTimeout(context.Background(), 50*ms)
	defer cancel()
	if md, err := f.router.Metadata(short, "resnet"); !errors.Is(err, router.ErrNoCapacity) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Metadata without a worker = %+v, %v; want ErrNoCapacity at the deadline", md, err)
	}
	type answer struct {
		md  *oip.ModelMetadata
		err error
	}
	got := make(chan answer, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		md, err := f.router.Metadata(ctx, "resnet")
		got <- answer{md, err}
	}()
	_, ep := startFakeOIP(t, "p-0", ms, "resnet")
	if err := f.router.SetEndpoints("p", []router.Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	if a := <-got; a.err != nil || a.md.Name != "resnet" || a.md.Platform != "fake" {
		t.Errorf("held Metadata = %+v, %v; want the worker's", a.md, a.err)
	}
	if err := f.router.SetEndpoints("p", nil); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if md, err := f.router.Metadata(done, "resnet"); err != nil || md.Name != "resnet" {
		t.Errorf("Metadata after the worker left = %+v, %v; want its last answer, at once", md, err)
	}
}

// TestCalibration gives a pool no curve and one emulated worker whose true
// curve is 30 + 5·b ms: when the worker joins, the pool measures it and
// learns the curve within 10 %, in under 10 s.
func TestCalibration(t *testing.T) {
	truth := costmodel.Curve{Base: 30 * ms, PerItem: 5 * ms}
	logs := &messages{}
	rt, err := router.New(router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []router.PoolConfig{{Name: "p",
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 16, Batching: true}},
			Cost:  costmodel.Pool{MaxBatch: 16}}},
		// The fastest of 8 batches per size: a busy test machine (and the
		// race detector) adds milliseconds to some calls.
		Calibration: router.CalibrationConfig{Budget: 10 * time.Second, Batches: 8, Remeasure: 2 * time.Second},
		Logger:      slog.New(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	w := startWorker(t, "p-0", emulate(truth, 16))
	start := time.Now()
	if err := rt.SetEndpoints("p", []router.Endpoint{w.ep}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "calibration", func() bool { return logs.has("router: calibrated a pool without a configured curve") })
	took := time.Since(start)
	got := rt.Pool("p").StatsAt(time.Now()).Models["sum"]
	t.Logf("learned %v + %v per item in %v", got.Base, got.PerItem, took)
	rel := func(g, w time.Duration) float64 { return float64(g-w) / float64(w) }
	if e := max(abs(rel(got.Base, truth.Base)), abs(rel(got.PerItem, truth.PerItem))); e > 0.1 {
		t.Errorf("calibrated curve %v + %v per item is %.0f %% off the true %v + %v", got.Base, got.PerItem, 100*e, truth.Base, truth.PerItem)
	}
	if took > 10*time.Second {
		t.Errorf("calibration took %v, want under 10 s", took)
	}
	if cfg := rt.Pool("p").StatsAt(time.Now()).Configured; !cfg.IsZero() {
		t.Errorf("configured curve %+v, want none", cfg)
	}
}

// TestCalibrationWithoutInputs gives a pool no curve and an emulated
// worker whose echo declares no inputs in its metadata: echo cannot be
// probed, so it is sent no probe, which is logged as such, and nothing is
// learned of it, while sum is calibrated.
func TestCalibrationWithoutInputs(t *testing.T) {
	logs := &messages{}
	echo := router.Model{Name: "echo", Tier: "t", SLO: time.Second, Timeout: 5 * time.Second}
	rt, err := router.New(router.Config{
		Models: []router.Model{sumModel("t", time.Second), echo},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []router.PoolConfig{{Name: "p",
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 4, Batching: true}},
			Cost:  costmodel.Pool{MaxBatch: 4}}},
		Calibration: router.CalibrationConfig{Budget: 10 * time.Second, Batches: 2, Remeasure: time.Minute},
		Logger:      slog.New(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	w := startWorker(t, "p-0", emulate(costmodel.Curve{Base: ms, PerItem: ms}, 4))
	if err := rt.SetEndpoints("p", []router.Endpoint{w.ep}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "both models tried", func() bool {
		return logs.has("router: calibrated a pool without a configured curve") &&
			logs.has("router: could not calibrate a pool without a configured curve; traffic will teach it")
	})
	if logs.has("router: measuring a model failed") {
		t.Error("echo was sent a probe without inputs")
	}
	models := rt.Pool("p").StatsAt(time.Now()).Models
	if got := models["echo"]; !got.IsZero() {
		t.Errorf("echo's curve %+v, want none: nothing measured it", got)
	}
	if got := models["sum"]; got.IsZero() {
		t.Error("sum's curve is zero, want the one calibrated")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestAvoidedPoolIsMeasuredAgain makes a pool's only worker slower than
// the SLO until the pool refuses the model, then fast again: although no
// request reaches it, the pool measures the model again, forgets what it
// learned, and serves.
func TestAvoidedPoolIsMeasuredAgain(t *testing.T) {
	curve := costmodel.Curve{Base: 5 * ms, PerItem: ms}
	rt, err := router.New(router.Config{
		Models: []router.Model{{Name: "m", Tier: "t", SLO: 200 * ms, Timeout: 5 * time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []router.PoolConfig{{Name: "p",
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 8, Batching: true, Curve: curve}},
			Cost:  costmodel.Pool{Curve: curve, MaxBatch: 8}}},
		Calibration: router.CalibrationConfig{Budget: 10 * time.Second, Batches: 4, Remeasure: 100 * ms},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	fake, ep := startFakeOIP(t, "p-0", 300*ms, "m")
	if err := rt.SetEndpoints("p", []router.Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	serve := func() error {
		_, err := rt.Serve(context.Background(), &router.Request{Model: "m", Req: rowsOf4(1)})
		return err
	}
	waitFor(t, 20*time.Second, "the slow pool refused", func() bool { return errors.Is(serve(), router.ErrNoCapacity) })
	fake.delay.Store(int64(5 * ms))
	waitFor(t, 10*time.Second, "the pool serving again", func() bool { return serve() == nil })
}

// messages is a slog handler that keeps the messages it is given.
type messages struct {
	mu   sync.Mutex
	msgs []string
}

func (h *messages) Enabled(context.Context, slog.Level) bool { return true }
func (h *messages) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *messages) WithGroup(string) slog.Handler            { return h }
func (h *messages) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}

func (h *messages) has(msg string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.msgs, msg)
}
