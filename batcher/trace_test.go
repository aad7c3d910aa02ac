package batcher

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sluice-gateway/sluice/oip"
)

// spanDispatcher is a sumDispatcher that records the span context of
// each call.
type spanDispatcher struct {
	sumDispatcher
	mu    sync.Mutex
	calls []trace.SpanContext
}

func (d *spanDispatcher) Dispatch(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	d.mu.Lock()
	d.calls = append(d.calls, trace.SpanContextFromContext(ctx))
	d.mu.Unlock()
	return d.sumDispatcher.Dispatch(ctx, model, version, req)
}

// newRecorder returns a provider that exports every span, as it ends, to
// the returned exporter.
func newRecorder() (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)), exp
}

// named returns the spans called name.
func named(spans tracetest.SpanStubs, name string) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// TestPoolTracesOneBatch queues three members, each under a span of its
// caller's, 10 ms before a worker arrives, and checks the queue waits,
// the one batch span linked to the three members and the context the
// dispatcher is called with.
func TestPoolTracesOneBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tp, exp := newRecorder()
		p := NewPool(PoolConfig{Name: "p", Form: noWait, TracerProvider: tp})
		defer p.Close()
		var members []trace.SpanContext
		var outs []<-chan outcome
		for i, prio := range []Priority{High, Normal, Low} {
			ctx, caller := tp.Tracer("test").Start(t.Context(), "caller")
			defer caller.End()
			members = append(members, caller.SpanContext())
			outs = append(outs, queueAll(ctx, p, newItem(t, "m", prio, float32(i), 1, 2))...)
		}
		time.Sleep(10 * time.Millisecond)
		d := &spanDispatcher{sumDispatcher: sumDispatcher{delay: 5 * time.Millisecond}}
		p.AddWorker("w", d, 1)
		for _, ch := range outs {
			sums(t, <-ch)
		}
		spans := exp.GetSpans()

		batches := named(spans, SpanBatch)
		if len(batches) != 1 {
			t.Fatalf("%d batch spans, want 1: %+v", len(batches), batches)
		}
		b := batches[0]
		checkBatchSpan(t, b, members)
		if diff := cmp.Diff([]trace.SpanContext{b.SpanContext}, d.calls); diff != "" {
			t.Errorf("dispatcher's span context (-want +got):\n%s", diff)
		}
		waits := named(spans, SpanQueueWait)
		var parents []trace.SpanContext
		var prios []any
		for _, w := range waits {
			parents = append(parents, w.Parent)
			a := attrs(w.Attributes)
			prios = append(prios, a[AttrPriority])
			delete(a, AttrPriority)
			want := map[attribute.Key]any{AttrPool: "p", AttrModel: "m", AttrRows: int64(1), AttrBatchSize: int64(3)}
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("queue wait attributes (-want +got):\n%s", diff)
			}
			if got := w.EndTime.Sub(w.StartTime); got != 10*time.Millisecond {
				t.Errorf("queue wait lasted %v, want 10ms", got)
			}
			if w.Status.Code != codes.Unset {
				t.Errorf("queue wait status = %+v, want unset", w.Status)
			}
		}
		if diff := cmp.Diff(members, parents, sortContexts); diff != "" {
			t.Errorf("queue waits' parents (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{"high", "normal", "low"}, prios); diff != "" {
			t.Errorf("queue waits' priorities, in the order they ended (-want +got):\n%s", diff)
		}
	})
}

// attrs returns kvs as a map.
func attrs(kvs []attribute.KeyValue) map[attribute.Key]any {
	m := make(map[attribute.Key]any, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.AsInterface()
	}
	return m
}

// sortContexts compares span contexts as sets.
var sortContexts = cmpopts.SortSlices(func(a, b trace.SpanContext) bool {
	return a.SpanID().String() < b.SpanID().String()
})

