package worker

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

func TestDeviceRunsOneBatchAtATimeInArrivalOrder(t *testing.T) {
	clock := newGatedClock()
	d := newDevice(costmodel.Curve{Base: 10 * time.Millisecond, PerItem: time.Millisecond}, clock)
	done := make(chan error, 3)
	run := func(rows int64) { done <- d.run(context.Background(), rows) }

	go run(1)
	first := clock.nextSleep(t)
	go run(2)
	waitFor(t, "one waiting batch", func() bool { return d.waiting() == 1 })
	go run(3)
	waitFor(t, "two waiting batches", func() bool { return d.waiting() == 2 })
	select {
	case d := <-clock.slept:
		t.Fatalf("a second batch (%v) reached the busy device", d)
	default:
	}

	got := []time.Duration{first}
	for range 2 {
		clock.gate <- struct{}{}
		got = append(got, clock.nextSleep(t))
	}
	clock.gate <- struct{}{}
	for range 3 {
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	want := []time.Duration{11 * time.Millisecond, 12 * time.Millisecond, 13 * time.Millisecond}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch latencies in device order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Batches: 3, Items: 6}, d.counts.stats("")); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestDeviceWaitEndsWithContext(t *testing.T) {
	clock := newGatedClock()
	d := newDevice(costmodel.Curve{Base: time.Millisecond}, clock)
	first := make(chan error, 1)
	go func() { first <- d.run(context.Background(), 1) }()
	clock.nextSleep(t)

	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan error, 1)
	go func() { waited <- d.run(ctx, 1) }()
	waitFor(t, "a waiting batch", func() bool { return d.waiting() == 1 })
	cancel()
	if err := <-waited; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait error = %v, want %v", err, context.Canceled)
	}
	if n := d.waiting(); n != 0 {
		t.Errorf("waiting after cancel = %d, want 0", n)
	}
	clock.gate <- struct{}{}
	if err := <-first; err != nil {
		t.Errorf("run: %v", err)
	}

	// The device is free again: a new batch gets it at once.
	go func() { first <- d.run(context.Background(), 2) }()
	clock.nextSleep(t)
	clock.gate <- struct{}{}
	if err := <-first; err != nil {
		t.Errorf("run: %v", err)
	}
	if diff := cmp.Diff(Stats{Batches: 2, Items: 3}, d.counts.stats("")); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestDeviceLeaveAfterHandoverPassesItOn(t *testing.T) {
	d := newDevice(costmodel.Curve{}, newFakeClock())
	if err := d.acquire(context.Background()); err != nil {
		t.Fatalf("acquire: %v", err)
	}
	late, next := make(chan struct{}), make(chan struct{})
	d.queue = append(d.queue, late, next)
	d.release() // hands the device to late, whose context ended meanwhile
	d.leave(late)
	select {
	case <-next:
	default:
		t.Fatal("the device was not passed on to the next waiting batch")
	}
	if n := d.waiting(); n != 0 {
		t.Errorf("waiting = %d, want 0", n)
	}
}
