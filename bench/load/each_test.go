package load

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// outcomes collects RunEach's outcomes in order of index.
type outcomes struct {
	mu  sync.Mutex
	all []Outcome
}

func (o *outcomes) add(x Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, x)
}

func (o *outcomes) sorted() []Outcome {
	slices.SortFunc(o.all, func(a, b Outcome) int { return a.Index - b.Index })
	return o.all
}

// ending is the part of an Outcome a test can predict.
type ending struct {
	Index              int
	OK                 bool
	TimedOut, Canceled bool
}

func endings(os []Outcome) []ending {
	out := make([]ending, len(os))
	for i, o := range os {
		out[i] = ending{Index: o.Index, OK: o.Err == nil, TimedOut: o.TimedOut, Canceled: o.Canceled}
	}
	return out
}

func TestRunEachTellsEachRequestItsIndex(t *testing.T) {
	var got outcomes
	var mu sync.Mutex
	sent := map[int]bool{}
	snd := SenderFunc(func(_ context.Context, i int) error {
		mu.Lock()
		defer mu.Unlock()
		sent[i] = true
		if i%3 == 2 {
			return &StatusError{Code: 429}
		}
		return nil
	})
	span := RunEach(context.Background(), burst(9), snd, Options{}, got.add)
	if span.Scheduled != 9 || span.Sent != 9 || span.Window != 9*time.Millisecond {
		t.Errorf("span = %+v, want 9 scheduled and sent over 9ms", span)
	}
	var want []ending
	for i := range 9 {
		want = append(want, ending{Index: i, OK: i%3 != 2})
		if !sent[i] {
			t.Errorf("request %d was not sent", i)
		}
	}
	if diff := cmp.Diff(want, endings(got.sorted())); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestRunEachGraceIsOneDeadlineForAll(t *testing.T) {
	// Requests 0 and 1 hang until their deadline; request 2 answers. With
	// Grace, both hanging requests end at the window's end plus the grace,
	// however early they were sent, and end as timed out.
	const grace = 60 * time.Millisecond
	s := Schedule{Duration: 100 * time.Millisecond, Offsets: []time.Duration{0, 50 * time.Millisecond, 90 * time.Millisecond}}
	snd := SenderFunc(func(ctx context.Context, i int) error {
		if i == 2 {
			return nil
		}
		<-ctx.Done()
		return ctx.Err()
	})
	var got outcomes
	span := RunEach(context.Background(), s, snd, Options{Timeout: time.Millisecond, Grace: grace}, got.add)
	all := got.sorted()
	want := []ending{{Index: 0, TimedOut: true}, {Index: 1, TimedOut: true}, {Index: 2, OK: true}}
	if diff := cmp.Diff(want, endings(all)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	// Request 0 lived from 0 to the window's end plus the grace.
	if lo := s.Duration + grace; all[0].Latency < lo {
		t.Errorf("request 0 lasted %v, want at least %v", all[0].Latency, lo)
	}
	if span.Elapsed < s.Duration+grace {
		t.Errorf("elapsed %v, want at least %v", span.Elapsed, s.Duration+grace)
	}
}

func TestRunEachMarksCanceledRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Constant(100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	snd := SenderFunc(func(ctx context.Context, i int) error {
		if i == 2 {
			cancel()
		}
		<-ctx.Done()
		return ctx.Err()
	})
	var got outcomes
	span := RunEach(ctx, s, snd, Options{}, got.add)
	if span.Sent < 3 || span.Sent == span.Scheduled {
		t.Fatalf("sent %d of %d, want at least 3 and fewer than all", span.Sent, span.Scheduled)
	}
	var want []ending
	for i := range span.Sent {
		want = append(want, ending{Index: i, Canceled: true})
	}
	if diff := cmp.Diff(want, endings(got.sorted())); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	for _, o := range got.all {
		if !errors.Is(o.Err, context.Canceled) {
			t.Errorf("request %d: error %v, want context.Canceled", o.Index, o.Err)
		}
	}
}

func TestRunEachNilObserver(t *testing.T) {
	n := 0
	var mu sync.Mutex
	snd := SenderFunc(func(context.Context, int) error { mu.Lock(); n++; mu.Unlock(); return nil })
	if span := RunEach(context.Background(), burst(3), snd, Options{}, nil); span.Sent != 3 || n != 3 {
		t.Errorf("sent %d, ran %d, want 3 and 3", span.Sent, n)
	}
}
