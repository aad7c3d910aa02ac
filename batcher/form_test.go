package batcher

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// warmUntil is when warm's traffic ends: the estimate has settled by then.
var warmUntil = at(2 * time.Second)

// warm feeds q perSec arrivals per second of a throw-away key from t0 to
// warmUntil, removing each at once, so that q's arrival-rate estimate
// reads about perSec.
func warm(t *testing.T, q *Queue, perSec int) {
	t.Helper()
	gap := time.Second / time.Duration(perSec)
	for now := t0; now.Before(warmUntil); now = now.Add(gap) {
		it := mk("warm", Normal, "warm", 1)
		mustPush(t, q, now, it)
		q.Remove(it)
	}
}

func TestFormBatches(t *testing.T) {
	batching := FormConfig{Batching: true, MaxBatch: 4}
	tests := []struct {
		name  string
		cfg   FormConfig
		items []*Item
		want  [][]string
	}{
		{
			name: "mixed shapes form separate batches, head first",
			cfg:  batching,
			items: []*Item{
				mk("a1", Normal, "a", 1), mk("b1", Normal, "b", 1), mk("a2", Normal, "a", 1),
				mk("b2", Normal, "b", 1), mk("a3", Normal, "a", 1),
			},
			want: [][]string{{"a1", "a2", "a3"}, {"b1", "b2"}},
		},
		{
			name: "rows count against max batch",
			cfg:  batching,
			items: []*Item{
				mk("r3", Normal, "k", 3), mk("r1", Normal, "k", 1), mk("r2", Normal, "k", 2),
				mk("r2b", Normal, "k", 2),
			},
			want: [][]string{{"r3", "r1"}, {"r2", "r2b"}},
		},
		{
			name:  "an item larger than max batch goes alone",
			cfg:   batching,
			items: []*Item{mk("big", Normal, "k", 9), mk("small", Normal, "k", 1)},
			want:  [][]string{{"big"}, {"small"}},
		},
		{
			name: "a compatible item that does not fit is not overtaken",
			cfg:  batching,
			items: []*Item{
				mk("r2", Normal, "k", 2), mk("r3", Normal, "k", 3), mk("r1", Normal, "k", 1),
			},
			want: [][]string{{"r2"}, {"r3", "r1"}},
		},
		{
			name: "companions in priority order then fifo",
			cfg:  batching,
			items: []*Item{
				mk("n1", Normal, "k", 1), mk("l1", Low, "k", 1), mk("h1", High, "k", 1),
				mk("n2", Normal, "k", 1), mk("h2", High, "k", 1), mk("n3", Normal, "k", 1),
			},
			want: [][]string{{"h1", "h2", "n1", "n2"}, {"n3", "l1"}},
		},
		{
			name:  "batching off sends one item per batch",
			cfg:   FormConfig{Batching: false, MaxBatch: 4},
			items: []*Item{mk("x1", Normal, "k", 1), mk("x2", Normal, "k", 1)},
			want:  [][]string{{"x1"}, {"x2"}},
		},
		{
			name: "bytes count against max bytes",
			cfg:  FormConfig{Batching: true, MaxBatch: 8, MaxBytes: 100},
			items: []*Item{
				sized(mk("b60", Normal, "k", 1), 60), sized(mk("b40", Normal, "k", 1), 40),
				sized(mk("b30", Normal, "k", 1), 30), sized(mk("b80", Normal, "k", 1), 80),
			},
			want: [][]string{{"b60", "b40"}, {"b30"}, {"b80"}},
		},
		{
			name:  "an item larger than max bytes goes alone",
			cfg:   FormConfig{Batching: true, MaxBatch: 8, MaxBytes: 100},
			items: []*Item{sized(mk("huge", Normal, "k", 1), 500), sized(mk("small", Normal, "k", 1), 1)},
			want:  [][]string{{"huge"}, {"small"}},
		},
		{
			name:  "max bytes 0 bounds nothing",
			cfg:   FormConfig{Batching: true, MaxBatch: 8},
			items: []*Item{sized(mk("a", Normal, "k", 1), 1<<40), sized(mk("b", Normal, "k", 1), 1<<40)},
			want:  [][]string{{"a", "b"}},
		},
		{
			name:  "max batch 1 sends one item per batch",
			cfg:   FormConfig{Batching: true, MaxBatch: 1},
			items: []*Item{mk("x1", Normal, "k", 1), mk("x2", Normal, "k", 1)},
			want:  [][]string{{"x1"}, {"x2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue(nil)
			mustPush(t, q, t0, tt.items...)
			if diff := cmp.Diff(tt.want, drainForm(t, q, t0, tt.cfg)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormNoStarvation(t *testing.T) {
	q := NewQueue(nil)
	cfg := FormConfig{Batching: true, MaxBatch: 2}
	// Key a arrives four times as often as key b; b must still be served in
	// its turn rather than after every a.
	for i := range 4 {
		mustPush(t, q, t0, mk(fmt.Sprint("a", 2*i), Normal, "a", 1), mk(fmt.Sprint("a", 2*i+1), Normal, "a", 1))
		if i%2 == 0 {
			mustPush(t, q, t0, mk(fmt.Sprint("b", i), Normal, "b", 1))
		}
	}
	want := [][]string{{"a0", "a1"}, {"b0", "b2"}, {"a2", "a3"}, {"a4", "a5"}, {"a6", "a7"}}
	if diff := cmp.Diff(want, drainForm(t, q, t0, cfg)); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}

func TestFormSkipsExpired(t *testing.T) {
	q := NewQueue(nil)
	dead := mk("dead", Critical, "k", 1)
	dead.Deadline = at(time.Millisecond)
	mustPush(t, q, t0, dead, mk("live", Normal, "k", 1))
	batch, _ := q.Form(at(time.Millisecond), FormConfig{Batching: true, MaxBatch: 4})
	if diff := cmp.Diff([]string{"live"}, names(batch)); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
	if got := names(q.Expired(at(time.Millisecond))); !cmp.Equal(got, []string{"dead"}) {
		t.Errorf("Expired = %v, want [dead]", got)
	}
}

func TestFormWaitingRule(t *testing.T) {
	const ms = time.Millisecond
	curve := costmodel.Curve{Base: 10 * ms, PerItem: ms} // Latency(8) = 18ms
	cfg := FormConfig{Batching: true, MaxBatch: 8, MaxDelay: 2 * ms, Curve: curve}
	tests := []struct {
		name    string
		rate    int           // arrivals per second before the test; 0 = none
		cfg     FormConfig    // zero means cfg
		rows    int64         // rows waiting, one item each
		queued  time.Duration // how long before now the items were queued
		due     time.Duration // due time after now; 0 = none
		timeout time.Duration // deadline after now; 0 = none
		want    time.Duration // 0: the batch is sent at once
	}{
		{name: "one row, busy arrivals", rate: 5000, rows: 1, want: 1750 * time.Microsecond},
		{name: "window shrinks as rows grow (2)", rate: 5000, rows: 2, want: 1500 * time.Microsecond},
		{name: "window shrinks as rows grow (4)", rate: 5000, rows: 4, want: ms},
		{name: "window shrinks as rows grow (7)", rate: 5000, rows: 7, want: 250 * time.Microsecond},
		{name: "full batch goes at once", rate: 5000, rows: 8, want: 0},
		{name: "time already queued counts", rate: 5000, rows: 1, queued: ms, want: 750 * time.Microsecond},
		{name: "queued past the window", rate: 5000, rows: 1, queued: 2 * ms, want: 0},
		{name: "capped by due slack", rate: 5000, rows: 1, due: 18*ms + 500*time.Microsecond, want: 500 * time.Microsecond},
		{name: "no slack left", rate: 5000, rows: 1, due: 18 * ms, want: 0},
		{name: "capped by deadline without due", rate: 5000, rows: 1, timeout: 18*ms + 300*time.Microsecond, want: 300 * time.Microsecond},
		{name: "due before the deadline decides", rate: 5000, rows: 1, due: 18*ms + 300*time.Microsecond,
			timeout: 18*ms + 900*time.Microsecond, want: 300 * time.Microsecond},
		{name: "low arrival rate never waits", rate: 100, rows: 1, want: 0},
		{name: "no arrival history never waits", rows: 1, want: 0},
		{name: "zero max delay never waits", rate: 5000, rows: 1,
			cfg: FormConfig{Batching: true, MaxBatch: 8, Curve: curve}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue(nil)
			if tt.rate > 0 {
				warm(t, q, tt.rate)
			}
			now := warmUntil.Add(tt.queued)
			for i := range tt.rows {
				it := mk(fmt.Sprint(i), Normal, "k", 1)
				if tt.due > 0 {
					it.Due = now.Add(tt.due)
				}
				if tt.timeout > 0 {
					it.Deadline = now.Add(tt.timeout)
				}
				mustPush(t, q, warmUntil, it)
			}
			c := cfg
			if tt.cfg.MaxBatch != 0 {
				c = tt.cfg
			}
			batch, wait := q.Form(now, c)
			if wait != tt.want {
				t.Errorf("wait = %v, want %v", wait, tt.want)
			}
			wantItems := 0
			if tt.want == 0 {
				wantItems = int(tt.rows)
			}
			if len(batch) != wantItems {
				t.Errorf("batch of %d items, want %d", len(batch), wantItems)
			}
		})
	}
}

// sized sets it's Bytes and returns it.
func sized(it *Item, bytes int64) *Item {
	it.Bytes = bytes
	return it
}
