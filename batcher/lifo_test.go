package batcher

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestQueueStanding serves a class newest first while its oldest item is
// past its due time, each tenant in its fair turn.
func TestQueueStanding(t *testing.T) {
	const ms = time.Millisecond
	single, pair := FormConfig{}, FormConfig{MaxBatch: 2, Batching: true}
	due := func(it *Item, d time.Duration) *Item { it.Due = at(d); return it }
	late := func(items ...*Item) []*Item {
		for _, it := range items {
			due(it, 100*ms)
		}
		return items
	}
	tests := []struct {
		name         string
		items        []*Item
		now          time.Duration
		cfg          FormConfig
		wantStanding []Priority
		want         [][]string
	}{{
		name:  "on time: oldest first",
		items: []*Item{due(mk("a", Normal, "k", 1), 100*ms), due(mk("b", Normal, "k", 1), 110*ms), due(mk("c", Normal, "k", 1), 120*ms)},
		now:   50 * ms,
		cfg:   pair,
		want:  [][]string{{"a", "b"}, {"c"}},
	}, {
		name:         "the oldest is late: newest first, the late ones last",
		items:        []*Item{due(mk("a", Normal, "k", 1), 100*ms), due(mk("b", Normal, "k", 1), 110*ms), due(mk("c", Normal, "k", 1), 120*ms)},
		now:          105 * ms,
		cfg:          pair,
		wantStanding: []Priority{Normal},
		want:         [][]string{{"c", "b"}, {"a"}},
	}, {
		name:  "only the oldest counts: a later late item makes the class stand once it is the oldest",
		items: []*Item{due(mk("a", Normal, "k", 1), 200*ms), due(mk("b", Normal, "k", 1), 100*ms), due(mk("c", Normal, "k", 1), 200*ms)},
		now:   150 * ms,
		cfg:   single,
		want:  [][]string{{"a"}, {"c"}, {"b"}},
	}, {
		name: "a class stands alone: the high class on time keeps its order, its companions come newest first",
		items: []*Item{due(mk("n1", Normal, "k", 1), 100*ms), due(mk("h1", High, "k", 1), 300*ms),
			due(mk("n2", Normal, "k", 1), 200*ms), due(mk("h2", High, "k", 1), 300*ms), due(mk("n3", Normal, "k", 1), 200*ms)},
		now:          150 * ms,
		cfg:          pair,
		wantStanding: []Priority{Normal},
		want:         [][]string{{"h1", "h2"}, {"n3", "n2"}, {"n1"}},
	}, {
		name:  "items without a due time are never late",
		items: []*Item{mk("a", Normal, "k", 1), mk("b", Normal, "k", 1), mk("c", Normal, "k", 1)},
		now:   time.Hour,
		cfg:   pair,
		want:  [][]string{{"a", "b"}, {"c"}},
	}, {
		name: "tenants keep their turns, each served newest first",
		items: late(tenantItem("a1", "a", 1, 1), tenantItem("a2", "a", 1, 1), tenantItem("a3", "a", 1, 1),
			tenantItem("b1", "b", 1, 1), tenantItem("b2", "b", 1, 1), tenantItem("b3", "b", 1, 1)),
		now:          150 * ms,
		cfg:          single,
		wantStanding: []Priority{Normal},
		want:         [][]string{{"a3"}, {"b3"}, {"a2"}, {"b2"}, {"a1"}, {"b1"}},
	}, {
		name: "weights hold while standing: the same tenant order as oldest first",
		items: late(tenantItem("a1", "a", 2, 1), tenantItem("a2", "a", 2, 1), tenantItem("a3", "a", 2, 1), tenantItem("a4", "a", 2, 1),
			tenantItem("b1", "b", 1, 1), tenantItem("b2", "b", 1, 1), tenantItem("b3", "b", 1, 1), tenantItem("b4", "b", 1, 1)),
		now:          150 * ms,
		cfg:          single,
		wantStanding: []Priority{Normal},
		want:         [][]string{{"a4"}, {"b4"}, {"a3"}, {"a2"}, {"b3"}, {"a1"}, {"b2"}, {"b1"}},
	}, {
		name: "a trickle rides in the first batch of a flood served newest first",
		items: late(tenantItem("a1", "a", 1, 1), tenantItem("a2", "a", 1, 1), tenantItem("a3", "a", 1, 1),
			tenantItem("a4", "a", 1, 1), tenantItem("b1", "b", 1, 1)),
		now:          150 * ms,
		cfg:          pair,
		wantStanding: []Priority{Normal},
		want:         [][]string{{"a4", "b1"}, {"a3", "a2"}, {"a1"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue(nil)
			mustPush(t, q, t0, tt.items...)
			now := at(tt.now)
			var want Classes
			for _, p := range tt.wantStanding {
				want = want.with(p.class())
			}
			if got := q.Standing(now); got != want {
				t.Errorf("Standing = %04b, want %04b", got, want)
			}
			if diff := cmp.Diff(tt.want, drainForm(t, q, now, tt.cfg)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestQueueStandingEnds goes back to oldest first once the late item has
// left, each tenant charged the turns its newest items used: b, served
// b2 at the turn of b1, waits behind a2 as it would had b1 gone first.
func TestQueueStandingEnds(t *testing.T) {
	now := at(150 * time.Millisecond)
	late := tenantItem("a1", "a", 1, 1)
	late.Due = at(100 * time.Millisecond)
	q := NewQueue(nil)
	mustPush(t, q, t0, late, tenantItem("a2", "a", 1, 1), tenantItem("a3", "a", 1, 1),
		tenantItem("b1", "b", 1, 1), tenantItem("b2", "b", 1, 1))
	for _, want := range []string{"a3", "b2"} {
		if got := names(first(t, q, now)); !cmp.Equal(got, []string{want}) {
			t.Fatalf("standing: batch %v, want [%s]", got, want)
		}
	}
	q.Remove(late)
	if got := q.Standing(now); got != 0 {
		t.Errorf("Standing after the late item left = %04b, want none", got)
	}
	want := [][]string{{"a2"}, {"b1"}}
	if diff := cmp.Diff(want, drainForm(t, q, now, FormConfig{})); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}

// first returns the next batch of one item Form builds at now.
func first(t *testing.T, q *Queue, now time.Time) []*Item {
	t.Helper()
	batch, _ := q.Form(now, FormConfig{})
	return batch
}

func TestClassesHas(t *testing.T) {
	s := Classes(0).with(High.class()).with(Low.class())
	for _, tt := range []struct {
		p    Priority
		want bool
	}{{Critical, false}, {High, true}, {Normal, false}, {Low, true}, {Priority(7), false}} {
		if got := s.Has(tt.p); got != tt.want {
			t.Errorf("%04b.Has(%s) = %v, want %v", s, tt.p, got, tt.want)
		}
	}
}
