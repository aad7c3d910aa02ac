package router

import (
	"context"
	"net"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/batcher"
)

// SpanWorkerCall is the name of the span of one batch's call to a worker
// (gRPC ModelInfer), a client span under the batch's span
// (batcher.SpanBatch). The call carries its context to the worker as W3C
// trace context (the traceparent metadata key), so that the worker may
// continue the trace.
const SpanWorkerCall = "sluice.worker_call"

// Attribute keys the router adds, under the "sluice." namespace; it uses
// batcher's keys (batcher.AttrPool, ...) for the facts they name.
const (
	// AttrCostUSD is the estimated cost of what a span covers, in USD,
	// on the pool's curve as learned so far: on a batch and its worker
	// call, the pool's price for the time the curve says the batch takes
	// (costmodel.Pool.BatchCost); on a request, its rows at the pool's
	// cost per inference within the model's SLO
	// (costmodel.Pool.RequestCost).
	AttrCostUSD = attribute.Key("sluice.cost.estimated_usd")
	// AttrCacheHit is true on a request the response cache answered.
	AttrCacheHit = attribute.Key("sluice.cache.hit")
	// AttrFallbackModel names the model that answered a request instead
	// of the one asked for (batcher.AttrModel).
	AttrFallbackModel = attribute.Key("sluice.fallback.model")
	// AttrRetried is true on a request answered by a retry.
	AttrRetried = attribute.Key("sluice.retried")
)

// The worker call's RPC, as the semantic conventions name it.
var modelInferMethod = semconv.RPCMethod("inference.GRPCInferenceService/ModelInfer")

// tracing records the router's spans, timed by its clock. The zero value,
// with no tracer, records nothing and costs nothing: every method returns
// at once without reading the clock or allocating.
type tracing struct {
	tracer trace.Tracer
	clock  batcher.Clock
}

// newTracing returns the tracing of tp timed by clock; nil tp turns
// tracing off.
func newTracing(tp trace.TracerProvider, clock batcher.Clock) tracing {
	if tp == nil {
		return tracing{}
	}
	return tracing{tracer: tp.Tracer(batcher.InstrumentationName), clock: clock}
}

// startCall starts the span of w's call for a batch of rows rows of
// model, under the batch's span in ctx, which it gives the batch's
// estimated cost. The returned context carries the span, and its trace
// context in outgoing gRPC metadata (which an HTTP link copies to its
// headers). The span is nil when tracing is off.
func (t tracing) startCall(ctx context.Context, w *worker, model string, rows int64) (context.Context, trace.Span) {
	if t.tracer == nil {
		return ctx, nil
	}
	cost := AttrCostUSD.Float64(w.pool.CostModel().BatchCost(rows))
	trace.SpanFromContext(ctx).SetAttributes(cost)
	attrs := []attribute.KeyValue{
		batcher.AttrPool.String(w.pool.name), batcher.AttrWorker.String(w.endpoint.ID),
		batcher.AttrModel.String(model), batcher.AttrBatchRows.Int64(rows), cost,
	}
	if w.endpoint.Protocol == ProtocolHTTP {
		attrs = append(attrs, semconv.HTTPRequestMethodPost)
		attrs = append(attrs, serverAddress(w.endpoint.HTTP)...)
	} else {
		attrs = append(attrs, semconv.RPCSystemNameGRPC, modelInferMethod)
		attrs = append(attrs, serverAddress(w.endpoint.GRPC)...)
	}
	ctx, span := t.tracer.Start(ctx, SpanWorkerCall, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(t.clock.Now()), trace.WithAttributes(attrs...))
	return inject(ctx), span
}

// endCall ends span, if any, now, recording err if it is not nil.
func (t tracing) endCall(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End(trace.WithTimestamp(t.clock.Now()))
}

// served annotates the span in ctx, the caller's, with where req's answer
// res came from: the pool and the estimated cost, the cache, the
// fallback model, a retry. It does nothing for a nil res or when tracing
// is off or the span does not record.
func (r *Router) served(ctx context.Context, req *Request, res *Result) {
	if r.tracing.tracer == nil || res == nil {
		return
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if res.CacheHit {
		span.SetAttributes(AttrCacheHit.Bool(true))
	}
	if res.FallbackFrom != "" {
		span.SetAttributes(AttrFallbackModel.String(res.Model))
	}
	if res.Retried {
		span.SetAttributes(AttrRetried.Bool(true))
	}
	t := r.tables()
	p, ok := t.pools[res.Pool]
	if !ok {
		return
	}
	rows, err := req.Req.Rows()
	if err != nil || rows < 1 {
		rows = 1
	}
	cost := p.CostModel().RequestCost(t.models[res.Model].SLO, rows)
	span.SetAttributes(batcher.AttrPool.String(p.name), AttrCostUSD.Float64(cost))
}

// inject returns ctx with its span's W3C trace context added to its
// outgoing gRPC metadata.
func inject(ctx context.Context) context.Context {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	kv := make([]string, 0, 2*len(carrier))
	for k, v := range carrier {
		kv = append(kv, k, v)
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// serverAddress returns the semantic attributes of a worker's host:port,
// none when it does not parse.
func serverAddress(hostport string) []attribute.KeyValue {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(host)}
	}
	return []attribute.KeyValue{semconv.ServerAddress(host), semconv.ServerPort(n)}
}
