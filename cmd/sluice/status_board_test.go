package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// fakeReplicas counts replicas from a table; a pool in failing fails.
type fakeReplicas struct {
	mu       sync.Mutex
	replicas map[string][2]int
	failing  map[string]error
}

func (f *fakeReplicas) Replicas(_ context.Context, pool string) (ready, starting int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.replicas[pool]
	return r[0], r[1], f.failing[pool]
}

func (f *fakeReplicas) set(pool string, ready, starting int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replicas[pool] = [2]int{ready, starting}
}

// fakePlans is a planReader over a fixed plan and history.
type fakePlans struct {
	mu      sync.Mutex
	plan    scaler.Plan
	planned bool
	history []scaler.Decision
}

func (f *fakePlans) Plan() (scaler.Plan, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.plan, f.planned
}

func (f *fakePlans) History() []scaler.Decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]scaler.Decision(nil), f.history...)
}

var _ planReader = (*fakePlans)(nil)

// testBoard is a status board over fakes on a fake clock, served on
// loopback, for scalingConfig's pools cpu and gpu.
type testBoard struct {
	*statusBoard
	clk      *fakeClock
	plane    *fakePlane
	replicas *fakeReplicas
	plans    *fakePlans
	url      string
}

func newTestBoard(t *testing.T, cfg *configs.Config) *testBoard {
	t.Helper()
	tb := &testBoard{
		clk: &fakeClock{now: epoch}, plane: &fakePlane{}, plans: &fakePlans{},
		replicas: &fakeReplicas{replicas: map[string][2]int{}, failing: map[string]error{}},
	}
	var stats []router.PoolStats
	for _, p := range cfg.Pools {
		stats = append(stats, router.PoolStats{Name: p.Name})
		tb.replicas.set(p.Name, 1, 0)
	}
	tb.plane.set(stats, nil)
	tb.statusBoard = newStatusBoard(cfg, statusDeps{Plane: tb.plane, Driver: tb.replicas, Scaler: tb.plans, Now: tb.clk.Now})
	r := chi.NewRouter()
	tb.register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	tb.url = srv.URL
	return tb
}

