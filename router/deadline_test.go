package router

import (
	"context"
	"testing"
	"time"
)

// TestDeadlineOf checks that a request's deadline is the earliest of the
// caller's, the context's and its arrival plus the model's timeout, and
// that a model without a timeout adds none.
func TestDeadlineOf(t *testing.T) {
	tests := []struct {
		name    string
		caller  time.Duration // Request.Deadline after t0; 0: none
		ctx     time.Duration // the context's deadline after t0; 0: none
		timeout time.Duration // Model.Timeout
		want    time.Duration // after t0; 0: no deadline
	}{
		{"none at all", 0, 0, 0, 0},
		{"a model without a timeout adds none", 2 * time.Second, 0, 0, 2 * time.Second},
		{"a negative timeout is none", 0, 0, -time.Second, 0},
		{"the model's alone", 0, 0, time.Second, time.Second},
		{"the context's alone", 0, 300 * ms, 0, 300 * ms},
		{"the caller's before the model's", 200 * ms, 0, time.Second, 200 * ms},
		{"the model's before the caller's", 3 * time.Second, 0, time.Second, time.Second},
		{"the context's first of three", 500 * ms, 100 * ms, time.Second, 100 * ms},
		{"the context's last of three", 500 * ms, 2 * time.Second, time.Second, 500 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, t0.Add(tt.ctx))
				defer cancel()
			}
			req := &Request{Enqueued: t0, Deadline: after(tt.caller)}
			if got, want := deadlineOf(ctx, req, Model{Timeout: tt.timeout}), after(tt.want); !got.Equal(want) {
				t.Errorf("deadlineOf = %v, want %v", got, want)
			}
		})
	}
}

// TestDue checks that the SLO bounds a request's due time, never beyond
// its deadline.
func TestDue(t *testing.T) {
	tests := []struct {
		name     string
		slo      time.Duration
		deadline time.Duration // after t0; 0: none
		want     time.Duration // after t0; 0: none
	}{
		{"neither", 0, 0, 0},
		{"the SLO alone", 200 * ms, 0, 200 * ms},
		{"the deadline alone", 0, time.Second, time.Second},
		{"a negative SLO is none", -ms, time.Second, time.Second},
		{"the SLO ends first", 200 * ms, time.Second, 200 * ms},
		{"the deadline comes first", 200 * ms, 50 * ms, 50 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := Due(t0, tt.slo, after(tt.deadline)), after(tt.want); !got.Equal(want) {
				t.Errorf("Due(t0, %v, %v) = %v, want %v", tt.slo, after(tt.deadline), got, want)
			}
		})
	}
}

// after returns t0 plus d, or the zero time for d 0.
func after(d time.Duration) time.Time {
	if d == 0 {
		return time.Time{}
	}
	return t0.Add(d)
}
