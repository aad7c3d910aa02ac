package gateway_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// traceKey is the API key of the traced fleet's one tenant, "acme".
const traceKey = "trace-key"

// gatedWorker is a fake worker that echoes its inputs and records the
// traceparent metadata of each call ("" when absent). A request whose id
// is "blocker" says so on started and waits for release.
type gatedWorker struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	started, release chan struct{}

	mu           sync.Mutex
	traceparents []string
}

func newGatedWorker() *gatedWorker {
	return &gatedWorker{started: make(chan struct{}, 1), release: make(chan struct{})}
}

func (w *gatedWorker) ModelInfer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	w.mu.Lock()
	w.traceparents = append(w.traceparents, firstValue(md.Get("traceparent")))
	w.mu.Unlock()
	if req.GetId() == "blocker" {
		w.started <- struct{}{}
		<-w.release
	}
	resp := &inferencepb.ModelInferResponse{ModelName: req.GetModelName(), Id: req.GetId(), RawOutputContents: req.GetRawInputContents()}
	for _, in := range req.GetInputs() {
		resp.Outputs = append(resp.Outputs, &inferencepb.ModelInferResponse_InferOutputTensor{
			Name: in.GetName(), Datatype: in.GetDatatype(), Shape: in.GetShape(), Contents: in.GetContents(),
		})
	}
	return resp, nil
}

func (w *gatedWorker) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.traceparents...)
}

