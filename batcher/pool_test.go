package batcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
)

// noWait forms batches without ever waiting for companions.
var noWait = FormConfig{Batching: true, MaxBatch: 4, MaxDelay: -1}

// queueAll submits items one after the other, each queued before the next,
// and returns their outcome channels. pre: inside a synctest bubble.
func queueAll(ctx context.Context, p *Pool, items ...*Item) []<-chan outcome {
	var out []<-chan outcome
	for _, it := range items {
		out = append(out, submitAsync(ctx, p, it))
		synctest.Wait()
	}
	return out
}

// sums returns the "sum" output of o as a slice.
func sums(t *testing.T, o outcome) []float32 {
	t.Helper()
	if o.err != nil {
		t.Fatalf("Submit: %v", o.err)
	}
	got, err := o.resp.Outputs[0].Float32s()
	if err != nil {
		t.Fatalf("output sum: %v", err)
	}
	return got
}

func TestPoolStrictPriority(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(PoolConfig{Name: "p"})
		defer p.Close()
		order := []Priority{Normal, Low, High, Critical, Normal, High, Low, Critical}
		var items []*Item
		for i, prio := range order {
			items = append(items, newItem(t, fmt.Sprint(i), prio, float32(i), 1, 2))
		}
		outs := queueAll(t.Context(), p, items...)
		if got := p.Stats().Queued; got != (ClassCounts{Critical: 2, High: 2, Normal: 2, Low: 2}) {
			t.Fatalf("Queued = %+v before any worker, want 2 per class", got)
		}
		d := &sumDispatcher{}
		p.AddWorker("w", d, 1)
		for _, ch := range outs {
			sums(t, <-ch)
		}
		want := [][]float32{{3}, {7}, {2}, {5}, {0}, {4}, {1}, {6}}
		if diff := cmp.Diff(want, d.seen()); diff != "" {
			t.Errorf("dispatch order (-want +got):\n%s", diff)
		}
	})
}

func TestPoolRejects(t *testing.T) {
	tests := []struct {
		name     string
		limits   map[Priority]ClassLimits
		deadline time.Duration // after the start; 0 = none
		busy     bool          // a worker is attached but busy with another item
		want     error
		wantAt   time.Duration // when the outcome arrives, after the start
		wantRej  Rejections
	}{
		{name: "queue full", limits: map[Priority]ClassLimits{Normal: {MaxLen: 1}},
			want: ErrQueueFull, wantRej: Rejections{QueueFull: 1}},
		{name: "class max queue time", limits: map[Priority]ClassLimits{Normal: {MaxQueueTime: 100 * time.Millisecond}},
			// The first item, queued with no worker either, times out too.
			want: ErrQueueTimeout, wantAt: 100 * time.Millisecond, wantRej: Rejections{QueueTimeout: 2}},
		{name: "deadline with no worker", deadline: 50 * time.Millisecond,
			want: ErrDeadline, wantAt: 50 * time.Millisecond, wantRej: Rejections{Deadline: 1}},
		{name: "deadline behind a busy worker", deadline: 50 * time.Millisecond, busy: true,
			want: ErrDeadline, wantAt: 50 * time.Millisecond, wantRej: Rejections{Deadline: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				p := NewPool(PoolConfig{Name: "p", Limits: tt.limits, Form: noWait})
				defer p.Close()
				d := &sumDispatcher{delay: time.Second}
				first := newItem(t, "first", Normal, 100, 1, 2)
				if tt.busy {
					p.AddWorker("w", d, 1)
				}
				queueAll(t.Context(), p, first)
				it := newItem(t, "probe", Normal, 0, 1, 2)
				if tt.deadline > 0 {
					it.Deadline = start.Add(tt.deadline)
				}
				_, err := p.Submit(t.Context(), it)
				if !errors.Is(err, tt.want) {
					t.Fatalf("Submit error = %v, want %v", err, tt.want)
				}
				if got := time.Since(start); got != tt.wantAt {
					t.Errorf("answered after %v, want %v", got, tt.wantAt)
				}
				if diff := cmp.Diff(tt.wantRej, p.Stats().Rejected); diff != "" {
					t.Errorf("Rejected (-want +got):\n%s", diff)
				}
				p.AddWorker("late", d, 1)
				synctest.Wait()
				for _, b := range d.seen() {
					if slices.Contains(b, 0) {
						t.Errorf("the rejected item reached a worker")
					}
				}
			})
		})
	}
}

func TestPoolDeadlineInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := NewPool(PoolConfig{Name: "p", Form: noWait})
		defer p.Close()
		short := newItem(t, "short", Normal, 10, 1, 2)
		short.Deadline = start.Add(50 * time.Millisecond)
		long := newItem(t, "long", Normal, 20, 1, 2)
		long.Deadline = start.Add(500 * time.Millisecond)
		outs := queueAll(t.Context(), p, short, long)
		d := &sumDispatcher{delay: 100 * time.Millisecond}
		p.AddWorker("w", d, 1)

		if o := <-outs[0]; !errors.Is(o.err, ErrDeadline) {
			t.Errorf("short deadline: error = %v, want ErrDeadline", o.err)
		}
		if diff := cmp.Diff([]float32{21}, sums(t, <-outs[1])); diff != "" {
			t.Errorf("long deadline: sums (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]time.Time{long.Deadline}, d.deadlines); diff != "" {
			t.Errorf("dispatch deadline (-want +got):\n%s", diff)
		}
	})
}

func TestPoolCallerGoesAway(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func(context.Context) (context.Context, context.CancelFunc)
		want    []error
		wantRej Rejections
	}{
		{
			name:    "canceled",
			ctx:     context.WithCancel,
			want:    []error{context.Canceled},
			wantRej: Rejections{Canceled: 1},
		},
		{
			name: "context deadline",
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 30*time.Millisecond)
			},
			want:    []error{ErrDeadline, context.DeadlineExceeded},
			wantRej: Rejections{Deadline: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := NewPool(PoolConfig{Name: "p"})
				defer p.Close()
				ctx, cancel := tt.ctx(t.Context())
				defer cancel()
				out := queueAll(ctx, p, newItem(t, "gone", High, 0, 1, 2))[0]
				if n := p.Stats().Queued.Total(); n != 1 {
					t.Fatalf("Queued = %d, want 1", n)
				}
				if tt.name == "canceled" {
					cancel()
				}
				o := <-out
				for _, want := range tt.want {
					if !errors.Is(o.err, want) {
						t.Errorf("error = %v, want one matching %v", o.err, want)
					}
				}
				st := p.Stats()
				if st.Queued.Total() != 0 {
					t.Errorf("Queued = %d after the caller left, want 0", st.Queued.Total())
				}
				if diff := cmp.Diff(tt.wantRej, st.Rejected); diff != "" {
					t.Errorf("Rejected (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestPoolForming(t *testing.T) {
	type req struct {
		tag        float32
		rows, cols int64
	}
	tests := []struct {
		name   string
		cfg    PoolConfig
		reqs   []req
		want   [][]float32 // first column of each row, per batch
		wantBt uint64
	}{
		{
			name: "mixed shapes form separate batches",
			cfg:  PoolConfig{Form: noWait},
			reqs: []req{{10, 1, 2}, {20, 1, 3}, {30, 1, 2}, {40, 1, 3}, {50, 1, 2}},
			want: [][]float32{{10, 30, 50}, {20, 40}},
		},
		{
			name: "rows count against max batch",
			cfg:  PoolConfig{Form: noWait},
			reqs: []req{{10, 3, 2}, {20, 2, 2}, {30, 1, 2}},
			want: [][]float32{{10, 11, 12}, {20, 21, 30}},
		},
		{
			name: "a model that cannot batch goes one by one",
			cfg:  PoolConfig{Form: noWait, Models: map[string]FormConfig{"m": {Batching: false}}},
			reqs: []req{{10, 1, 2}, {20, 1, 2}, {30, 1, 2}},
			want: [][]float32{{10}, {20}, {30}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := NewPool(tt.cfg)
				defer p.Close()
				var items []*Item
				for i, r := range tt.reqs {
					items = append(items, newItem(t, fmt.Sprint(i), Normal, r.tag, r.rows, r.cols))
				}
				outs := queueAll(t.Context(), p, items...)
				d := &sumDispatcher{}
				p.AddWorker("w", d, 1)
				for i, ch := range outs {
					if got := len(sums(t, <-ch)); int64(got) != tt.reqs[i].rows {
						t.Errorf("caller %d got %d rows, want %d", i, got, tt.reqs[i].rows)
					}
				}
				if diff := cmp.Diff(tt.want, d.seen()); diff != "" {
					t.Errorf("batches (-want +got):\n%s", diff)
				}
				if st := p.Stats(); st.Batches != uint64(len(tt.want)) || st.Items != uint64(len(tt.reqs)) {
					t.Errorf("Stats: %d batches of %d items, want %d of %d", st.Batches, st.Items, len(tt.want), len(tt.reqs))
				}
			})
		})
	}
}

