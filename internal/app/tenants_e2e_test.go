package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	statuspage "github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// The keys of the tenants' tests: acme has a budget and a rate limit,
// globex neither.
const (
	acmeKey   = "tenants-acme-key-2b41"
	globexKey = "tenants-globex-key-8d07"
)

// tenantsYAML is a fleet of one pool priced high enough that a call costs
// a visible amount, serving sum and its fallback echo; acme is limited to
// 50 calls a second (burst 10) and has a budget, globex has neither. state
// is the configuration's state section.
func tenantsYAML(state string) string {
	return fmt.Sprintf(`listen: {http: 127.0.0.1:0, grpc: 127.0.0.1:0, admin: 127.0.0.1:0}
auth:
  mode: keys
  keys:
    - {sha256: %s, tenant: acme, rate: 50, burst: 10, models: ["*"]}
    - {sha256: %s, tenant: globex, rate: 1000, models: ["*"]}
models:
  - {name: sum, tier: t, fallback: echo}
  - {name: echo, tier: t}
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, price_per_hour: 36, curve: {base: 2ms, per_item: 1ms}, max_batch: 8, cold_start: 100ms, replicas: {min: 1, max: 1}}
tenants:
  - {name: acme, budget: {per_hour: 1000}}
state:
%s
`, hashHex(acmeKey), hashHex(globexKey), state)
}

// tenantServe is Sluice started from a configuration file in a directory
// of its own, serving until stop or the test's end.
type tenantServe struct {
	app  *App
	http string
	stop func()
}

// startTenantServe writes yaml to dir/sluice.yaml, starts it and waits
// until its pool has a ready worker.
func startTenantServe(t *testing.T, dir, yaml string) tenantServe {
	t.Helper()
	path := filepath.Join(dir, "sluice.yaml")
	writeTestFile(t, path, []byte(yaml))
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Start(context.Background(), cfg, Options{Logger: slog.New(slog.DiscardHandler), Workers: worker.InProcess{}.Start})
	if err != nil {
		t.Fatal(err)
	}
	s := tenantServe{app: a, http: "http://" + a.Addrs().HTTP}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			if err := a.Close(); err != nil {
				t.Errorf("stopping: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	apptest.WaitUntil(t, "a ready worker in pool cpu", func() bool { p := a.router.Pool("cpu"); return p != nil && p.Ready() >= 1 })
	return s
}

// tenantAnswer is an HTTP answer of the tenants' tests.
type tenantAnswer struct {
	status int
	header http.Header
	body   []byte
}

// infer posts apptest.QuickstartSum to model as the holder of key.
func (s tenantServe) infer(t *testing.T, model, key string) tenantAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.http+"/v2/models/"+model+"/infer", strings.NewReader(apptest.QuickstartSum))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return tenantAnswer{status: resp.StatusCode, header: resp.Header, body: body}
}