func firstValue(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// startTracedFleet serves a gateway, its router and one gated worker, all
// recording spans to tp when it is not nil, and admitting through adm
// (nil for a default Admission). The pool costs 3.6 USD/h.
func startTracedFleet(t *testing.T, tp trace.TracerProvider, adm *gateway.Admission) (*fleet, *gatedWorker) {
	t.Helper()
	form := batcher.FormConfig{Batching: true, MaxBatch: 32, MaxDelay: -1}
	rt, err := router.New(router.Config{
		Models: []router.Model{{Name: "echo", Tier: "tier", Timeout: 10 * time.Second, SLO: time.Second, Batching: true}},
		Tiers:  map[string][]string{"tier": {"pool"}},
		Pools: []router.PoolConfig{{Name: "pool", Queue: batcher.PoolConfig{Form: form},
			Cost: costmodel.Pool{PricePerHour: 3.6, Curve: costmodel.Curve{Base: 10 * time.Millisecond}}}},
		TracerProvider: tp,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	w := newGatedWorker()
	ln := listen(t)
	s := grpc.NewServer()
	inferencepb.RegisterGRPCInferenceServiceServer(s, w)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	if err := rt.SetEndpoints("pool", []router.Endpoint{{ID: "w0", GRPC: ln.Addr().String()}}); err != nil {
		t.Fatal(err)
	}
	keys, err := gateway.NewKeyring([]gateway.Key{{SHA256: sha256.Sum256([]byte(traceKey)), Tenant: "acme", Priority: batcher.High, Models: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New(gateway.Options{Router: rt, Keys: keys, Admission: adm, TracerProvider: tp, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(gw.HTTPHandler())
	t.Cleanup(srv.Close)
	return &fleet{url: srv.URL, grpc: startGRPC(t, gw), router: rt, gw: gw}, w
}

// member is one caller of TestTraceOfABatch.
type member struct {
	grpc     bool
	priority string // the x-sluice-priority header; "" sends none
	parent   string // the caller's traceparent; "" sends none
}

// clientParent is a caller's own span, as W3C trace context.
func clientParent(i int) string {
	return fmt.Sprintf("00-%032x-%016x-01", 0xabc0+i, 0xdef0+i)
}

// send calls echo as m says, with request id id, and reports any failure.
func (f *fleet) send(t *testing.T, m member, id string) {
	headers := []string{"authorization", "Bearer " + traceKey}
	if m.priority != "" {
		headers = append(headers, "x-sluice-priority", m.priority)
	}
	if m.parent != "" {
		headers = append(headers, "traceparent", m.parent)
	}
	if !m.grpc {
		body := fmt.Sprintf(`{"id":%q,"inputs":[{"name":"x","shape":[1],"datatype":"INT32","data":[1]}]}`, id)
		if r := f.post(context.Background(), "echo", []byte(body), headers...); r.status != http.StatusOK {
			t.Errorf("%s: status %d: %s", id, r.status, r.body)
		}
		return
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), headers...)
	req := oip.RequestToProto("echo", "", &oip.InferenceRequest{ID: id, Inputs: []oip.Tensor{oip.NewInt32("x", []int64{1}, []int32{1})}})
	if _, err := f.grpc.ModelInfer(ctx, req); err != nil {
		t.Errorf("%s: %v", id, err)
	}
}

// TestTraceOfABatch holds the only worker with a blocker while six callers,
// over HTTP and gRPC, queue; released, they ride one batch. The trace
// must show one batch span linked to the six request spans; each request
// span with its admission and queue wait below it and its attributes;
// the callers' own trace context continued; and the worker call under the
// batch span, whose context reaches the worker.
func TestTraceOfABatch(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	f, w := startTracedFleet(t, tp, nil)
	members := []member{
		{parent: clientParent(0)}, {priority: "normal"}, {},
		{grpc: true, parent: clientParent(3)}, {grpc: true, priority: "normal"}, {grpc: true},
	}
	blocked := make(chan struct{})
	go func() { defer close(blocked); f.send(t, member{}, "blocker") }()
	<-w.started
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Go(func() { f.send(t, m, fmt.Sprint("member-", i)) })
	}
	f.waitFor(t, "every member queued", func(s batcher.Stats) bool { return s.Queued.Total() == len(members) })
	close(w.release)
	wg.Wait()
	<-blocked

	spans := exp.GetSpans()
	requests := byName(spans, gateway.SpanRequest)
	batch := checkBatches(t, byName(spans, batcher.SpanBatch), requests, len(members))
	checkRequestSpans(t, spans, requests, batch)
	call := byName(spans, router.SpanWorkerCall)
	var calls []string
	for _, c := range call {
		if c.Parent.Equal(batch.SpanContext) {
			calls = append(calls, fmt.Sprintf("00-%s-%s-01", c.SpanContext.TraceID(), c.SpanContext.SpanID()))
		}
	}
	if len(calls) != 1 {
		t.Fatalf("%d worker calls under the batch span, want 1", len(calls))
	}
	if got := w.seen(); len(got) != 2 || got[1] != calls[0] {
		t.Errorf("traceparents at the worker = %q, want the blocker's then %q", got, calls[0])
	}
	checkClientParents(t, requests, []string{clientParent(0), clientParent(3)})
}

// byName returns the spans called name.
func byName(spans tracetest.SpanStubs, name string) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// checkBatches checks that there are two batch spans, the blocker's and
// the members', which link between them to every request span, and that
// one links to n of them. It returns that one.
func checkBatches(t *testing.T, batches, requests tracetest.SpanStubs, n int) tracetest.SpanStub {
	t.Helper()
	if len(batches) != 2 || len(requests) != n+1 {
		t.Fatalf("%d batch spans and %d request spans, want 2 and %d", len(batches), len(requests), n+1)
	}
	var big tracetest.SpanStub
	var linked, all []trace.SpanContext
	for _, b := range batches {
		if len(b.Links) == n {
			big = b
		}
		for _, l := range b.Links {
			linked = append(linked, l.SpanContext)
		}
	}
	for _, r := range requests {
		all = append(all, r.SpanContext)
	}
	if diff := cmp.Diff(all, linked, bySpanID); diff != "" {
		t.Errorf("the batches' links (-want: the request spans, +got):\n%s", diff)
	}
	if len(big.Links) != n {
		t.Fatalf("no batch span links to %d request spans: %+v", n, batches)
	}
	if got := attrsOf(big.Attributes)[batcher.AttrBatchSize]; got != int64(n) {
		t.Errorf("batch size attribute = %v, want %d", got, n)
	}
	return big
}

// bySpanID compares span contexts as sets.
var bySpanID = cmpopts.SortSlices(func(a, b trace.SpanContext) bool {
	return a.SpanID().String() < b.SpanID().String()
})

// checkRequestSpans checks each member's request span: a server span
// with one admission and one queue wait below it, and the call's
// attributes.
func checkRequestSpans(t *testing.T, spans, requests tracetest.SpanStubs, batch tracetest.SpanStub) {
	t.Helper()
	children := map[trace.SpanID][]string{}
	for _, s := range spans {
		children[s.Parent.SpanID()] = append(children[s.Parent.SpanID()], s.Name)
	}
	members := map[trace.SpanID]bool{}
	for _, l := range batch.Links {
		members[l.SpanContext.SpanID()] = true
	}
	for _, r := range requests {
		if !members[r.SpanContext.SpanID()] {
			continue
		}
		if r.SpanKind != trace.SpanKindServer {
			t.Errorf("request span kind = %v, want server", r.SpanKind)
		}
		want := []string{gateway.SpanAdmission, batcher.SpanQueueWait}
		if diff := cmp.Diff(want, children[r.SpanContext.SpanID()], cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("children of a request span (-want +got):\n%s", diff)
		}
		got := attrsOf(r.Attributes)
		if cost, ok := got[router.AttrCostUSD].(float64); !ok || cost <= 0 {
			t.Errorf("request cost = %v, want > 0", got[router.AttrCostUSD])
		}
		delete(got, router.AttrCostUSD)
		priority := got[batcher.AttrPriority]
		if priority != "high" && priority != "normal" {
			t.Errorf("priority = %v, want high or normal", priority)
		}
		delete(got, batcher.AttrPriority)
		wantAttrs := map[attribute.Key]any{batcher.AttrModel: "echo", batcher.AttrPool: "pool", gateway.AttrTenant: "acme"}
		if diff := cmp.Diff(wantAttrs, got); diff != "" {
			t.Errorf("request span attributes (-want +got):\n%s", diff)
		}
	}
}

// checkClientParents checks that the request spans of callers that sent
// W3C trace context continue it: one request span each, child of the
// caller's remote span.
func checkClientParents(t *testing.T, requests tracetest.SpanStubs, parents []string) {
	t.Helper()
	var got []string
	for _, r := range requests {
		if r.Parent.IsRemote() {
			got = append(got, fmt.Sprintf("00-%s-%s-01", r.Parent.TraceID(), r.Parent.SpanID()))
			if r.SpanContext.TraceID() != r.Parent.TraceID() {
				t.Errorf("request span in trace %s, want its caller's %s", r.SpanContext.TraceID(), r.Parent.TraceID())
			}
		}
	}
	if diff := cmp.Diff(parents, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("remote parents of request spans (-want +got):\n%s", diff)
	}
}

// attrsOf returns kvs as a map.
func attrsOf(kvs []attribute.KeyValue) map[attribute.Key]any {
	m := make(map[attribute.Key]any, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.AsInterface()
	}
	return m
}

// TestNoTracesByDefault checks that a gateway and router without a
// TracerProvider pass no trace context to workers, even one a client
// sent.
func TestNoTracesByDefault(t *testing.T) {
	f, w := startTracedFleet(t, nil, nil)
	close(w.release)
	f.send(t, member{parent: clientParent(0)}, "one")
	f.send(t, member{grpc: true, parent: clientParent(1)}, "two")
	if diff := cmp.Diff([]string{"", ""}, w.seen()); diff != "" {
		t.Errorf("traceparents at the worker (-want +got):\n%s", diff)
	}
}

// TestTraceOfAFailedCall checks the spans of calls that fail: the
// request span and its admission say why, and are errors only when the
// client is not to blame.
func TestTraceOfAFailedCall(t *testing.T) {
	tests := []struct {
		name          string
		key, model    string
		shed          bool
		wantAdmission codes.Code
		wantRequest   map[attribute.Key]any
		wantStatus    codes.Code
	}{
		{name: "unknown key", key: "nobody", model: "echo", wantAdmission: codes.Unset,
			wantRequest: map[attribute.Key]any{batcher.AttrModel: "echo", gateway.AttrFailure: "unauthenticated", gateway.AttrStatusCode: int64(401)}},
		{name: "shed", key: traceKey, model: "echo", shed: true, wantAdmission: codes.Error, wantStatus: codes.Error,
			wantRequest: map[attribute.Key]any{batcher.AttrModel: "echo", gateway.AttrTenant: "acme", gateway.AttrFailure: "shed", gateway.AttrStatusCode: int64(503)}},
		{name: "unknown model", key: traceKey, model: "nope", wantAdmission: codes.Unset,
			wantRequest: map[attribute.Key]any{batcher.AttrModel: "nope", gateway.AttrTenant: "acme", batcher.AttrPriority: "normal",
				gateway.AttrFailure: "unknown_model", gateway.AttrStatusCode: int64(404)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			adm := &gateway.Admission{}
			if tt.shed {
				adm.SetShed(batcher.ShedNormal)
			}
			f, _ := startTracedFleet(t, sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)), adm)
			body := []byte(`{"inputs":[{"name":"x","shape":[1],"datatype":"INT32","data":[1]}]}`)
			if r := f.post(context.Background(), tt.model, body, "authorization", "Bearer "+tt.key, "x-sluice-priority", "normal"); r.status == http.StatusOK {
				t.Fatalf("status 200, want a failure: %s", r.body)
			}
			spans := exp.GetSpans()
			requests, admissions := byName(spans, gateway.SpanRequest), byName(spans, gateway.SpanAdmission)
			if len(requests) != 1 || len(admissions) != 1 || !admissions[0].Parent.Equal(requests[0].SpanContext) {
				t.Fatalf("want one request span and its admission, got %+v", spans)
			}
			if diff := cmp.Diff(tt.wantRequest, attrsOf(requests[0].Attributes)); diff != "" {
				t.Errorf("request span attributes (-want +got):\n%s", diff)
			}
			got := [2]codes.Code{requests[0].Status.Code, admissions[0].Status.Code}
			if want := [2]codes.Code{tt.wantStatus, tt.wantAdmission}; got != want {
				t.Errorf("request and admission status = %v, want %v", got, want)
			}
		})
	}
}
