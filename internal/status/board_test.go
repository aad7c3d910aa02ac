package status

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

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// fakeFeed is the Deps of a board, from tables the test sets: a pool in
// failing fails its replica count.
type fakeFeed struct {
	mu       sync.Mutex
	layout   Layout
	replicas map[string][2]int
	failing  map[string]error
	rates    map[string]float64
	plan     Plan
	planned  bool
	history  []DecisionView
}

func (f *fakeFeed) deps(now func() time.Time) Deps {
	return Deps{Layout: f.getLayout, Live: f.live, Plan: f.getPlan, Decisions: f.decisions, Now: now}
}

func (f *fakeFeed) getLayout() Layout {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.layout
}

func (f *fakeFeed) live(_ context.Context, pools []string) map[string]Live {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]Live{}
	for _, name := range pools {
		l := Live{Err: f.failing[name], Rate: f.rates[name]}
		if l.Err == nil {
			r := f.replicas[name]
			l.Ready, l.Starting = r[0], r[1]
		}
		out[name] = l
	}
	return out
}

func (f *fakeFeed) getPlan() (Plan, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.plan, f.planned
}

func (f *fakeFeed) decisions() []DecisionView {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]DecisionView(nil), f.history...)
}

func (f *fakeFeed) set(pool string, ready, starting int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replicas[pool] = [2]int{ready, starting}
}

// testBoard is a board over a fake feed on a fake clock, served on
// loopback.
type testBoard struct {
	*Board
	clk  *apptest.Clock
	feed *fakeFeed
	url  string
}

// newTestBoard serves a board of layout, each of its pools with one
// ready replica.
func newTestBoard(t *testing.T, layout Layout) *testBoard {
	t.Helper()
	tb := &testBoard{clk: apptest.NewClock(), feed: &fakeFeed{
		layout: layout, replicas: map[string][2]int{}, failing: map[string]error{}, rates: map[string]float64{},
	}}
	for _, p := range layout.Fleet.Pools {
		tb.feed.set(p.Name, 1, 0)
	}
	tb.Board = NewBoard(tb.feed.deps(tb.clk.Now))
	r := chi.NewRouter()
	tb.Register(r)
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

func (tb *testBoard) status(t *testing.T) View {
	t.Helper()
	code, _, body := tb.get(t, "/admin/status")
	var v View
	if err := json.Unmarshal([]byte(body), &v); code != http.StatusOK || err != nil {
		t.Fatalf("GET /admin/status: %d %s (%v)", code, body, err)
	}
	return v
}

// TestBoardSamples samples on a fake clock: each sample shows in the
// trends, stamped with the clock's time.
func TestBoardSamples(t *testing.T) {
	tb := newTestBoard(t, twoPools(false))
	for i := range 4 {
		tb.feed.set("cpu", 1+i, 0)
		tb.sample(context.Background())
		tb.clk.Advance(Step)
	}
	v := tb.status(t)
	want := TrendView{
		At:         []time.Time{apptest.Epoch, apptest.Epoch.Add(Step), apptest.Epoch.Add(2 * Step), apptest.Epoch.Add(3 * Step)},
		Rate:       []float64{0, 0, 0, 0},
		Replicas:   []float64{1, 2, 3, 4},
		USDPerHour: []float64{0.1, 0.2, 0.30000000000000004, 0.4},
	}
	if diff := cmp.Diff(want, v.Pools[0].Trend, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("cpu trend (-want +got):\n%s", diff)
	}
	tb.clk.Advance(Window)
	if v := tb.status(t); len(v.Pools[0].Trend.At) != 0 {
		t.Errorf("a window later the trend still has %d samples, want none", len(v.Pools[0].Trend.At))
	}
}

// TestBoardRun checks that the run loop samples at once and at every
// tick, and ends when the ticks do or its context ends.
func TestBoardRun(t *testing.T) {
	t.Run("ticks closed", func(t *testing.T) {
		tb := newTestBoard(t, twoPools(false))
		ticks := make(chan time.Time, 3)
		for range 3 {
			ticks <- apptest.Epoch
		}
		close(ticks)
		tb.Run(context.Background(), ticks)
		if got := len(tb.samples.recent()); got != 4 {
			t.Errorf("%d samples, want 4: one at start and one per tick", got)
		}
	})
	t.Run("context ended", func(t *testing.T) {
		tb := newTestBoard(t, twoPools(false))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		tb.Run(ctx, make(chan time.Time)) // returns at once
		if got := len(tb.samples.recent()); got != 1 {
			t.Errorf("%d samples, want 1: the one at start", got)
		}
	})
}

func TestBoardView(t *testing.T) {
	layout := twoPools(true)
	layout.Fleet.Bounds = map[string]costmodel.Bounds{"cpu": {Min: 2, Max: 3}, "gpu": {Max: 2}} // pinned cpu
	tb := newTestBoard(t, layout)
	tb.feed.failing["gpu"] = errors.New(`pool "gpu": replicas: driver away`)
	tb.feed.plan = Plan{Replicas: map[string]int{"cpu": 2, "gpu": 1}, CostPerHour: 1.4}
	tb.feed.planned = true
	tb.feed.history = []DecisionView{
		{At: apptest.Epoch.Add(time.Second)},
		{At: apptest.Epoch.Add(2 * time.Second), Changes: []ChangeView{{Pool: "cpu", From: 1, To: 2, Reason: "queue"}}},
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
		{Name: "cpu", Desired: 2, Ready: 1, Min: 2, Max: 3},
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

// TestBoardFollowsTheLayout changes the layout the feed gives, as a
// reload does: the next view shows it.
func TestBoardFollowsTheLayout(t *testing.T) {
	tb := newTestBoard(t, twoPools(false))
	next := twoPools(false)
	next.Fleet.Pools = next.Fleet.Pools[:1]
	next.Budget.PerHour = 3
	tb.feed.mu.Lock()
	tb.feed.layout = next
	tb.feed.mu.Unlock()
	v := tb.status(t)
	if len(v.Pools) != 1 || v.Pools[0].Name != "cpu" || v.Budget.PerHour != 3 {
		t.Errorf("after the reload: pools %d, budget %v: want cpu alone and 3 $/h", len(v.Pools), v.Budget.PerHour)
	}
}

func TestBoardEndpoints(t *testing.T) {
	tb := newTestBoard(t, twoPools(false))
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
