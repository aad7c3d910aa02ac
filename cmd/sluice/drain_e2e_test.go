package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// drainConfig is one pool of two workers whose batches take half a
// second, so that calls are in flight whenever serve is told to stop:
// 100 calls per second need about 90 in progress.
const drainConfig = `models: [{name: sum, tier: t, slo: 2s, timeout: 10s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 500ms, per_item: 1ms}, max_batch: 64, cold_start: 100ms, replicas: {min: 2, max: 2}}
shutdown: {drain_timeout: 5s}
`

// TestSIGTERMUnderLoad sends SIGTERM to a real `sluice serve` in the
// middle of an open-loop load of 100 calls per second, which goes on for
// 200 ms more: every call sent gets an answer — 200, or 503 for those
// that arrive once the drain began — none is reset or lost, and serve
// exits cleanly, with its workers, once the calls in progress are done.
func TestSIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, drainConfig)
	workers := childPIDs(t, s.cmd.Process.Pid)
	stop := openLoop(s.http, 100)
	// Steady state: a batch in flight on each of the two workers.
	apptest.WaitUntil(t, "a batch in flight on each worker", func() bool {
		return apptest.Samples(t, apptest.Scrape(t, s.admin))[`sluice_pool_in_flight_batches{pool="cpu"}`] == 2
	})
	s.signal(t, syscall.SIGTERM)
	// The calls in flight keep serve draining for at least one batch, 500
	// ms: calls sent in the next 200 ms find it draining, not gone.
	time.Sleep(200 * time.Millisecond)
	ty := stop()
	if err := s.wait(t); err != nil {
		t.Errorf("serve exited with %v, want 0", err)
	}
	waitGone(t, workers)
	t.Logf("SIGTERM under load: %s", ty)
	if n, samples := ty.lost(); n > 0 {
		t.Errorf("%d calls got no answer of serve's: %v", n, samples)
	}
	if ty.count(outcomeOK) == 0 || ty.count(outcomeDraining) == 0 {
		t.Errorf("want calls answered 200 before the drain and 503 during it, got %s", ty)
	}
	if n := ty.count(outcomeRefused); n > 0 {
		t.Errorf("%d calls found the port closed while serve drained", n)
	}
	if log := s.logs.String(); !strings.Contains(log, "every call in progress was answered") {
		t.Errorf("serve's log does not say the drain answered every call:\n%s", log)
	}
}
