package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/internal/status"
)

// scaledServe is Sluice started through Start with its HTTP and admin
// listeners on loopback and its workers in this process, logging to
// logs.
type scaledServe struct {
	http, admin string
	logs        *apptest.Log
}

// startScaledServe starts cfg, which must leave listen out, with HTTP and
// admin on loopback, until the test ends.
func startScaledServe(t *testing.T, cfg string) scaledServe {
	t.Helper()
	s := scaledServe{logs: apptest.NewLog()}
	c, err := configs.Parse("sluice.yaml", []byte("listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}\n"+cfg))
	if err != nil {
		t.Fatal(err)
	}
	c.Shutdown.DrainDelay = testDrainDelay
	a, err := Start(context.Background(), c, Options{Logger: s.logs.Logger(slog.LevelInfo), Workers: worker.InProcess{}.Start})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("stopping: %v", err)
		}
		if t.Failed() {
			t.Logf("the log:\n%s", s.logs)
		}
	})
	s.http, s.admin = a.Addrs().HTTP, a.Addrs().Admin
	return s
}

// changes returns the text of every change in GET /admin/decisions.
func (s scaledServe) changes(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get("http://" + s.admin + "/admin/decisions?changed=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ds []status.DecisionView
	if err := json.NewDecoder(resp.Body).Decode(&ds); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		for _, c := range d.Changes {
			out = append(out, c.Text)
		}
	}
	return out
}

// TestScalesFromZero lets a pool scale to zero, then sends a request:
// it is held while the scaler starts a worker, and answered.
func TestScalesFromZero(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Sluice and its workers; skipped in -short mode")
	}
	s := startScaledServe(t, `models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [p]}]
pools:
  - {name: p, curve: {base: 2ms}, max_batch: 8, cold_start: 200ms, replicas: {min: 0, initial: 1, max: 1}}
scaler: {interval: 200ms, stabilization: 1s}
`)
	_, at := s.logs.Next(t, 0, "scaler: resize", "pool", "p", "to", 0)
	s.logs.Next(t, at, "pool workers changed", "pool", "p", "ready", 0)
	start := time.Now()
	apptest.CheckSumHTTP(t, s.http)
	t.Logf("answered from zero in %v", time.Since(start))
	changes := s.changes(t)
	if len(changes) < 2 || !strings.HasPrefix(changes[0], "p 1→0: ") || !strings.HasPrefix(changes[1], "p 0→1: ") {
		t.Errorf("changes %q: want p 1→0, then p 0→1 for the held request", changes)
	}
}

// TestBurstScalesUpAndDown sends a burst a single replica cannot
// serve: the scaler raises the pool to its max, logs why, and brings it
// back to its min once the burst has passed its stabilization window.
func TestBurstScalesUpAndDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Sluice and its workers; skipped in -short mode")
	}
	// One replica serves 20 requests a second. The scaler keeps no burst
	// headroom (burst_memory 1ns), which would keep the burst's replicas.
	s := startScaledServe(t, `models: [{name: sum, tier: t, slo: 500ms, batching: false}]
tiers: [{name: t, pools: [p]}]
pools:
  - {name: p, curve: {base: 50ms}, cold_start: 100ms, replicas: {min: 1, initial: 1, max: 3}}
scaler: {interval: 200ms, stabilization: 2s, burst_memory: 1ns}
`)
	s.logs.Next(t, 0, "pool workers changed", "pool", "p", "ready", 1)
	from := s.logs.Len()
	burst(t, s.http, 100, 2*time.Second)
	_, at := s.logs.Next(t, from, "scaler: resize", "pool", "p", "to", 3)
	s.logs.Next(t, at, "scaler: resize", "pool", "p", "to", 1)
	// The scaler logs a change before it applies it and records it in
	// its history, which the admin API reads.
	var up, down bool
	apptest.WaitUntil(t, "the history to record p brought down", func() bool {
		for _, c := range s.changes(t) {
			down = down || strings.HasPrefix(c, "p 3→")
		}
		return down
	})
	for _, c := range s.changes(t) {
		up = up || strings.HasPrefix(c, "p 1→3: ") || strings.HasPrefix(c, "p 2→3: ")
	}
	if !up {
		t.Errorf("changes %q: want p raised to 3 and brought down again", s.changes(t))
	}
	if r, _ := s.logs.Next(t, 0, "scaler: resize", "pool", "p", "from", 1); r["reason"] == nil || r["reason"] == "" {
		t.Errorf("the resize of p from 1 gives no reason: %v", r)
	}
}

// oneRowSum is a request for sum of one row.
const oneRowSum = `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}`

// burst sends rate requests a second for d, each from its own goroutine,
// and fails the test for any answer but 200.
func burst(t *testing.T, addr string, rate int, d time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
		wg.Go(func() {
			resp, err := http.Post("http://"+addr+"/v2/models/sum/infer", "application/json", strings.NewReader(oneRowSum))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("burst request: status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
}
