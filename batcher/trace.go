package batcher

import (
	"context"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// InstrumentationName names the tracer the data plane's packages ask their
// TracerProvider for.
const InstrumentationName = "github.com/sluice-gateway/sluice"

// Names of the spans a Pool records when it has a TracerProvider.
const (
	// SpanQueueWait covers one item's wait in the queue, from Submit to
	// the forming of the batch it rides in (or to its failure, when it
	// never rides one). Its parent is the span in Submit's context.
	SpanQueueWait = "sluice.queue_wait"
	// SpanBatch covers one dispatched batch: merging its members, the
	// Dispatcher's call (whose context carries this span) and splitting
	// the answer. It starts a trace of its own and links to the span in
	// each member's Submit context.
	SpanBatch = "sluice.batch"
)

// Attribute keys of the data plane's spans, under the "sluice." namespace.
// The router and the gateway use the same keys for the same facts.
const (
	// AttrModel is the model a request or batch is for.
	AttrModel = attribute.Key("sluice.model")
	// AttrPool is the pool that queues or serves it.
	AttrPool = attribute.Key("sluice.pool")
	// AttrPriority is its priority class, as Priority.String names it.
	AttrPriority = attribute.Key("sluice.priority")
	// AttrRows is a request's rows (its weight against MaxBatch).
	AttrRows = attribute.Key("sluice.rows")
	// AttrBatchSize is the number of requests in a batch.
	AttrBatchSize = attribute.Key("sluice.batch.size")
	// AttrBatchRows is the number of rows in a batch, all members together.
	AttrBatchRows = attribute.Key("sluice.batch.rows")
	// AttrWorker is the worker a batch is sent to.
	AttrWorker = attribute.Key("sluice.worker")
)

// tracing records a pool's spans, timed by the pool's clock. The zero
// value, with no tracer, records nothing and costs nothing on the request
// path: every method returns at once without reading the clock or
// allocating.
type tracing struct {
	tracer trace.Tracer
	clock  Clock
}

// newTracing returns the tracing of tp timed by clock; nil tp turns
// tracing off.
func newTracing(tp trace.TracerProvider, clock Clock) tracing {
	if tp == nil {
		return tracing{}
	}
	return tracing{tracer: tp.Tracer(InstrumentationName), clock: clock}
}

// itemTrace is a queued item's part in a trace.
type itemTrace struct {
	// member is the span of the call that submitted the item, which its
	// batch's span links to.
	member trace.SpanContext
	// wait is the item's SpanQueueWait, ended once by whoever comes
	// first: the forming of its batch, or Submit's return.
	wait  trace.Span
	ended atomic.Bool
}

// end ends the queue wait at now, recording err if it is not nil. Only
// the first call has an effect.
func (tr *itemTrace) end(now time.Time, err error, attrs ...attribute.KeyValue) {
	if tr.ended.Swap(true) {
		return
	}
	tr.wait.SetAttributes(attrs...)
	if err != nil {
		tr.wait.SetStatus(codes.Error, err.Error())
	}
	tr.wait.End(trace.WithTimestamp(now))
}

// enqueue starts the queue wait of it now, under the span in ctx. pre:
// it is not queued.
func (t tracing) enqueue(ctx context.Context, it *Item, pool string) {
	if t.tracer == nil {
		return
	}
	_, span := t.tracer.Start(ctx, SpanQueueWait, trace.WithTimestamp(t.clock.Now()), trace.WithAttributes(
		AttrPool.String(pool), AttrModel.String(it.Model),
		AttrPriority.String(it.Priority.String()), AttrRows.Int64(it.weight())))
	it.trace = &itemTrace{member: trace.SpanContextFromContext(ctx), wait: span}
}

// left ends the queue wait of it now, if the forming of a batch did not:
// Submit returns err.
func (t tracing) left(it *Item, err error) {
	if it.trace != nil {
		it.trace.end(t.clock.Now(), err)
	}
}

// formed ends the queue wait of each member of batch, formed at now.
func (t tracing) formed(batch []*Item, now time.Time) {
	if t.tracer == nil {
		return
	}
	size := AttrBatchSize.Int(len(batch))
	for _, it := range batch {
		if it.trace != nil {
			it.trace.end(now, nil, size)
		}
	}
}

// startBatch starts the span of batch, sent to worker now, in a new
// trace linked to each member's span, and returns ctx carrying it; nil
// span when tracing is off. pre: batch is not empty.
func (t tracing) startBatch(ctx context.Context, pool, worker string, batch []*Item) (context.Context, trace.Span) {
	if t.tracer == nil {
		return ctx, nil
	}
	links := make([]trace.Link, 0, len(batch))
	var rows int64
	for _, it := range batch {
		rows += it.weight()
		if it.trace != nil && it.trace.member.IsValid() {
			links = append(links, trace.Link{SpanContext: it.trace.member})
		}
	}
	return t.tracer.Start(ctx, SpanBatch, trace.WithNewRoot(), trace.WithTimestamp(t.clock.Now()), trace.WithLinks(links...),
		trace.WithAttributes(AttrPool.String(pool), AttrModel.String(batch[0].Model), AttrWorker.String(worker),
			AttrBatchSize.Int(len(batch)), AttrBatchRows.Int64(rows)))
}

// endBatch ends span, if any, now, recording err if it is not nil.
func (t tracing) endBatch(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End(trace.WithTimestamp(t.clock.Now()))
}
