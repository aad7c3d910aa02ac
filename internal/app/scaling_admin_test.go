package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/router"
)

// scalingConfig is a tier of pools cpu (min 1, started with 2, max 4) and
// gpu (min 0, started with 1, max 2), with a one-minute stabilization.
func scalingConfig(dryRun bool) *configs.Config {
	ms := time.Millisecond
	cfg := &configs.Config{
		Models: []configs.Model{{Name: "sum", Tier: "t", SLO: 500 * ms}},
		Tiers:  []configs.Tier{{Name: "t", Pools: []string{"cpu", "gpu"}}},
		Pools: []configs.Pool{
			{Name: "cpu", PricePerHour: 0.1, Curve: costmodel.Curve{Base: 20 * ms, PerItem: 5 * ms}, MaxBatch: 8,
				ColdStart: time.Second, Replicas: configs.Replicas{Min: 1, Initial: 2, Max: 4}},
			{Name: "gpu", PricePerHour: 1.2, Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32,
				ColdStart: 2 * time.Second, Replicas: configs.Replicas{Initial: 1, Max: 2}},
		},
		Scaler: configs.Scaler{Interval: 2 * time.Second, Stabilization: time.Minute, DryRun: dryRun},
	}
	cfg.ApplyDefaults()
	return cfg
}

// testScaling is an autoscaler over fakes, its admin API served on loopback.
type testScaling struct {
	*autoscaler
	clk    *apptest.Clock
	plane  *fakePlane
	driver *fakeDriver
	url    string
}

