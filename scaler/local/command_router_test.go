//go:build unix

package local

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// These tests run command pools through the Supervisor and route to them
// with a router, joined as the composition root joins them: each pool's
// ready endpoints, as OnChange reports them, become the router pool's.

// toRouter is the OnChange that hands a pool's ready workers to rt.
func toRouter(t *testing.T, rt *router.Router) func(string, []Endpoint) {
	return func(pool string, eps []Endpoint) {
		out := make([]router.Endpoint, len(eps))
		for i, ep := range eps {
			out[i] = router.Endpoint{ID: ep.ID, HTTP: ep.HTTP, GRPC: ep.GRPC, Protocol: router.Protocol(ep.Protocol)}
		}
		if err := rt.SetEndpoints(pool, out); err != nil {
			t.Errorf("SetEndpoints(%s): %v", pool, err)
		}
	}
}

// sumRouter returns a router of one pool serving the model sum, whose
// requests it batches up to 8 rows; it retries a failed batch and ejects
// a worker it cannot reach at once. The test's cleanup closes it.
func sumRouter(t *testing.T, pool string) *router.Router {
	t.Helper()
	curve := costmodel.Curve{Base: 5 * time.Millisecond, PerItem: time.Millisecond}
	rt, err := router.New(router.Config{
		Models: []router.Model{{Name: "sum", Tier: "t", SLO: time.Second, Timeout: 5 * time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {pool}},
		Pools: []router.PoolConfig{{Name: pool,
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 8, Batching: true, Curve: curve}},
			Cost:  costmodel.Pool{Curve: curve, MaxBatch: 8}}},
		Health: router.HealthConfig{Timeout: time.Second, EjectAfter: 3, EjectFor: time.Second},
		Retry:  router.RetryConfig{Budget: 0.3, Window: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt
}

// sumOf serves one request of rows rows of two values through rt and
// checks the sums.
func sumOf(ctx context.Context, rt *router.Router, rows int) error {
	vals := make([]float32, 2*rows)
	for i := range vals {
		vals[i] = float32(i)
	}
	res, err := rt.Serve(ctx, &router.Request{Model: "sum", Req: &oip.InferenceRequest{
		Inputs: []oip.Tensor{oip.NewFP32("x", []int64{int64(rows), 2}, vals)},
	}})
	if err != nil {
		return err
	}
	got, err := res.Response.Outputs[0].Float32s()
	if err != nil {
		return err
	}
	for r := range rows {
		if want := float32(4*r + 1); len(got) != rows || got[r] != want {
			return fmt.Errorf("sums %v, want row %d to sum to %v", got, r, want)
		}
	}
	return nil
}

// python returns Debian's python3, or any on PATH; it skips the test when
// there is none.
func python(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts worker processes; not in -short mode")
	}
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "python3 not found to run the foreign OIP server: apt-get install -y python3 (make test installs it)"
	if os.Getenv("SLUICE_REQUIRE_TEST_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg + "; with the env SLUICE_REQUIRE_TEST_TOOLS=1 it fails instead")
	return ""
}

// TestForeignCommandPool runs a pool of two replicas of an OIP v2 server
// written in Python, not Sluice's emulator: the Supervisor fills its
// ports and names in, probes the ready path it was given, logs its
// output, and the router batches requests to it over HTTP.
func TestForeignCommandPool(t *testing.T) {
	py := python(t)
	script, err := filepath.Abs("../../configs/examples/oipserver.py")
	if err != nil {
		t.Fatal(err)
	}
	rt := sumRouter(t, "py")
	logs := newRecordHandler()
	s := New(Options{ProbeInterval: 50 * time.Millisecond, StopGrace: 5 * time.Second, Logger: slog.New(logs), OnChange: toRouter(t, rt)})
	defer s.Close()
	err = s.AddPool(PoolSpec{Name: "py", Replicas: 2, Command: &Command{
		Argv: []string{py, script, "--http-port", "{http_port}", "--replica", "{replica}",
			"--ready-path", "/healthz", "--cold-start", "0.3", "--base", "20", "--per-item", "1"},
		Env:       map[string]string{"POOL": "{pool}"},
		Protocol:  ProtocolHTTP,
		ReadyPath: "/healthz",
	}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "2 ready Python workers in the router", func() bool { return rt.Pool("py").Ready() == 2 })
	eps := s.Endpoints("py")
	for _, ep := range eps {
		if ep.Protocol != ProtocolHTTP || ep.GRPC != "" || !strings.HasPrefix(ep.HTTP, "127.0.0.1:") {
			t.Errorf("endpoint %+v, want HTTP only, on loopback", ep)
		}
		_, port, _ := strings.Cut(ep.HTTP, ":")
		line := fmt.Sprintf("worker output pool=py worker=%s stream=stdout line=serving %s on 127.0.0.1:%s (pool py)", ep.ID, ep.ID, port)
		if !slices.Contains(logs.records(), line) {
			t.Errorf("log lacks %q; has %q", line, logs.records())
		}
	}
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sumOf(ctx, rt, 1+i%3); err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	batches, rows := 0, 0
	for _, ep := range eps {
		st := pyStats(t, ep.HTTP)
		batches, rows = batches+st.Batches, rows+st.Rows
	}
	if rows != n*2 || batches >= n/2 {
		t.Errorf("the workers ran %d rows in %d batches, want %d rows in fewer than %d batches", rows, batches, n*2, n/2)
	}
	start := time.Now()
	s.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("stopping the Python workers took %v: they did not stop on SIGTERM", took)
	}
	for _, ep := range eps {
		line := fmt.Sprintf("worker output pool=py worker=%s stream=stdout line=stopped", ep.ID)
		if !slices.Contains(logs.records(), line) {
			t.Errorf("%s did not stop cleanly: no %q in the log", ep.ID, line)
		}
	}
}

// pyStats reads a Python worker's counts, on a connection it does not
// keep: the worker's server waits for its connections when it stops.
func pyStats(t *testing.T, addr string) (st struct{ Batches, Rows int }) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// workerCommandPool is a pool of the emulator run as a Command: `sluice
// worker` through the generic path, over gRPC.
func workerCommandPool(t *testing.T, name string, replicas int) PoolSpec {
	return PoolSpec{Name: name, Replicas: replicas, Command: &Command{
		Argv: append(workerCommand(t), "--name", "{replica}",
			"--http", "127.0.0.1:{http_port}", "--grpc", "127.0.0.1:{grpc_port}",
			"--base", "5ms", "--per-item", "1ms", "--max-batch", "8"),
		Protocol:    ProtocolGRPC,
		StopTimeout: 5 * time.Second,
	}}
}

// commandSupervisor returns a Supervisor handing its pools to rt; the
// test's cleanup closes it.
func commandSupervisor(t *testing.T, rt *router.Router) *Supervisor {
	s := New(Options{
		ProbeInterval:  50 * time.Millisecond,
		DrainDelay:     testDrainDelay,
		RestartBackoff: Backoff{Initial: 100 * time.Millisecond},
		Logger:         slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnChange:       toRouter(t, rt),
	})
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSluiceWorkerCommandPool runs `sluice worker` as a Command over gRPC.
func TestSluiceWorkerCommandPool(t *testing.T) {
	rt := sumRouter(t, "w")
	s := commandSupervisor(t, rt)
	if err := s.AddPool(workerCommandPool(t, "w", 2)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "2 ready workers in the router", func() bool { return rt.Pool("w").Ready() == 2 })
	for _, ep := range s.Endpoints("w") {
		if ep.Protocol != ProtocolGRPC || ep.GRPC == "" || ep.HTTP == "" {
			t.Errorf("endpoint %+v, want gRPC, with the HTTP port for probes", ep)
		}
	}
	for i := range 20 {
		if err := sumOf(context.Background(), rt, 1+i%4); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

// load sends rate requests per second through rt for length, calling
// every (if not nil) every period of it, and returns how many failed,
// each reported.
func load(t *testing.T, rt *router.Router, rate int, length, period time.Duration, every func()) int {
	t.Helper()
	var lost atomic.Int32
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	start, next := time.Now(), period
	for i := 0; time.Since(start) < length; i++ {
		<-tick.C
		if every != nil && time.Since(start) >= next {
			every()
			next += period
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sumOf(ctx, rt, 1); err != nil {
				lost.Add(1)
				t.Errorf("request %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return int(lost.Load())
}

// TestKilledCommandReplicasLoseNothing kills a replica of a command pool
// with SIGKILL every 2 s for 20 s under 200 requests a second: each is
// restarted, with back-off, and no request is lost.
func TestKilledCommandReplicasLoseNothing(t *testing.T) {
	rt := sumRouter(t, "w")
	s := commandSupervisor(t, rt)
	if err := s.AddPool(workerCommandPool(t, "w", 2)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "2 ready workers", func() bool { return rt.Pool("w").Ready() == 2 })
	kills := 0
	lost := load(t, rt, 200, 20*time.Second, 2*time.Second, func() {
		pids := s.pids("w")
		id := fmt.Sprintf("w-%d", 1+kills%2)
		if pid := pids[id]; pid != 0 && syscall.Kill(pid, syscall.SIGKILL) == nil {
			kills++
		}
	})
	t.Logf("%d kills, %d restarts", kills, s.Restarts("w"))
	if lost > 0 {
		t.Errorf("lost %d requests", lost)
	}
	if kills < 8 || s.Restarts("w") < kills {
		t.Errorf("%d kills, %d restarts; want at least 8 kills, each restarted", kills, s.Restarts("w"))
	}
	waitFor(t, 30*time.Second, "2 ready workers after the kills", func() bool { return rt.Pool("w").Ready() == 2 })
}

// TestCommandScaleDownLosesNothing scales a command pool from 3 replicas
// to 1 under 200 requests a second: the 2 stopped leave routing, drain,
// and stop, and no request is lost.
func TestCommandScaleDownLosesNothing(t *testing.T) {
	rt := sumRouter(t, "w")
	s := commandSupervisor(t, rt)
	if err := s.AddPool(workerCommandPool(t, "w", 3)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "3 ready workers", func() bool { return rt.Pool("w").Ready() == 3 })
	pids := s.pids("w")
	scaled := false
	lost := load(t, rt, 200, 3*time.Second, time.Second, func() {
		if !scaled {
			scaled = true
			if err := s.SetReplicas("w", 1); err != nil {
				t.Error(err)
			}
		}
	})
	if lost > 0 {
		t.Errorf("lost %d requests", lost)
	}
	if got := rt.Pool("w").Ready(); got != 1 {
		t.Errorf("%d ready workers after the scale-down, want 1", got)
	}
	for _, id := range []string{"w-2", "w-3"} {
		waitFor(t, 10*time.Second, id+" exited", func() bool { return !alive(pids[id]) })
	}
	if s.Restarts("w") != 0 {
		t.Errorf("%d restarts, want none: a scale-down is no failure", s.Restarts("w"))
	}
}
