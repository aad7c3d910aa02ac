package gateway

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
)

// Names of the spans the gateway records when Options.TracerProvider is
// set. The batcher (batcher.SpanQueueWait, batcher.SpanBatch) and the
// router (router.SpanWorkerCall) record the rest of a call's life.
const (
	// SpanRequest covers one inference call, over HTTP or gRPC, from its
	// arrival to its answer: a server span that continues the client's
	// trace when the call carries W3C trace context (traceparent).
	SpanRequest = "sluice.request"
	// SpanAdmission covers the call's gates — authentication, the key's
	// models, priority, shedding, rate limits, fallback — under
	// SpanRequest.
	SpanAdmission = "sluice.admission"
)

// Attribute keys the gateway adds, under the "sluice." namespace, beside
// batcher's and router's (batcher.AttrModel for the model asked for,
// batcher.AttrPriority, router.AttrFallbackModel, ...).
const (
	// AttrTenant is the tenant of an authenticated call.
	AttrTenant = attribute.Key("sluice.tenant")
	// AttrFallbackReason is why a fallback model
	// (router.AttrFallbackModel) answered: FallbackShed or
	// FallbackNoCapacity.
	AttrFallbackReason = attribute.Key("sluice.fallback.reason")
	// AttrFailure is why a call failed, as TenantCount.Failed names it
	// (ReasonShed, ReasonBackend, ...); absent on success.
	AttrFailure = attribute.Key("sluice.failure")
	// AttrStatusCode is the HTTP status a failed call is answered with;
	// the gRPC front end answers the matching code.
	AttrStatusCode = attribute.Key("http.response.status_code")
)

// tracing records the gateway's spans, timed by the gateway's clock. The
// zero value, with no tracer, records nothing and costs nothing on the
// request path: every method returns at once without reading headers or
// the clock, or allocating.
type tracing struct {
	tracer trace.Tracer
	now    func() time.Time
}

// newTracing returns the tracing of tp timed by now; nil tp turns tracing
// off.
func newTracing(tp trace.TracerProvider, now func() time.Time) tracing {
	if tp == nil {
		return tracing{}
	}
	return tracing{tracer: tp.Tracer(batcher.InstrumentationName), now: now}
}

// requestSpan is one call's SpanRequest; the zero value is no span, and
// its methods then do nothing.
type requestSpan struct {
	span trace.Span
	t    tracing
}

// request starts the span of a call to model whose headers or metadata
// are h, continuing the trace context they carry, and returns ctx
// carrying it.
func (t tracing) request(ctx context.Context, model string, h headers) (context.Context, requestSpan) {
	if t.tracer == nil {
		return ctx, requestSpan{}
	}
	ctx = propagation.TraceContext{}.Extract(ctx, headerCarrier(h))
	ctx, span := t.tracer.Start(ctx, SpanRequest, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithTimestamp(t.now()), trace.WithAttributes(batcher.AttrModel.String(model)))
	return ctx, requestSpan{span: span, t: t}
}

// end ends the span now, saying whether a fallback model answered (fb)
// or why the call failed (err; see failed).
func (s requestSpan) end(fb fallback, err error) {
	if s.span == nil {
		return
	}
	if fb.from != "" {
		s.span.SetAttributes(AttrFallbackReason.String(fb.reason))
	}
	failed(s.span, err)
	s.span.End(trace.WithTimestamp(s.t.now()))
}

// failed tells span why its call failed, if err is not nil: the reason
// and the status; the span is an error when the gateway or a worker is
// to blame (a 5xx status), not when the client is.
func failed(span trace.Span, err error) {
	if err == nil {
		return
	}
	f := classify(err)
	span.SetAttributes(AttrFailure.String(f.reason), AttrStatusCode.Int(f.http))
	if f.http >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, err.Error())
	}
}

// admitTraced runs g.admit under a SpanAdmission child of s, and tells s
// what the admission granted.
func (g *Gateway) admitTraced(ctx context.Context, s requestSpan, model string, h headers) (ticket, error) {
	if s.span == nil {
		return g.admit(ctx, model, h)
	}
	_, span := s.t.tracer.Start(ctx, SpanAdmission, trace.WithTimestamp(s.t.now()))
	t, err := g.admit(ctx, model, h)
	failed(span, err)
	span.End(trace.WithTimestamp(s.t.now()))
	s.admitted(t, err == nil)
	return t, err
}

// admitted records what the admission learned: the tenant, if any, and
// for an admitted call its priority class and the fallback model it
// chose, if any.
func (s requestSpan) admitted(t ticket, ok bool) {
	attrs := make([]attribute.KeyValue, 0, 3)
	if t.tenant != "" {
		attrs = append(attrs, AttrTenant.String(t.tenant))
	}
	if ok {
		attrs = append(attrs, batcher.AttrPriority.String(t.priority.String()))
	}
	if ok && t.fallback.from != "" {
		attrs = append(attrs, router.AttrFallbackModel.String(t.model))
	}
	s.span.SetAttributes(attrs...)
}

// headerCarrier reads W3C trace context from a call's headers or
// metadata. It is read-only: Set does nothing.
type headerCarrier headers

var _ propagation.TextMapCarrier = headerCarrier(nil)

// Get returns the first value of key, or "".
func (c headerCarrier) Get(key string) string { return headers(c).first(key) }

// Set does nothing.
func (c headerCarrier) Set(string, string) {}

// Keys returns nil: the trace context propagator reads only the keys it
// knows.
func (c headerCarrier) Keys() []string { return nil }
