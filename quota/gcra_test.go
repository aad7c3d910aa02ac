package quota_test

import (
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/quota"
)

var t0 = time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)

// TestDecideLikeATokenBucket checks GCRA against the token bucket it
// stands for: a burst at once, then one call per interval.
func TestDecideLikeATokenBucket(t *testing.T) {
	b := quota.Bucket{Key: "k", Rate: 10, Burst: 3}
	var tat time.Time
	steps := []struct {
		at   time.Duration
		wait time.Duration
	}{
		{0, 0}, {0, 0}, {0, 0}, // the burst
		{0, 100 * time.Millisecond},
		{50 * time.Millisecond, 50 * time.Millisecond},
		{100 * time.Millisecond, 0},
		{100 * time.Millisecond, 100 * time.Millisecond},
		{time.Second, 0}, // refilled: a burst again
		{time.Second, 0},
		{time.Second, 0},
		{time.Second, 100 * time.Millisecond},
	}
	for i, s := range steps {
		next, wait := quota.Decide(b, tat, t0.Add(s.at))
		if wait != s.wait {
			t.Fatalf("call %d at %v: wait %v, want %v", i, s.at, wait, s.wait)
		}
		if wait == 0 {
			tat = next
		} else if !next.Equal(tat) && !tat.IsZero() {
			t.Fatalf("call %d: a refused call moved tat from %v to %v", i, tat, next)
		}
	}
}

func TestDecideRate(t *testing.T) {
	b := quota.Bucket{Key: "k", Rate: 50, Burst: 1}
	var tat time.Time
	admitted := 0
	for ms := range 10_000 { // a call every millisecond for 10 s
		if next, wait := quota.Decide(b, tat, t0.Add(time.Duration(ms)*time.Millisecond)); wait == 0 {
			tat = next
			admitted++
		}
	}
	if admitted != 500 {
		t.Errorf("admitted %d calls in 10s at 50/s, want 500", admitted)
	}
}

func TestLocalAllOrNone(t *testing.T) {
	var l quota.Local
	tenant := quota.Bucket{Key: "tenant:a", Rate: 1, Burst: 2}
	model := quota.Bucket{Key: "model:m", Rate: 1, Burst: 1}
	if i, w := l.Take([]quota.Bucket{tenant, model}, t0); i != -1 || w != 0 {
		t.Fatalf("first call: refused by %d, wait %v", i, w)
	}
	if i, w := l.Take([]quota.Bucket{tenant, model}, t0); i != 1 || w != time.Second {
		t.Fatalf("second call: refused by %d, wait %v; want 1 (the model's bucket), 1s", i, w)
	}
	// The refused call took nothing from the tenant's bucket: one call
	// of its burst is left.
	if i, w := l.Take([]quota.Bucket{tenant}, t0); i != -1 {
		t.Fatalf("the tenant alone: refused, wait %v", w)
	}
	if i, _ := l.Take([]quota.Bucket{tenant}, t0); i != 0 {
		t.Fatal("the tenant's burst of 2 admitted a third call")
	}
}
