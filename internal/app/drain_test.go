package app

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sluice-gateway/sluice/configs"
)

// fakeDrainer is a gateway whose Shutdown returns when the test says,
// or when its context ends.
type fakeDrainer struct {
	drained bool
	started chan time.Duration // the drain's timeout, when Shutdown starts
	finish  chan struct{}
}

func newFakeDrainer() *fakeDrainer {
	return &fakeDrainer{started: make(chan time.Duration, 1), finish: make(chan struct{})}
}

func (d *fakeDrainer) Drain() { d.drained = true }

func (d *fakeDrainer) InFlight() int { return 1 }

func (d *fakeDrainer) Shutdown(ctx context.Context) (int, error) {
	deadline, _ := ctx.Deadline()
	d.started <- time.Until(deadline)
	select {
	case <-d.finish:
		return 0, nil
	case <-ctx.Done():
		return 1, ctx.Err()
	}
}

// TestDrainFirst checks that the context serve's listeners run on ends
// only once the gateway has drained, with the timeout in force then, and
// the drain delay has passed, whichever is later.
func TestDrainFirst(t *testing.T) {
	tests := []struct {
		name     string
		finishAt time.Duration // when the calls in progress are done
		want     time.Duration // when the listeners close
	}{
		{"calls done within the delay: the delay", time.Second, 5 * time.Second},
		{"calls done after the delay: then", 7 * time.Second, 7 * time.Second},
		{"calls never done: the timeout", time.Hour, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := newFakeDrainer()
				s := configs.Shutdown{DrainTimeout: time.Minute, DrainDelay: 5 * time.Second}
				parent, cancel := context.WithCancel(context.Background())
				ctx, stop := drainFirst(parent, d, func() configs.Shutdown { return s }, slog.New(slog.DiscardHandler))
				defer stop()
				start := time.Now()
				cancel() // SIGTERM
				if timeout := <-d.started; timeout != time.Minute || !d.drained {
					t.Errorf("drain timeout = %v, drained %v; want 1m, drained", timeout, d.drained)
				}
				time.AfterFunc(tt.finishAt, func() { close(d.finish) })
				<-ctx.Done()
				if got := time.Since(start); got != tt.want {
					t.Errorf("the listeners closed after %v, want %v", got, tt.want)
				}
			})
		})
	}
}

// TestDrainFirstStop checks that serve returning without a signal ends
// the context without draining.
func TestDrainFirstStop(t *testing.T) {
	d := newFakeDrainer()
	parent, cancel := context.WithCancel(context.Background())
	ctx, stop := drainFirst(parent, d, func() configs.Shutdown { return configs.Shutdown{DrainTimeout: time.Hour} }, slog.New(slog.DiscardHandler))
	stop()
	cancel()
	<-ctx.Done()
	select {
	case <-d.started:
		t.Error("the gateway drained after stop")
	default:
	}
}