func TestPoolDispatchError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errBoom := errors.New("boom")
		p := NewPool(PoolConfig{Name: "p", Form: noWait})
		defer p.Close()
		outs := queueAll(t.Context(), p,
			newItem(t, "a", Normal, 1, 1, 2), newItem(t, "b", Normal, 2, 1, 2), newItem(t, "c", Normal, 3, 1, 2))
		p.AddWorker("w", &sumDispatcher{err: errBoom}, 1)
		for i, ch := range outs {
			o := <-ch
			if !errors.Is(o.err, errBoom) {
				t.Errorf("caller %d: error = %v, want one matching %v", i, o.err, errBoom)
			}
			if o.err != nil && !strings.HasPrefix(o.err.Error(), `batcher: pool "p": batch of 3: `) {
				t.Errorf("caller %d: error %q lacks the pool and batch context", i, o.err)
			}
		}
		if st := p.Stats(); st.FailedBatches != 1 {
			t.Errorf("FailedBatches = %d, want 1", st.FailedBatches)
		}
	})
}

func TestPoolWindowTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := FormConfig{Batching: true, MaxBatch: 8, MaxDelay: 2 * time.Millisecond}
		p := NewPool(PoolConfig{Name: "p", Form: cfg})
		defer p.Close()
		p.AddWorker("w", &sumDispatcher{}, 1)
		// One second of 5000 arrivals per second teaches the queue that
		// companions are likely.
		for i := range 5000 {
			submitAsync(t.Context(), p, newItem(t, "warm", Normal, float32(i), 1, 2))
			time.Sleep(200 * time.Microsecond)
		}
		time.Sleep(10 * time.Millisecond)
		start := time.Now()
		sums(t, <-submitAsync(t.Context(), p, newItem(t, "lone", Normal, 0, 1, 2)))
		if got, want := time.Since(start), 1750*time.Microsecond; got != want {
			t.Errorf("lone item answered after %v, want the window %v", got, want)
		}
	})
}

func TestPoolWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(PoolConfig{Name: "p", Form: noWait})
		d := &sumDispatcher{delay: 100 * time.Millisecond}
		p.AddWorker("w", d, 2)
		inFlight := queueAll(t.Context(), p, newItem(t, "a", Normal, 1, 4, 2))
		p.RemoveWorker("w")
		if st := p.Stats(); st.Workers != 0 || st.InFlightBatches != 1 || st.InFlightRows != 4 {
			t.Fatalf("after RemoveWorker: %d workers, %d batches and %d rows in flight; want 0, 1, 4",
				st.Workers, st.InFlightBatches, st.InFlightRows)
		}
		sums(t, <-inFlight[0])
		if st := p.Stats(); st.InFlightRows != 0 {
			t.Errorf("after the answer: %d rows in flight, want 0", st.InFlightRows)
		}

		held := queueAll(t.Context(), p, newItem(t, "b", Normal, 2, 1, 2))
		time.Sleep(time.Second)
		if n := p.Stats().Queued.Total(); n != 1 {
			t.Fatalf("with no worker: Queued = %d, want 1", n)
		}
		p.AddWorker("w2", d, 1)
		sums(t, <-held[0])

		p.RemoveWorker("w2")
		closed := queueAll(t.Context(), p, newItem(t, "c", Normal, 3, 1, 2))
		p.Close()
		if o := <-closed[0]; !errors.Is(o.err, ErrClosed) {
			t.Errorf("queued at Close: error = %v, want ErrClosed", o.err)
		}
		if _, err := p.Submit(t.Context(), newItem(t, "d", Normal, 4, 1, 2)); !errors.Is(err, ErrClosed) {
			t.Errorf("Submit after Close: error = %v, want ErrClosed", err)
		}
		if got := p.Stats().Rejected.Closed; got != 2 {
			t.Errorf("Rejected.Closed = %d, want 2", got)
		}
	})
}

