package gateway_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/gateway"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// savedOverrides is a budget.OverrideStore in memory.
type savedOverrides struct{ saved map[string]*budget.Amounts }

func (s *savedOverrides) SaveOverride(_ context.Context, tenant string, b *budget.Amounts) error {
	if s.saved == nil {
		s.saved = map[string]*budget.Amounts{}
	}
	s.saved[tenant] = b
	return nil
}

// budgetFleet is an authFleet whose tenant mid has a budget of 1 USD an
// hour, on a clock the test sets (the gateway's; the router keeps the
// real one, and the test clock is ahead of it, so no deadline passes).
type budgetFleet struct {
	authFleet
	book  *budget.Book
	clock *fakeClock
}

// budgetStart is the test clock's start: half a minute before the hour
// ends.
var budgetStart = time.Date(2030, 1, 31, 14, 59, 30, 0, time.UTC)

func startBudgetFleet(t *testing.T) budgetFleet {
	t.Helper()
	f := budgetFleet{book: budget.NewBook(&savedOverrides{}), clock: &fakeClock{now: budgetStart}}
	f.book.SetLimits(map[string]budget.Limits{
		"mid": {Budget: budget.Amounts{1, 0, 0}, SoftRatio: 0.8, FallbackRatio: 0.9},
		"hi":  {SoftRatio: 0.8, FallbackRatio: 0.9}, // listed, but without a budget
	}, nil)
	f.authFleet = startAuthFleet(t, nil, func(c *fleetConfig) {
		c.price = 3600
		c.gateway.Budgets, c.gateway.Now = f.book, f.clock.Now
	})
	return f
}

// spendTo spends what tenant mid needs to have spent usd this hour.
func (f budgetFleet) spendTo(t *testing.T, usd float64) {
	t.Helper()
	v, _ := f.book.Check("mid", "", f.clock.Now())
	f.book.Spend("mid", "", usd-v.Spent, f.clock.Now())
}

// TestBudgetSteps spends tenant mid's hourly budget step by step: its
// calls are served as usual, then cheaply (soft), then by the model's
// fallback, then refused with 429 until the hour ends — while tenant hi,
// without a budget, is untouched. Every answer carries its cost, which
// its tenant's spend grows by.
func TestBudgetSteps(t *testing.T) {
	f := startBudgetFleet(t)
	ctx := context.Background()
	steps := []struct {
		spent    float64
		state    string
		fallback bool
	}{
		{0.5, "ok", false},
		{0.85, "soft", false},
		{0.95, "fallback", true},
	}
	for _, s := range steps {
		f.spendTo(t, s.spent)
		r := f.post(ctx, "sum", []byte(sumJSON), "x-api-key", keyNormal)
		if r.status != http.StatusOK || r.header.Get(gateway.HeaderBudgetState) != s.state {
			t.Fatalf("spent %v: status %d, %s %q, want 200 %q: %s", s.spent, r.status, gateway.HeaderBudgetState, r.header.Get(gateway.HeaderBudgetState), s.state, r.body)
		}
		if got := r.header.Get(gateway.HeaderFallbackReason) == gateway.FallbackBudget; got != s.fallback {
			t.Errorf("spent %v: %s %q", s.spent, gateway.HeaderFallbackReason, r.header.Get(gateway.HeaderFallbackReason))
		}
		before, _ := f.book.Check("mid", "", f.clock.Now())
		cost := costOf(t, r.header)
		if cost <= 0 || before.Spent-s.spent < cost*0.999 || before.Spent-s.spent > cost*1.001 {
			t.Errorf("spent %v: the answer cost %v but the tenant's spend grew by %v", s.spent, cost, before.Spent-s.spent)
		}
	}
	f.spendTo(t, 1)
	r := f.post(ctx, "sum", []byte(sumJSON), "x-api-key", keyNormal)
	if r.status != http.StatusTooManyRequests || r.header.Get(gateway.HeaderBudget) != "exhausted" || r.header.Get("Retry-After") != "30" {
		t.Errorf("spent: status %d, %s %q, Retry-After %q; want 429, exhausted, 30: %s",
			r.status, gateway.HeaderBudget, r.header.Get(gateway.HeaderBudget), r.header.Get("Retry-After"), r.body)
	}
	for _, want := range []string{`tenant \"mid\"`, "per_hour", "2030-01-31T15:00:00Z"} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("the refusal %s does not say %s", r.body, want)
		}
	}
	checkBudgetGRPC(t, f.fleet, 30*time.Second)
	if r := f.post(ctx, "sum", []byte(sumJSON), "x-api-key", keyHigh); r.status != http.StatusOK || r.header.Get(gateway.HeaderBudgetState) != "" || costOf(t, r.header) <= 0 {
		t.Errorf("tenant hi: status %d, %s %q, cost %q", r.status, gateway.HeaderBudgetState, r.header.Get(gateway.HeaderBudgetState), r.header.Get(gateway.HeaderCost))
	}
	f.clock.set(budgetStart.Add(30 * time.Second)) // the hour ends
	if r := f.post(ctx, "sum", []byte(sumJSON), "x-api-key", keyNormal); r.status != http.StatusOK || r.header.Get(gateway.HeaderBudgetState) != "ok" {
		t.Errorf("a new hour: status %d, %s %q: %s", r.status, gateway.HeaderBudgetState, r.header.Get(gateway.HeaderBudgetState), r.body)
	}
	counts := f.tenants.Snapshot()["mid"].Budget
	if counts["ok"] != 2 || counts["soft"] != 1 || counts["fallback"] != 1 || counts["exhausted"] != 2 {
		t.Errorf("mid's calls by budget step = %v", counts)
	}
}

