package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/configs"
)

// soakReadyPoll is how often a starting soak system is asked whether it
// is ready.
const soakReadyPoll = 100 * time.Millisecond

// soakSystem is `sluice serve` running in this process, its HTTP and
// admin listeners on free loopback ports and its other listeners off.
type soakSystem struct {
	// url and admin are the base URLs of the HTTP and admin listeners.
	url, admin string
	// want is the ready workers each pool starts with.
	want   map[string]int
	cancel context.CancelFunc
	done   chan error // serve's result
}

// startSoakSystem runs serve on cfg until stop; it returns at once, the
// workers starting in the background. cfg's listeners are changed.
func startSoakSystem(ctx context.Context, cfg *configs.Config, log *slog.Logger) (*soakSystem, error) {
	lns, err := listenLoopback(2)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	addrs := []string{lns[0].Addr().String(), lns[1].Addr().String()}
	for _, ln := range lns {
		ln.Close()
	}
	cfg.Listen = configs.Listen{HTTP: addrs[0], Admin: addrs[1]}
	want := map[string]int{}
	for _, p := range cfg.Pools {
		want[p.Name] = p.Replicas.Initial
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &soakSystem{url: "http://" + addrs[0], admin: "http://" + addrs[1], want: want, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- serve(ctx, cfg, log) }()
	return s, nil
}

// waitReady polls the admin API until every pool has its initial
// workers ready; it fails when serve stops, ctx ends or timeout passes
// first.
func (s *soakSystem) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(soakReadyPoll)
	defer tick.Stop()
	for {
		if s.ready(ctx) {
			return nil
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("bench: serve stopped while starting: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("bench: the workers were not ready within %v: %w", timeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// ready reports whether every pool has its initial workers ready.
func (s *soakSystem) ready(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.admin+"/admin/pools", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var pools []poolStatus
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&pools) != nil {
		return false
	}
	seen := 0
	for _, p := range pools {
		if n, ok := s.want[p.Name]; ok && p.Ready >= n {
			seen++
		}
	}
	return seen == len(s.want)
}

// stop stops serve, its workers with it, and returns serve's error.
func (s *soakSystem) stop() error {
	s.cancel()
	err := <-s.done
	s.done <- err
	return err
}

// runSoakLoad offers f's load to url for f.warmup and then f.duration,
// and samples the process every f.interval after the warm-up, handing
// each sample to row as it is taken, and once more when the load has
// ended if the last interval was cut short. It returns the samples, or
// an error when ctx ended the run.
func runSoakLoad(ctx context.Context, f soakFlags, url string, row func(soakSample)) ([]soakSample, error) {
	sched, err := load.Poisson(f.rate, f.warmup+f.duration, f.seed)
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
		load.RunEach(ctx, sched, send, load.Options{Timeout: f.timeout}, meter.record)
	}()
	samples := sampleSoak(meter, start, f.warmup, f.interval, done, row)
	if ctx.Err() != nil {
		return samples, fmt.Errorf("bench: soak stopped after %v: %w", time.Since(start).Round(time.Second), ctx.Err())
	}
	return samples, nil
}

// sampleSoak drops what meter saw during the warm-up, then cuts its
// window every interval until done is closed, and once more then unless
// a sample was just taken. Each sample's time counts from the end of the
// warm-up.
func sampleSoak(meter *soakMeter, start time.Time, warmup, interval time.Duration, done <-chan struct{}, row func(soakSample)) []soakSample {
	select {
	case <-time.After(time.Until(start.Add(warmup))):
		meter.cut(0, soakMemory{}, 0)
	case <-done:
		return nil
	}
	begin := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var samples []soakSample
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
