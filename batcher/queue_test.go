package batcher

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is the start of every scripted clock.
var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// mk returns an item named name (in Ref) of class p, Key key and rows rows.
func mk(name string, p Priority, key string, rows int64) *Item {
	return &Item{Model: "m", Priority: p, Key: key, Rows: rows, Ref: name}
}

// names returns the names of items.
func names(items []*Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Ref.(string))
	}
	return out
}

// mustPush pushes every item at now.
func mustPush(t *testing.T, q *Queue, now time.Time, items ...*Item) {
	t.Helper()
	for _, it := range items {
		if err := q.Push(it, now); err != nil {
			t.Fatalf("Push(%v): %v", it.Ref, err)
		}
	}
}

// drainForm calls Form until the queue is empty and returns the batches'
// names. It fails the test if Form asks to wait.
func drainForm(t *testing.T, q *Queue, now time.Time, cfg FormConfig) [][]string {
	t.Helper()
	var out [][]string
	for q.Len() > 0 {
		batch, wait := q.Form(now, cfg)
		if batch == nil {
			t.Fatalf("Form returned no batch with %d queued (wait %v)", q.Len(), wait)
		}
		out = append(out, names(batch))
	}
	return out
}

func TestQueueOrder(t *testing.T) {
	single := FormConfig{}
	tests := []struct {
		name  string
		items []*Item
		want  [][]string
	}{
		{
			name: "strict priority between classes",
			items: []*Item{
				mk("low", Low, "k", 1), mk("normal", Normal, "k", 1),
				mk("high", High, "k", 1), mk("critical", Critical, "k", 1),
			},
			want: [][]string{{"critical"}, {"high"}, {"normal"}, {"low"}},
		},
		{
			name: "fifo within a class",
			items: []*Item{
				mk("n1", Normal, "a", 1), mk("h1", High, "b", 1), mk("n2", Normal, "b", 1),
				mk("h2", High, "a", 1), mk("n3", Normal, "a", 1),
			},
			want: [][]string{{"h1"}, {"h2"}, {"n1"}, {"n2"}, {"n3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue(nil)
			mustPush(t, q, t0, tt.items...)
			if diff := cmp.Diff(tt.want, drainForm(t, q, t0, single)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueuePushRejects(t *testing.T) {
	q := NewQueue(map[Priority]ClassLimits{Normal: {MaxLen: 2}})
	mustPush(t, q, t0, mk("n1", Normal, "k", 1), mk("n2", Normal, "k", 1))
	queued := mk("queued", High, "k", 1)
	mustPush(t, q, t0, queued)
	tests := []struct {
		name string
		it   *Item
		want error
	}{
		{name: "class at its limit", it: mk("n3", Normal, "k", 1), want: ErrQueueFull},
		{name: "deadline already passed", it: &Item{Key: "k", Deadline: t0}, want: ErrDeadline},
		{name: "unknown priority", it: mk("bad", Priority(9), "k", 1), want: ErrInvalidItem},
		{name: "already queued", it: queued, want: ErrInvalidItem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := q.Push(tt.it, t0); !errors.Is(err, tt.want) {
				t.Errorf("Push error = %v, want %v", err, tt.want)
			}
		})
	}
	if err := q.Push(mk("h", High, "k", 1), t0); err != nil {
		t.Errorf("Push to another class: %v", err)
	}
	want := ClassCounts{High: 2, Normal: 2}
	if diff := cmp.Diff(want, q.LenByClass()); diff != "" {
		t.Errorf("LenByClass (-want +got):\n%s", diff)
	}
}

func TestQueueExpired(t *testing.T) {
	q := NewQueue(map[Priority]ClassLimits{Low: {MaxQueueTime: 100 * time.Millisecond}})
	late := mk("deadline", Normal, "k", 1)
	late.Deadline = at(50 * time.Millisecond)
	both := mk("both", Low, "k", 1)
	both.Deadline = at(100 * time.Millisecond)
	mustPush(t, q, t0, late, both, mk("lowA", Low, "k", 1), mk("keep", Normal, "k", 1))
	mustPush(t, q, at(20*time.Millisecond), mk("lowB", Low, "k", 1))

	type reason struct {
		Name, Err string
	}
	steps := []struct {
		name     string
		now      time.Duration
		want     []reason
		wantWake time.Duration
		wantOK   bool
	}{
		{name: "nothing yet", now: 10 * time.Millisecond, wantWake: 40 * time.Millisecond, wantOK: true},
		{name: "deadline passes", now: 50 * time.Millisecond,
			want:     []reason{{"deadline", ErrDeadline.Error()}},
			wantWake: 50 * time.Millisecond, wantOK: true},
		{name: "deadline wins over queue time", now: 100 * time.Millisecond,
			want:     []reason{{"both", ErrDeadline.Error()}, {"lowA", ErrQueueTimeout.Error()}},
			wantWake: 20 * time.Millisecond, wantOK: true},
		{name: "later class member", now: 125 * time.Millisecond,
			want: []reason{{"lowB", ErrQueueTimeout.Error()}}},
	}
	for _, st := range steps {
		now := at(st.now)
		var got []reason
		for _, it := range q.Expired(now) {
			got = append(got, reason{it.Ref.(string), it.Expiry().Error()})
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s: Expired (-want +got):\n%s", st.name, diff)
		}
		wake, ok := q.NextWake(now)
		if wake != st.wantWake || ok != st.wantOK {
			t.Errorf("%s: NextWake = %v, %v; want %v, %v", st.name, wake, ok, st.wantWake, st.wantOK)
		}
	}
	if got := names(q.Drain()); !cmp.Equal(got, []string{"keep"}) {
		t.Errorf("left after expiry = %v, want [keep]", got)
	}
}

func TestQueueRemove(t *testing.T) {
	q := NewQueue(nil)
	var items []*Item
	for i := range 200 {
		it := mk(fmt.Sprint(i), Normal, "k", 1)
		it.Deadline = at(time.Duration(i+1) * time.Millisecond)
		items = append(items, it)
	}
	mustPush(t, q, t0, items...)
	for _, it := range items[:150] {
		if !q.Remove(it) {
			t.Fatalf("Remove(%v) = false, want true", it.Ref)
		}
	}
	if q.Remove(items[0]) {
		t.Error("second Remove = true, want false")
	}
	if other := NewQueue(nil); other.Remove(items[160]) {
		t.Error("Remove from a queue not holding the item = true, want false")
	}
	if got := q.Len(); got != 50 {
		t.Errorf("Len = %d, want 50", got)
	}
	if wake, ok := q.NextWake(t0); wake != 151*time.Millisecond || !ok {
		t.Errorf("NextWake = %v, %v; want 151ms, true (removed deadlines ignored)", wake, ok)
	}
	if got := len(q.deadlines.e); got > 100 {
		t.Errorf("deadline heap holds %d entries for 50 items: stale entries not compacted", got)
	}
	if got := q.Expired(at(155 * time.Millisecond)); len(got) != 5 {
		t.Errorf("Expired at 155ms returned %d items, want 5", len(got))
	}
}

func TestQueueRepush(t *testing.T) {
	q := NewQueue(nil)
	it := mk("again", Normal, "k", 1)
	it.Deadline = at(time.Second)
	mustPush(t, q, t0, it)
	q.Remove(it)
	mustPush(t, q, t0, it)
	if wake, ok := q.NextWake(t0); wake != time.Second || !ok {
		t.Errorf("NextWake = %v, %v; want 1s, true", wake, ok)
	}
	if got := q.Expired(at(time.Second)); len(got) != 1 {
		t.Errorf("Expired returned %d items, want the re-pushed one once", len(got))
	}
}

// TestQueueRows counts the rows each class holds as items join and leave
// by every way out: a batch, a removal, an expiry and a drain.
func TestQueueRows(t *testing.T) {
	q := NewQueue(nil)
	heavy, light, late, gone := mk("heavy", High, "k", 2), mk("light", High, "k", 0), mk("late", Normal, "k", 3), mk("gone", Low, "j", 4)
	late.Deadline = at(time.Second)
	mustPush(t, q, t0, heavy, light, late, gone)
	want := ClassCounts{High: 3, Normal: 3, Low: 4}
	if diff := cmp.Diff(want, q.RowsByClass()); diff != "" {
		t.Fatalf("RowsByClass after pushes (-want +got):\n%s", diff)
	}
	steps := []struct {
		name string
		do   func()
		want ClassCounts
	}{
		{"a batch of the high class leaves", func() { q.Form(t0, FormConfig{MaxBatch: 3, Batching: true}) }, ClassCounts{Normal: 3, Low: 4}},
		{"an item expires", func() { q.Expired(at(time.Second)) }, ClassCounts{Low: 4}},
		{"an item is removed", func() { q.Remove(gone) }, ClassCounts{}},
	}
	for _, st := range steps {
		st.do()
		if diff := cmp.Diff(st.want, q.RowsByClass()); diff != "" {
			t.Errorf("RowsByClass after %s (-want +got):\n%s", st.name, diff)
		}
	}
	mustPush(t, q, t0.Add(2*time.Second), mk("again", Low, "j", 5))
	q.Drain()
	if diff := cmp.Diff(ClassCounts{}, q.RowsByClass()); diff != "" {
		t.Errorf("RowsByClass after Drain (-want +got):\n%s", diff)
	}
}