// get fetches path and returns the status, content type and body.
func (tb *testBoard) get(t *testing.T, path string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(tb.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func (tb *testBoard) status(t *testing.T) statusView {
	t.Helper()
	code, _, body := tb.get(t, "/admin/status")
	var v statusView
	if err := json.Unmarshal([]byte(body), &v); code != http.StatusOK || err != nil {
		t.Fatalf("GET /admin/status: %d %s (%v)", code, body, err)
	}
	return v
}

// TestStatusBoardSamples samples on a fake clock: each sample shows in
// the trends, stamped with the clock's time.
func TestStatusBoardSamples(t *testing.T) {
	tb := newTestBoard(t, scalingConfig(false))
	for i := range 4 {
		tb.replicas.set("cpu", 1+i, 0)
		tb.sample(context.Background())
		tb.clk.Advance(statusStep)
	}
	v := tb.status(t)
	want := trendView{
		At:         []time.Time{epoch, epoch.Add(statusStep), epoch.Add(2 * statusStep), epoch.Add(3 * statusStep)},
		Rate:       []float64{0, 0, 0, 0},
		Replicas:   []float64{1, 2, 3, 4},
		USDPerHour: []float64{0.1, 0.2, 0.30000000000000004, 0.4},
	}
	if diff := cmp.Diff(want, v.Pools[0].Trend, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("cpu trend (-want +got):\n%s", diff)
	}
	tb.clk.Advance(statusWindow)
	if v := tb.status(t); len(v.Pools[0].Trend.At) != 0 {
		t.Errorf("a window later the trend still has %d samples, want none", len(v.Pools[0].Trend.At))
	}
}

// TestStatusBoardRun checks that the run loop samples at once and at
// every tick, and ends when the ticks do or its context ends.
func TestStatusBoardRun(t *testing.T) {
	t.Run("ticks closed", func(t *testing.T) {
		tb := newTestBoard(t, scalingConfig(false))
		ticks := make(chan time.Time, 3)
		for range 3 {
			ticks <- epoch
		}
		close(ticks)
		tb.run(context.Background(), ticks)
		if got := len(tb.samples.recent()); got != 4 {
			t.Errorf("%d samples, want 4: one at start and one per tick", got)
		}
	})
	t.Run("context ended", func(t *testing.T) {
		tb := newTestBoard(t, scalingConfig(false))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		tb.run(ctx, make(chan time.Time)) // returns at once
		if got := len(tb.samples.recent()); got != 1 {
			t.Errorf("%d samples, want 1: the one at start", got)
		}
	})
}

func TestStatusBoardView(t *testing.T) {
	tb := newTestBoard(t, scalingConfig(true))
	tb.replicas.failing["gpu"] = errors.New("driver away")
	tb.plans.plan = scaler.Plan{Replicas: map[string]int{"cpu": 2, "gpu": 1}, CostPerHour: 1.4}
	tb.plans.planned = true
	tb.plans.history = []scaler.Decision{
		{At: epoch.Add(time.Second)},
		{At: epoch.Add(2 * time.Second), Plan: scaler.Plan{Changes: []scaler.Change{{Pool: "cpu", From: 1, To: 2, Reason: "queue"}}}},
	}
	tb.statusBoard.deps.Bounds = func() []scaler.PoolConfig {
		return []scaler.PoolConfig{{Pool: scalingConfig(true).Pools[0].CostModel(), Min: 2, Max: 3}}
	}
	v := tb.status(t)
	type pool struct {
		Name                     string
		Desired, Ready, Min, Max int
		Error                    string
	}
	var got []pool
	for _, p := range v.Pools {
		got = append(got, pool{p.Name, p.Desired, p.Ready, p.Min, p.Max, p.Error})
	}
	want := []pool{
		{Name: "cpu", Desired: 2, Ready: 1, Min: 2, Max: 3}, // pinned bounds
		{Name: "gpu", Desired: 1, Max: 2, Error: `pool "gpu": replicas: driver away`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
	if !v.DryRun || !v.Planned || v.Fleet.PlannedUSDPerHour != 1.4 {
		t.Errorf("dry run %v, planned %v, planned price %v: want true, true, 1.4", v.DryRun, v.Planned, v.Fleet.PlannedUSDPerHour)
	}
	if len(v.Decisions) != 1 || v.Decisions[0].Changes[0].Pool != "cpu" {
		t.Errorf("decisions %+v: want the one that changed cpu", v.Decisions)
	}
}

func TestStatusBoardSetConfig(t *testing.T) {
	cfg := scalingConfig(false)
	tb := newTestBoard(t, cfg)
	next := scalingConfig(false)
	next.Pools = next.Pools[:1]
	next.Tiers[0].Pools = []string{"cpu"}
	next.Budget.PerHour = 3
	tb.setConfig(next)
	v := tb.status(t)
	if len(v.Pools) != 1 || v.Pools[0].Name != "cpu" || v.Budget.PerHour != 3 {
		t.Errorf("after setConfig: pools %d, budget %v: want cpu alone and 3 $/h", len(v.Pools), v.Budget.PerHour)
	}
}

func TestStatusBoardEndpoints(t *testing.T) {
	tb := newTestBoard(t, scalingConfig(false))
	tests := []struct {
		path, contentType string
		contains          []string
	}{
		{path: "/", contentType: "text/html; charset=utf-8",
			contains: []string{`<meta http-equiv="refresh" content="5">`, `id="pool-cpu"`, `id="pool-gpu"`, "no plan yet"}},
		{path: "/admin/status", contentType: "application/json",
			contains: []string{`"name":"cpu"`, `"name":"gpu"`, `"planned":false`}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			code, ct, body := tb.get(t, tt.path)
			if code != http.StatusOK || ct != tt.contentType {
				t.Fatalf("GET %s: %d %q, want 200 %q", tt.path, code, ct, tt.contentType)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("GET %s lacks %s", tt.path, s)
				}
			}
		})
	}
	if code, _, _ := tb.get(t, "/nothing"); code != http.StatusNotFound {
		t.Errorf("GET /nothing: %d, want 404 (the page is served on / only)", code)
	}
}
