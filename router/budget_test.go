package router

import (
	"testing"
	"time"
)

func TestRetryBudget(t *testing.T) {
	type step struct {
		at       time.Duration // since t0
		requests int           // counted before the retry
		want     bool          // whether one retry is allowed
	}
	tests := []struct {
		name  string
		ratio float64
		steps []step
	}{
		{"off", 0, []step{{0, 100, false}}},
		{"one request is not enough for 20 %", 0.2, []step{{0, 1, false}}},
		{"five requests allow one", 0.2, []step{{0, 5, true}, {0, 0, false}}},
		{"ten requests allow two", 0.2, []step{{0, 10, true}, {time.Second, 0, true}, {2 * time.Second, 0, false}}},
		{"retries age out of the window", 0.2, []step{
			{0, 5, true}, {5 * time.Second, 4, false}, {10 * time.Second, 1, true},
		}},
		{"requests age out too", 0.2, []step{{0, 5, true}, {20 * time.Second, 0, false}}},
		{"all may retry at 1", 1, []step{{0, 2, true}, {0, 0, true}, {0, 0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newRetryBudget(tt.ratio, 10*time.Second)
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				for range s.requests {
					b.request(now)
				}
				if got := b.allow(now); got != s.want {
					t.Errorf("step %d at %v: allow = %v, want %v", i, s.at, got, s.want)
				}
			}
		})
	}
}