// TestPoolConcurrentCallers runs on the real clock with real concurrency:
// every caller must get exactly its own rows back.
func TestPoolConcurrentCallers(t *testing.T) {
	p := NewPool(PoolConfig{Name: "p", Form: FormConfig{Batching: true, MaxBatch: 8}})
	defer p.Close()
	p.AddWorker("w1", &sumDispatcher{}, 2)
	p.AddWorker("w2", &sumDispatcher{}, 2)
	const callers = 100
	errs := make(chan error, callers)
	for i := range callers {
		go func() { errs <- callOwnRows(t.Context(), p, i) }()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if st := p.Stats(); st.Items != callers || st.InFlightItems != 0 {
		t.Errorf("Stats: %d items dispatched, %d in flight; want %d, 0", st.Items, st.InFlightItems, callers)
	}
}

// callOwnRows submits caller i's request, of 1 to 3 rows tagged 1000·i,
// and checks the answer holds exactly its rows' sums under its id.
func callOwnRows(ctx context.Context, p *Pool, i int) error {
	rows, tag, id := int64(1+i%3), float32(1000*i), fmt.Sprint("caller-", i)
	it, err := NewItem("m", "1", request(id, tag, rows, 2), Normal)
	if err != nil {
		return err
	}
	resp, err := p.Submit(ctx, it)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	got, err := resp.Outputs[0].Float32s()
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	want := make([]float32, rows)
	for r := range want {
		want[r] = tag + float32(r) + 1
	}
	if resp.ID != id || !cmp.Equal(want, got) {
		return fmt.Errorf("%s: got id %q sums %v, want id %q sums %v", id, resp.ID, got, id, want)
	}
	return nil
}

// limitDispatcher is a worker that refuses, with ErrTooLarge, any request
// of more than maxRows rows, and answers the others as sumDispatcher does.
type limitDispatcher struct {
	sumDispatcher
	maxRows int64
}

func (d *limitDispatcher) Dispatch(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	if rows := req.Inputs[0].Shape[0]; rows > d.maxRows {
		d.mu.Lock()
		d.refused++
		d.mu.Unlock()
		return nil, fmt.Errorf("worker: %w: %d rows", ErrTooLarge, rows)
	}
	return d.sumDispatcher.Dispatch(ctx, model, version, req)
}

// TestPoolHalvesBatchesTooLarge queues five items that batch together
// for a worker that takes at most two rows at once: the batch is sent
// again in halves until each part fits, every item gets its own answer,
// and the one item too large on its own gets ErrTooLarge.
func TestPoolHalvesBatchesTooLarge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(PoolConfig{Name: "p", Form: noWait.withMaxBatch(8)})
		defer p.Close()
		items := []*Item{newItem(t, "big", Normal, 100, 3, 2)}
		for i := range 5 {
			items = append(items, newItem(t, fmt.Sprint(i), Normal, float32(i), 1, 2))
		}
		outs := queueAll(t.Context(), p, items...)
		d := &limitDispatcher{maxRows: 2}
		p.AddWorker("w", d, 1)
		if o := <-outs[0]; !errors.Is(o.err, ErrTooLarge) {
			t.Errorf("the item too large alone: %v, want ErrTooLarge", o.err)
		}
		for i, ch := range outs[1:] {
			if diff := cmp.Diff([]float32{float32(i) + 1}, sums(t, <-ch)); diff != "" {
				t.Errorf("item %d (-want +got):\n%s", i, diff)
			}
		}
		if got := p.Stats().FailedBatches; got != 1 {
			t.Errorf("FailedBatches = %d, want 1 (the batch of the item too large alone)", got)
		}
	})
}

// panicDispatcher is a worker whose client panics on model "boom".
type panicDispatcher struct{ sumDispatcher }

func (d *panicDispatcher) Dispatch(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	if model == "boom" {
		panic("dispatcher bug")
	}
	return d.sumDispatcher.Dispatch(ctx, model, version, req)
}

// TestPoolSurvivesPanickingDispatcher checks that a panic while a batch
// is dispatched fails that batch's members with an error naming the
// panic, and that the pool goes on serving.
func TestPoolSurvivesPanickingDispatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(PoolConfig{Name: "p", Form: noWait})
		defer p.Close()
		p.AddWorker("w", &panicDispatcher{}, 1)
		boom, err := NewItem("boom", "", request("b", 0, 1, 2), Normal)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Submit(t.Context(), boom); err == nil || !strings.Contains(err.Error(), "panic: dispatcher bug") {
			t.Errorf("Submit of the panicking model = %v, want the panic named", err)
		}
		if o, err := p.Submit(t.Context(), newItem(t, "ok", Normal, 1, 1, 2)); err != nil || o == nil {
			t.Errorf("Submit after the panic = %v, %v; want an answer", o, err)
		}
	})
}