// checkBatchSpan checks that b is a root span of 5 ms, linked to members,
// with the batch's attributes.
func checkBatchSpan(t *testing.T, b tracetest.SpanStub, members []trace.SpanContext) {
	t.Helper()
	if b.Parent.IsValid() {
		t.Errorf("batch span has parent %v, want a root", b.Parent)
	}
	var linked []trace.SpanContext
	for _, l := range b.Links {
		linked = append(linked, l.SpanContext)
	}
	if diff := cmp.Diff(members, linked, sortContexts); diff != "" {
		t.Errorf("batch links (-want +got):\n%s", diff)
	}
	if got := b.EndTime.Sub(b.StartTime); got != 5*time.Millisecond {
		t.Errorf("batch span lasted %v, want 5ms", got)
	}
	want := map[attribute.Key]any{
		AttrPool: "p", AttrModel: "m", AttrWorker: "w", AttrBatchSize: int64(3), AttrBatchRows: int64(3),
	}
	if diff := cmp.Diff(want, attrs(b.Attributes)); diff != "" {
		t.Errorf("batch attributes (-want +got):\n%s", diff)
	}
}

// TestPoolTracesFailures checks the status of the spans of an item that
// never rides a batch, or whose batch fails.
func TestPoolTracesFailures(t *testing.T) {
	failed := errors.New("worker on fire")
	tests := []struct {
		name      string
		limits    map[Priority]ClassLimits
		ahead     int           // items queued first, which stay queued
		deadline  time.Duration // after the start; 0 means none
		dispatch  error         // the worker's answer; nil means no worker
		want      error
		wantWait  codes.Code
		wantBatch []codes.Code
	}{
		{name: "queue full", limits: map[Priority]ClassLimits{Normal: {MaxLen: 1}}, ahead: 1,
			want: ErrQueueFull, wantWait: codes.Error},
		{name: "deadline while queued", deadline: 20 * time.Millisecond,
			want: ErrDeadline, wantWait: codes.Error},
		{name: "batch fails", dispatch: failed,
			want: failed, wantWait: codes.Unset, wantBatch: []codes.Code{codes.Error}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tp, exp := newRecorder()
				p := NewPool(PoolConfig{Name: "p", Form: noWait, Limits: tt.limits, TracerProvider: tp})
				defer p.Close()
				if tt.dispatch != nil {
					p.AddWorker("w", &sumDispatcher{err: tt.dispatch}, 1)
				}
				for range tt.ahead {
					queueAll(t.Context(), p, newItem(t, "ahead", Normal, 1, 1, 2))
				}
				it := newItem(t, "x", Normal, 0, 1, 2)
				if tt.deadline > 0 {
					it.Deadline = time.Now().Add(tt.deadline)
				}
				if _, err := p.Submit(t.Context(), it); !errors.Is(err, tt.want) {
					t.Fatalf("Submit error = %v, want %v", err, tt.want)
				}
				spans := exp.GetSpans()
				waits := named(spans, SpanQueueWait)
				if len(waits) != 1 || waits[0].Status.Code != tt.wantWait {
					t.Errorf("queue waits = %+v, want one of status %v", waits, tt.wantWait)
				}
				var got []codes.Code
				for _, b := range named(spans, SpanBatch) {
					got = append(got, b.Status.Code)
				}
				if diff := cmp.Diff(tt.wantBatch, got); diff != "" {
					t.Errorf("batch span statuses (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestPoolWithoutTracing checks that a pool without a TracerProvider
// leaves its items without spans and its dispatcher's context without one.
func TestPoolWithoutTracing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(PoolConfig{Name: "p", Form: noWait})
		defer p.Close()
		d := &spanDispatcher{}
		p.AddWorker("w", d, 1)
		it := newItem(t, "x", Normal, 0, 1, 2)
		ctx, span := noopParent(t.Context())
		defer span.End()
		if _, err := p.Submit(ctx, it); err != nil {
			t.Fatal(err)
		}
		if it.trace != nil {
			t.Errorf("item has a trace: %+v", it.trace)
		}
		if diff := cmp.Diff([]trace.SpanContext{{}}, d.calls); diff != "" {
			t.Errorf("dispatcher's span context (-want +got):\n%s", diff)
		}
	})
}

// noopParent returns ctx under a recording span of a provider the pool
// does not know, which the pool must neither extend nor pass on.
func noopParent(ctx context.Context) (context.Context, trace.Span) {
	tp, _ := newRecorder()
	return tp.Tracer("test").Start(ctx, "caller")
}
