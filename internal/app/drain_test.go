package app

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// fakeDrainer is a gateway whose Shutdown returns when the test says,
// or when its context ends.
type fakeDrainer struct {
	started chan time.Duration // the drain's timeout, when Shutdown starts
	finish  chan struct{}
}

func (d *fakeDrainer) InFlight() int { return 1 }

func (d *fakeDrainer) Shutdown(ctx context.Context) (int, error) {
	deadline, _ := ctx.Deadline()
	d.started <- time.Until(deadline).Round(time.Minute)
	select {
	case <-d.finish:
		return 0, nil
	case <-ctx.Done():
		return 1, ctx.Err()
	}
}

// TestDrainFirst checks that the context serve's listeners run on ends
// only after the gateway has drained, with the timeout in force then.
func TestDrainFirst(t *testing.T) {
	d := &fakeDrainer{started: make(chan time.Duration, 1), finish: make(chan struct{})}
	parent, cancel := context.WithCancel(context.Background())
	ctx, stop := drainFirst(parent, d, func() time.Duration { return time.Hour }, slog.New(slog.DiscardHandler))
	defer stop()
	cancel() // SIGTERM
	if timeout := <-d.started; timeout != time.Hour {
		t.Errorf("drain timeout = %v, want 1h", timeout)
	}
	if ctx.Err() != nil {
		t.Fatal("the listeners' context ended before the drain did")
	}
	close(d.finish)
	<-ctx.Done()
}

// TestDrainFirstStop checks that serve returning without a signal ends
// the context without draining.
func TestDrainFirstStop(t *testing.T) {
	d := &fakeDrainer{started: make(chan time.Duration, 1), finish: make(chan struct{})}
	parent, cancel := context.WithCancel(context.Background())
	ctx, stop := drainFirst(parent, d, func() time.Duration { return time.Hour }, slog.New(slog.DiscardHandler))
	stop()
	cancel()
	<-ctx.Done()
	select {
	case <-d.started:
		t.Error("the gateway drained after stop")
	default:
	}
}