// admin sends method path (with body, when not empty) to the admin
// listener and decodes the answer into out.
func (s tenantServe) admin(t *testing.T, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+s.app.Addrs().Admin+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

// tenantBudget is the part of a tenant's view in GET /admin/tenants the
// tests read.
type tenantBudget struct {
	Budget *struct {
		Budget     map[string]float64 `json:"budget"`
		Spent      map[string]float64 `json:"spent"`
		Overridden bool               `json:"overridden"`
		State      string             `json:"state"`
	} `json:"budget"`
	Downgraded int64 `json:"downgraded"`
}

// acme returns acme's view.
func (s tenantServe) acme(t *testing.T) tenantBudget {
	t.Helper()
	var views map[string]tenantBudget
	s.admin(t, http.MethodGet, "/admin/tenants", "", &views)
	v := views["acme"]
	if v.Budget == nil {
		t.Fatalf("GET /admin/tenants shows no budget of acme: %+v", views)
	}
	return v
}

// setHourly sets acme's hourly budget to usd through the admin API.
func (s tenantServe) setHourly(t *testing.T, usd float64) {
	t.Helper()
	s.admin(t, http.MethodPost, "/admin/tenants/acme/budget", fmt.Sprintf(`{"per_hour": %v}`, usd), nil)
}

// awayFromHourEnd waits, when the hour ends within limit, until it has
// ended, so that a test's spend stays in one hour.
func awayFromHourEnd(limit time.Duration) {
	now := time.Now().UTC()
	if left := now.Truncate(time.Hour).Add(time.Hour).Sub(now); left < limit {
		time.Sleep(left + time.Second)
	}
}

// TestServeBudgetStepsSurviveRestart runs serve with a state file: acme's
// calls carry their cost and are served as usual, then by the cheapest
// pool (soft), then by sum's fallback, then refused with 429 over HTTP
// and RESOURCE_EXHAUSTED over gRPC until the hour ends, while globex is
// untouched; acme's spend and the operator's budget survive a restart.
func TestServeBudgetStepsSurviveRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Sluice twice; skipped in -short mode")
	}
	awayFromHourEnd(30 * time.Second)
	dir := t.TempDir()
	yaml := tenantsYAML("  file: state.json\n  flush_interval: 100ms")
	s := startTenantServe(t, dir, yaml)
	var costs float64
	for range 3 {
		r := s.infer(t, "sum", acmeKey)
		if r.status != http.StatusOK || r.header.Get(gateway.HeaderBudgetState) != "ok" {
			t.Fatalf("status %d, %s %q: %s", r.status, gateway.HeaderBudgetState, r.header.Get(gateway.HeaderBudgetState), r.body)
		}
		costs += headerCost(t, r.header)
	}
	if spent := s.acme(t).Budget.Spent["per_hour"]; !near(spent, costs) {
		t.Fatalf("acme spent %v per GET /admin/tenants, its answers cost %v", spent, costs)
	}
	steps := []struct {
		ratio    float64 // of the spend to the budget set before the call
		state    string
		fallback bool
	}{{0.85, "soft", false}, {0.95, "fallback", true}}
	for _, st := range steps {
		s.setHourly(t, s.acme(t).Budget.Spent["per_hour"]/st.ratio)
		r := s.infer(t, "sum", acmeKey)
		if r.status != http.StatusOK || r.header.Get(gateway.HeaderBudgetState) != st.state {
			t.Fatalf("at %v of the budget: status %d, %s %q, want 200 %q: %s", st.ratio, r.status, gateway.HeaderBudgetState, r.header.Get(gateway.HeaderBudgetState), st.state, r.body)
		}
		if got := r.header.Get(gateway.HeaderFallbackReason) == gateway.FallbackBudget; got != st.fallback {
			t.Errorf("at %v of the budget: %s %q", st.ratio, gateway.HeaderFallbackReason, r.header.Get(gateway.HeaderFallbackReason))
		}
	}
	spent := s.acme(t).Budget.Spent["per_hour"]
	s.setHourly(t, spent/2)
	checkRefused(t, s)
	if r := s.infer(t, "sum", globexKey); r.status != http.StatusOK || r.header.Get(gateway.HeaderBudgetState) != "" || headerCost(t, r.header) <= 0 {
		t.Errorf("globex: status %d, %s %q, cost %q", r.status, gateway.HeaderBudgetState, r.header.Get(gateway.HeaderBudgetState), r.header.Get(gateway.HeaderCost))
	}
	if v := s.acme(t); v.Downgraded != 2 || v.Budget.State != "exhausted" {
		t.Errorf("acme downgraded %d calls, state %q; want 2, exhausted", v.Downgraded, v.Budget.State)
	}
	var page struct{ Tenants []statuspage.Tenant }
	s.admin(t, http.MethodGet, "/admin/status", "", &page)
	if len(page.Tenants) != 1 || page.Tenants[0].Name != "acme" || page.Tenants[0].State != "exhausted" || page.Tenants[0].Downgraded != 2 || page.Tenants[0].Refused != 2 {
		t.Errorf("the status page's tenants = %+v, want acme exhausted, 2 calls downgraded and 2 refused", page.Tenants)
	}
	s.stop()
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		t.Fatalf("no state file after the stop: %v", err)
	}
	s = startTenantServe(t, dir, yaml)
	v := s.acme(t)
	if !v.Budget.Overridden || !near(v.Budget.Budget["per_hour"], spent/2) || v.Budget.Spent["per_hour"] < spent {
		t.Errorf("after a restart acme's budget is %v (overridden %v), spent %v; want %v overridden, spent >= %v",
			v.Budget.Budget["per_hour"], v.Budget.Overridden, v.Budget.Spent["per_hour"], spent/2, spent)
	}
	checkRefused(t, s)
}

// checkRefused checks that acme's calls are refused for its spent hourly
// budget, over HTTP and gRPC, until the hour ends.
func checkRefused(t *testing.T, s tenantServe) {
	t.Helper()
	r := s.infer(t, "sum", acmeKey)
	untilHour := time.Until(time.Now().UTC().Truncate(time.Hour).Add(time.Hour))
	after, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || r.header.Get(gateway.HeaderBudget) != "exhausted" {
		t.Fatalf("spent: status %d, %s %q: %s", r.status, gateway.HeaderBudget, r.header.Get(gateway.HeaderBudget), r.body)
	}
	if d := time.Duration(after)*time.Second - untilHour; d < -2*time.Second || d > 2*time.Second {
		t.Errorf("Retry-After %q, want the %v left of the hour", r.header.Get("Retry-After"), untilHour)
	}
	if !strings.Contains(string(r.body), "per_hour") {
		t.Errorf("the refusal %s does not name the window", r.body)
	}
	checkRefusedGRPC(t, s, untilHour)
}

// checkRefusedGRPC checks that acme's gRPC call is refused with
// RESOURCE_EXHAUSTED, a RetryInfo of about retry and HeaderBudget.
func checkRefusedGRPC(t *testing.T, s tenantServe, retry time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "x-api-key", acmeKey)
	var header metadata.MD
	_, err := dialFaultGRPC(t, s.app.Addrs().GRPC).ModelInfer(ctx, &inferencepb.ModelInferRequest{
		ModelName: "sum",
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{1, 2},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2}},
		}},
	}, grpc.Header(&header))
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "per_hour") {
		t.Fatalf("gRPC: %v, want RESOURCE_EXHAUSTED naming the window", err)
	}
	var info *errdetails.RetryInfo
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			info = ri
		}
	}
	if d := info.GetRetryDelay().AsDuration() - retry; info == nil || d < -2*time.Second || d > 2*time.Second {
		t.Errorf("gRPC RetryInfo %v, want about %v", info, retry)
	}
	if got := header.Get(gateway.HeaderBudget); len(got) != 1 || got[0] != "exhausted" {
		t.Errorf("gRPC header %s = %v", gateway.HeaderBudget, got)
	}
}

// headerCost reads gateway.HeaderCost.
func headerCost(t *testing.T, h http.Header) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(h.Get(gateway.HeaderCost), 64)
	if err != nil {
		t.Errorf("%s %q: %v", gateway.HeaderCost, h.Get(gateway.HeaderCost), err)
	}
	return v
}

// near reports whether a and b agree within 0.1 %.
func near(a, b float64) bool { return a >= b*0.999 && a <= b*1.001 }
