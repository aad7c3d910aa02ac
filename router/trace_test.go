package router_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	grpccodes "google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// traceWorker is a fake worker that echoes its inputs, or fails with
// fail, and records the traceparent metadata of each call ("" when
// absent).
type traceWorker struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	fail error

	mu           sync.Mutex
	traceparents []string
}

func (w *traceWorker) ModelInfer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	tp := ""
	if v := md.Get("traceparent"); len(v) > 0 {
		tp = v[0]
	}
	w.mu.Lock()
	w.traceparents = append(w.traceparents, tp)
	w.mu.Unlock()
	if w.fail != nil {
		return nil, w.fail
	}
	resp := &inferencepb.ModelInferResponse{ModelName: req.GetModelName(), Id: req.GetId(), RawOutputContents: req.GetRawInputContents()}
	for _, in := range req.GetInputs() {
		resp.Outputs = append(resp.Outputs, &inferencepb.ModelInferResponse_InferOutputTensor{
			Name: in.GetName(), Datatype: in.GetDatatype(), Shape: in.GetShape(), Contents: in.GetContents(),
		})
	}
	return resp, nil
}

func (w *traceWorker) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.traceparents...)
}

// startTraceWorker serves w over gRPC on loopback until the test ends.
func startTraceWorker(t *testing.T, w *traceWorker) router.Endpoint {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	s := grpc.NewServer()
	inferencepb.RegisterGRPCInferenceServiceServer(s, w)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	return router.Endpoint{ID: "w1", GRPC: ln.Addr().String()}
}

// tracedPool is the pool of TestWorkerCallTraced: 3.6 USD/h, so that a
// second of worker time costs 0.001 USD.
var tracedPool = costmodel.Pool{PricePerHour: 3.6, Curve: costmodel.Curve{Base: 100 * ms, PerItem: 10 * ms}, MaxBatch: 8}

// TestWorkerCallTraced serves one two-row request under a caller's span
// and checks the worker call's span, the trace context the worker
// receives, and what the router tells the caller's span.
func TestWorkerCallTraced(t *testing.T) {
	tests := []struct {
		name       string
		traced     bool
		fail       error
		wantStatus codes.Code
	}{
		{name: "traced", traced: true, wantStatus: codes.Unset},
		{name: "worker fails", traced: true, fail: status.Error(grpccodes.Internal, "on fire"), wantStatus: codes.Error},
		{name: "tracing off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			cfg := tracedConfig()
			if tt.traced {
				cfg.TracerProvider = tp
			}
			w := &traceWorker{fail: tt.fail}
			rt := startTracedRouter(t, cfg, w)
			ctx, caller := tp.Tracer("test").Start(t.Context(), "caller")
			_, err := rt.Serve(ctx, &router.Request{Model: "m", Req: twoRows()})
			caller.End()
			if (err != nil) != (tt.fail != nil) {
				t.Fatalf("Serve error = %v, want failure %v", err, tt.fail != nil)
			}
			spans := exp.GetSpans()
			if !tt.traced {
				checkUntraced(t, spans, w.seen())
				return
			}
			call := checkCallSpan(t, spans, tt.wantStatus)
			want := fmt.Sprintf("00-%s-%s-01", call.SpanContext.TraceID(), call.SpanContext.SpanID())
			if diff := cmp.Diff([]string{want}, w.seen()); diff != "" {
				t.Errorf("traceparent at the worker (-want +got):\n%s", diff)
			}
			if tt.fail == nil {
				checkCallerSpan(t, spans, rt.Pool("p").CostModel())
			}
		})
	}
}

func tracedConfig() router.Config {
	return router.Config{
		Models: []router.Model{{Name: "m", Tier: "t", Timeout: 5 * time.Second, SLO: time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []router.PoolConfig{{
			Name:  "p",
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{Batching: true, MaxBatch: 8, MaxDelay: -1}},
			Cost:  tracedPool,
		}},
	}
}

func startTracedRouter(t *testing.T, cfg router.Config, w *traceWorker) *router.Router {
	t.Helper()
	rt, err := router.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	if err := rt.SetEndpoints("p", []router.Endpoint{startTraceWorker(t, w)}); err != nil {
		t.Fatal(err)
	}
	return rt
}

func twoRows() *oip.InferenceRequest {
	return &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{2, 1}, []float32{1, 2})}}
}

// checkUntraced checks that nothing of the router's was recorded and no
// trace context reached the worker.
func checkUntraced(t *testing.T, spans tracetest.SpanStubs, traceparents []string) {
	t.Helper()
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{"caller"}, names); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	for _, s := range spans {
		if len(s.Attributes) > 0 {
			t.Errorf("the caller's span got attributes %v", s.Attributes)
		}
	}
	if diff := cmp.Diff([]string{""}, traceparents); diff != "" {
		t.Errorf("traceparent at the worker (-want +got):\n%s", diff)
	}
}

// checkCallSpan checks the worker call's span, a client span under the
// batch's, and returns it. Both carry the batch's cost under tracedPool's
// prior curve: 0.001 USD/s × 120 ms.
func checkCallSpan(t *testing.T, spans tracetest.SpanStubs, wantStatus codes.Code) tracetest.SpanStub {
	t.Helper()
	batch, call := only(t, spans, batcher.SpanBatch), only(t, spans, router.SpanWorkerCall)
	if !call.Parent.Equal(batch.SpanContext) || call.SpanKind != trace.SpanKindClient {
		t.Errorf("worker call: parent %v kind %v, want the batch %v and client", call.Parent, call.SpanKind, batch.SpanContext)
	}
	if call.Status.Code != wantStatus {
		t.Errorf("worker call status = %+v, want %v", call.Status, wantStatus)
	}
	const cost = 0.00012
	want := map[attribute.Key]any{
		batcher.AttrPool: "p", batcher.AttrWorker: "w1", batcher.AttrModel: "m", batcher.AttrBatchRows: int64(2),
		router.AttrCostUSD: cost, "rpc.system.name": "grpc", "rpc.method": "inference.GRPCInferenceService/ModelInfer",
		"server.address": "127.0.0.1",
	}
	got := attrs(call.Attributes)
	delete(got, "server.port")
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("worker call attributes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(cost, attrs(batch.Attributes)[router.AttrCostUSD], approx); diff != "" {
		t.Errorf("batch cost (-want +got):\n%s", diff)
	}
	return call
}

// checkCallerSpan checks what the router told the caller's span: the
// pool, and the cost of two inferences at the batch size cm runs within
// the model's SLO.
func checkCallerSpan(t *testing.T, spans tracetest.SpanStubs, cm costmodel.Pool) {
	t.Helper()
	b := cm.BatchAt(time.Second)
	perInference := cm.PricePerHour * cm.Curve.Latency(b).Hours() / float64(b)
	want := map[attribute.Key]any{batcher.AttrPool: "p", router.AttrCostUSD: 2 * perInference}
	if diff := cmp.Diff(want, attrs(only(t, spans, "caller").Attributes), approx); diff != "" {
		t.Errorf("caller's span attributes (-want +got):\n%s", diff)
	}
}

// approx compares floats to a relative 1e-9.
var approx = cmpopts.EquateApprox(1e-9, 0)

// only returns the one span called name.
func only(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d spans called %q, want 1", len(out), name)
	}
	return out[0]
}

// attrs returns kvs as a map.
func attrs(kvs []attribute.KeyValue) map[attribute.Key]any {
	m := make(map[attribute.Key]any, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.AsInterface()
	}
	return m
}
