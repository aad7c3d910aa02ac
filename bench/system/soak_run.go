package system

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
)

// runSoakLoad offers f's load to url for o.Warmup and then o.Duration,
// and samples the process every o.Interval after the warm-up, handing
// each sample to row as it is taken, and once more when the load has
// ended if the last interval was cut short. It returns the samples, or
// an error when ctx ended the run.
func runSoakLoad(ctx context.Context, o SoakOptions, url string, row func(SoakSample)) ([]SoakSample, error) {
	sched, err := load.Poisson(o.Rate, o.Warmup+o.Duration, o.Seed)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	body, err := sumRequest(1, 4)
	if err != nil {
		return nil, err
	}
	client := load.NewHTTPClient(0)
	defer client.CloseIdleConnections()
	target := &load.HTTPTarget{Client: client, URL: url, Body: body}
	meter := newSoakMeter()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		send := load.SenderFunc(func(ctx context.Context, _ int) error { return target.Do(ctx) })
		load.RunEach(ctx, sched, send, load.Options{Timeout: o.Timeout}, meter.record)
	}()
	samples := sampleSoak(meter, start, o.Warmup, o.Interval, done, row)
	if ctx.Err() != nil {
		return samples, fmt.Errorf("bench: soak stopped after %v: %w", time.Since(start).Round(time.Second), ctx.Err())
	}
	return samples, nil
}

// sampleSoak drops what meter saw during the warm-up, then cuts its
// window every interval until done is closed, and once more then unless
// a sample was just taken. Each sample's time counts from the end of the
// warm-up.
func sampleSoak(meter *soakMeter, start time.Time, warmup, interval time.Duration, done <-chan struct{}, row func(SoakSample)) []SoakSample {
	select {
	case <-time.After(time.Until(start.Add(warmup))):
		meter.cut(0, soakMemory{}, 0)
	case <-done:
		return nil
	}
	begin := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var samples []SoakSample
	take := func() {
		s := meter.cut(time.Since(begin), readSoakMemory(), runtime.NumGoroutine())
		samples = append(samples, s)
		row(s)
	}
	for {
		select {
		case <-tick.C:
			take()
		case <-done:
			if len(samples) == 0 || time.Since(begin)-samples[len(samples)-1].At > interval/10 {
				take()
			}
			return samples
		}
	}
}