// checkBudgetGRPC checks that a spent budget refuses a gRPC call too:
// RESOURCE_EXHAUSTED with a RetryInfo of retry and the header
// HeaderBudget.
func checkBudgetGRPC(t *testing.T, f *fleet, retry time.Duration) {
	t.Helper()
	_, header, err := f.inferGRPC(context.Background(), "sum", "x-api-key", keyNormal)
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
	if info == nil || info.GetRetryDelay().AsDuration() != retry {
		t.Errorf("gRPC RetryInfo = %v, want %v", info, retry)
	}
	if got := header.Get(gateway.HeaderBudget); len(got) != 1 || got[0] != "exhausted" {
		t.Errorf("gRPC header %s = %v", gateway.HeaderBudget, got)
	}
}

// costOf reads HeaderCost.
func costOf(t *testing.T, h http.Header) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(h.Get(gateway.HeaderCost), 64)
	if err != nil {
		t.Errorf("%s %q: %v", gateway.HeaderCost, h.Get(gateway.HeaderCost), err)
	}
	return v
}

// TestCostTrailer checks that a gRPC answer carries its cost in the
// trailer, and its budget state in the header.
func TestCostTrailer(t *testing.T) {
	f := startBudgetFleet(t)
	var header, trailer metadata.MD
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-api-key", keyNormal)
	if _, err := f.grpc.ModelInfer(ctx, sumProto("sum"), grpc.Header(&header), grpc.Trailer(&trailer)); err != nil {
		t.Fatal(err)
	}
	cost := trailer.Get(gateway.HeaderCost)
	if len(cost) != 1 {
		t.Fatalf("trailer %s = %v", gateway.HeaderCost, cost)
	}
	if v, err := strconv.ParseFloat(cost[0], 64); err != nil || v <= 0 {
		t.Errorf("trailer %s = %q", gateway.HeaderCost, cost[0])
	}
	if got := header.Get(gateway.HeaderBudgetState); len(got) != 1 || got[0] != "ok" {
		t.Errorf("header %s = %v", gateway.HeaderBudgetState, got)
	}
}

// TestBudgetOfAKey refuses the calls of a key whose own budget is spent,
// naming the key, while its tenant has budget left.
func TestBudgetOfAKey(t *testing.T) {
	book := budget.NewBook(&savedOverrides{})
	name := gateway.KeyName("mid", sha256.Sum256([]byte(keyNormal)))
	book.SetLimits(nil, map[string]budget.Limits{name: {Budget: budget.Amounts{0, 1, 0}, SoftRatio: 0.8, FallbackRatio: 0.9}})
	keys, err := gateway.NewKeyring([]gateway.Key{{SHA256: sha256.Sum256([]byte(keyNormal)), Tenant: "mid", Models: []string{"*"}, Name: name}})
	if err != nil {
		t.Fatal(err)
	}
	f := startAuthFleet(t, nil, func(c *fleetConfig) { c.price, c.gateway.Budgets, c.gateway.Keys = 3600, book, keys })
	book.Spend("mid", name, 1, time.Now())
	r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyNormal)
	if r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), name) || !strings.Contains(string(r.body), "per_day") {
		t.Errorf("status %d: %s; want 429 naming the key %s and per_day", r.status, r.body, name)
	}
}

// TestBudgetAdmin reads tenant mid's budget through the admin API, raises
// it live, and drops the override.
func TestBudgetAdmin(t *testing.T) {
	f := startBudgetFleet(t)
	r := chi.NewRouter()
	f.gw.RegisterAdmin(r)
	admin := httptest.NewServer(r)
	t.Cleanup(admin.Close)
	f.spendTo(t, 1)
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyNormal); r.status != http.StatusTooManyRequests {
		t.Fatalf("spent: status %d", r.status)
	}
	steps := []struct {
		name, method, path, body string
		status                   int
		state                    string  // mid's state after the step
		perHour                  float64 // mid's hourly budget after it
	}{
		{"read", http.MethodGet, "/admin/tenants", "", http.StatusOK, "exhausted", 1},
		{"raise", http.MethodPost, "/admin/tenants/mid/budget", `{"per_hour": 2, "per_month": 50}`, http.StatusOK, "ok", 2},
		{"negative", http.MethodPost, "/admin/tenants/mid/budget", `{"per_hour": -2}`, http.StatusBadRequest, "ok", 2},
		{"unknown key", http.MethodPost, "/admin/tenants/mid/budget", `{"hourly": 2}`, http.StatusBadRequest, "ok", 2},
		{"unknown tenant", http.MethodPost, "/admin/tenants/nobody/budget", `{"per_hour": 2}`, http.StatusNotFound, "ok", 2},
		{"back to the configuration", http.MethodDelete, "/admin/tenants/mid/budget", "", http.StatusOK, "exhausted", 1},
	}
	for _, s := range steps {
		status, body := adminCall(t, s.method, admin.URL+s.path, s.body)
		if status != s.status {
			t.Fatalf("%s: status %d, want %d: %s", s.name, status, s.status, body)
		}
		_, body = adminCall(t, http.MethodGet, admin.URL+"/admin/tenants", "")
		var views map[string]struct {
			Budget struct {
				State  string             `json:"state"`
				Budget map[string]float64 `json:"budget"`
			} `json:"budget"`
			Downgraded int64 `json:"downgraded"`
		}
		if err := json.Unmarshal(body, &views); err != nil {
			t.Fatalf("%s: %s: %v", s.name, body, err)
		}
		if got := views["mid"].Budget; got.State != s.state || got.Budget["per_hour"] != s.perHour {
			t.Errorf("%s: mid is %q with %v, want %q with per_hour %v", s.name, got.State, got.Budget, s.state, s.perHour)
		}
	}
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyNormal); r.status != http.StatusTooManyRequests {
		t.Errorf("after the override was dropped: status %d", r.status)
	}
}