func newTestScaling(t *testing.T, dryRun bool) *testScaling {
	t.Helper()
	ts := &testScaling{
		clk: apptest.NewClock(), plane: &fakePlane{},
		driver: &fakeDriver{replicas: map[string][2]int{"cpu": {2, 0}, "gpu": {1, 0}}},
	}
	ts.plane.set([]router.PoolStats{{Name: "cpu"}, {Name: "gpu"}}, []router.TierStats{{Name: "t"}})
	var err error
	ts.autoscaler, err = newScaling(currentOf(scalingConfig(dryRun)), ts.plane, ts.driver, &fakeAdmission{}, prometheus.NewRegistry(), ts.clk.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	ts.registerAdmin(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	ts.url = srv.URL
	return ts
}

// tickAfter advances the clock by d and makes a decision.
func (ts *testScaling) tickAfter(d time.Duration) { ts.tick(context.Background(), ts.clk.Advance(d)) }

// call sends a request to the admin API and returns the status and body.
func (ts *testScaling) call(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (ts *testScaling) plan(t *testing.T) planView {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, "/admin/plan", "")
	var v planView
	if err := json.Unmarshal([]byte(body), &v); status != http.StatusOK || err != nil {
		t.Fatalf("GET /admin/plan: %d %s (%v)", status, body, err)
	}
	return v
}

func TestAdminPlan(t *testing.T) {
	ts := newTestScaling(t, false)
	if status, body := ts.call(t, http.MethodGet, "/admin/plan", ""); status != http.StatusServiceUnavailable || !strings.Contains(body, `"error":"scaler: no plan yet"`) {
		t.Errorf("before the first decision: %d %s, want 503 and an error", status, body)
	}
	ts.tickAfter(time.Second)
	ts.driver.replicas["cpu"] = [2]int{1, 1}
	v := ts.plan(t)
	wantPools := []poolPlanView{
		{Name: "cpu", Desired: 2, Ready: 1, Starting: 1, Min: 2, Max: 4, USDPerHour: 0.2},
		{Name: "gpu", Desired: 1, Ready: 1, Min: 1, Max: 2, USDPerHour: 1.2},
	}
	if diff := cmp.Diff(wantPools, v.Pools); diff != "" {
		t.Errorf("pools during startup (-want +got):\n%s", diff)
	}
	if len(v.Tiers) != 1 || v.Tiers[0].Name != "t" || v.Tiers[0].Shed != "none" || v.USDPerHour != 1.4 {
		t.Errorf("plan %+v: want tier t shedding none, 1.4 $/h", v)
	}
	ts.tickAfter(time.Minute)
	v = ts.plan(t)
	if got := []int{v.Pools[0].Desired, v.Pools[1].Desired}; !slices.Equal(got, []int{1, 0}) {
		t.Errorf("after startup, desired %v, want [1 0]", got)
	}
	wantChanges := []string{"cpu 2→1: min 1; -0.10 $/h", "gpu 1→0: no demand; -1.20 $/h"}
	var got []string
	for _, c := range v.Changes {
		got = append(got, c.Text)
	}
	if diff := cmp.Diff(wantChanges, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cpu=2", "gpu=1", "cpu=1", "gpu=0"}, ts.driver.calls()); diff != "" {
		t.Errorf("sizes the driver was given (-want +got):\n%s", diff)
	}
}

func TestAdminDecisions(t *testing.T) {
	ts := newTestScaling(t, false)
	for range 3 {
		ts.tickAfter(30 * time.Second)
	}
	decisions := func(query string) []status.DecisionView {
		code, body := ts.call(t, http.MethodGet, "/admin/decisions"+query, "")
		var out []status.DecisionView
		if err := json.Unmarshal([]byte(body), &out); code != http.StatusOK || err != nil {
			t.Fatalf("GET /admin/decisions%s: %d %s (%v)", query, code, body, err)
		}
		return out
	}
	if all := decisions(""); len(all) != 3 || !all[0].At.Equal(apptest.Epoch.Add(30*time.Second)) {
		t.Errorf("all decisions: %+v, want 3, oldest first", all)
	}
	changed := decisions("?changed=true")
	if len(changed) != 1 || len(changed[0].Changes) != 2 || !changed[0].At.Equal(apptest.Epoch.Add(time.Minute)) {
		t.Errorf("changed decisions: %+v, want the one at the end of startup", changed)
	}
}

func TestAdminPin(t *testing.T) {
	ts := newTestScaling(t, false)
	ts.tickAfter(time.Minute)
	steps := []struct {
		name, method, path, body string
		status                   int
		wantBody                 string
		wantDesired              int // cpu's desired size at the next decision
	}{
		{"pin cpu's min", http.MethodPost, "/admin/pools/cpu/pin", `{"min": 3}`, http.StatusOK,
			`{"pool":"cpu","min":3,"max":4,"pinned":{"min":3,"max":null}}`, 3},
		{"scale to min now", http.MethodPost, "/admin/pools/cpu/pin", `{"max": 1}`, http.StatusOK,
			`{"pool":"cpu","min":1,"max":1,"pinned":{"min":null,"max":1}}`, 1},
		{"min above max", http.MethodPost, "/admin/pools/cpu/pin", `{"min": 5, "max": 4}`, http.StatusBadRequest,
			`{"error":"pool \"cpu\": scaler: invalid spec`, 1},
		{"unknown key", http.MethodPost, "/admin/pools/cpu/pin", `{"mni": 2}`, http.StatusBadRequest,
			`{"error":"sluice: pin: json: unknown field \"mni\""}`, 1},
		{"unknown pool", http.MethodPost, "/admin/pools/tpu/pin", `{"min": 1}`, http.StatusNotFound,
			`{"error":"sluice: unknown pool \"tpu\""}`, 1},
		{"unpin", http.MethodDelete, "/admin/pools/cpu/pin", "", http.StatusOK,
			`{"pool":"cpu","min":1,"max":4,"pinned":{"min":null,"max":null}}`, 1},
	}
	for _, s := range steps {
		status, body := ts.call(t, s.method, s.path, s.body)
		if status != s.status || !strings.HasPrefix(body, s.wantBody) {
			t.Errorf("%s: %d %s, want %d %s", s.name, status, body, s.status, s.wantBody)
		}
		ts.tickAfter(2 * time.Second)
		if got := ts.plan(t).Pools[0].Desired; got != s.wantDesired {
			t.Errorf("%s: cpu desired %d at the next decision, want %d", s.name, got, s.wantDesired)
		}
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestScaling(t, false)
	ts.plane.set([]router.PoolStats{{Name: "cpu", Queued: batcher.ClassCounts{Normal: 6}}, {Name: "gpu"}}, []router.TierStats{{Name: "t"}})
	ts.tickAfter(time.Second)
	status, body := ts.call(t, http.MethodGet, "/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", status, body)
	}
	for _, want := range []string{
		`sluice_pool_desired_replicas{pool="cpu"} 2`,
		`sluice_pool_desired_replicas{pool="gpu"} 1`,
		`sluice_pool_queue_length_per_replica{pool="cpu"} 3`,
		`sluice_pool_queue_length_per_replica{pool="gpu"} 0`,
		`sluice_pool_cost_per_replica_usd_per_hour{pool="cpu"} 0.1`,
		`sluice_pool_cost_per_replica_usd_per_hour{pool="gpu"} 1.2`,
		`sluice_pool_ready_replicas{pool="cpu"} 2`,
		`sluice_scaler_planned_cost_usd_per_hour 1.4`,
		`sluice_tier_shed_level{tier="t"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

// TestDryRun plans without acting: the driver is never told a size,
// and KEDA is not served.
func TestDryRun(t *testing.T) {
	for _, dryRun := range []bool{false, true} {
		ts := newTestScaling(t, dryRun)
		ts.tickAfter(time.Minute)
		if acted := len(ts.driver.calls()) > 0; acted == dryRun {
			t.Errorf("dry run %v: the driver was told %v", dryRun, ts.driver.calls())
		}
		gs := grpc.NewServer()
		ts.registerGRPC(gs)
		if _, served := gs.GetServiceInfo()["externalscaler.ExternalScaler"]; served == dryRun {
			t.Errorf("dry run %v: KEDA served %v", dryRun, served)
		}
		rc := RouterConfig(scalingConfig(dryRun))
		activate(&rc, scalingConfig(dryRun))
		for _, p := range rc.Pools {
			if p.Activate == dryRun {
				t.Errorf("dry run %v: pool %s activates %v", dryRun, p.Name, p.Activate)
			}
		}
	}
}
