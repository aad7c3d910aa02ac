package budget_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/budget"
)

// overrides is a fake OverrideStore.
type overrides struct {
	saved map[string]*budget.Amounts
	err   error
}

func (o *overrides) SaveOverride(_ context.Context, tenant string, b *budget.Amounts) error {
	if o.err != nil {
		return o.err
	}
	if o.saved == nil {
		o.saved = map[string]*budget.Amounts{}
	}
	o.saved[tenant] = b
	return nil
}

// TestBookWindows spends a tenant's hourly budget on a scripted clock:
// soft past 80 %, fallback past 90 %, exhausted at 100 % with a retry at
// the end of the hour, and ok again once the hour ends. Its monthly
// budget then runs out and resets when the month rolls over.
func TestBookWindows(t *testing.T) {
	b := budget.NewBook(&overrides{})
	b.SetLimits(map[string]budget.Limits{"acme": limits(1, 0, 5)}, nil)
	now := at("2026-01-31T22:40:00Z")
	steps := []struct {
		spend float64
		state budget.State
		retry time.Duration
	}{
		{0.5, budget.OK, 0},
		{0.3, budget.Soft, 0},
		{0.1, budget.Fallback, 0},
		{0.05, budget.Fallback, 0},
		{0.05, budget.Exhausted, 20 * time.Minute},
	}
	for i, s := range steps {
		b.Spend("acme", "", s.spend, now)
		v, capped := b.Check("acme", "", now)
		if !capped || v.State != s.state || v.Window != budget.Hour || v.RetryAfter(now) != s.retry {
			t.Fatalf("step %d: Check = %v in %v, retry %v, capped %v; want %v in per_hour, retry %v",
				i, v.State, v.Window, v.RetryAfter(now), capped, s.state, s.retry)
		}
	}
	now = at("2026-01-31T23:00:00Z") // the hour ends
	if v, _ := b.Check("acme", "", now); v.State != budget.OK {
		t.Fatalf("a new hour: %v, want ok", v.State)
	}
	b.Spend("acme", "", 4, now)
	now = at("2026-01-31T23:59:59Z")
	v, _ := b.Check("acme", "", now)
	if v.State != budget.Exhausted || v.Window != budget.Month || v.RetryAfter(now) != time.Second {
		t.Fatalf("month: %v in %v, retry %v; want exhausted in per_month, retry 1s", v.State, v.Window, v.RetryAfter(now))
	}
	if v, _ := b.Check("acme", "", at("2026-02-01T00:00:00Z")); v.State != budget.OK {
		t.Fatalf("a new month: %v, want ok", v.State)
	}
}

func TestBookKeyBudget(t *testing.T) {
	b := budget.NewBook(&overrides{})
	b.SetLimits(map[string]budget.Limits{"acme": limits(0, 10, 0)}, map[string]budget.Limits{"acme/ci": limits(1, 0, 0)})
	now := at("2026-03-14T15:00:00Z")
	b.Spend("acme", "acme/ci", 1, now)
	if v, capped := b.Check("acme", "acme/ci", now); !capped || v.State != budget.Exhausted {
		t.Errorf("the key's budget: %v, capped %v; want exhausted", v.State, capped)
	}
	if v, _ := b.Check("acme", "acme/web", now); v.State != budget.OK {
		t.Errorf("another key of the tenant: %v, want ok", v.State)
	}
	if v, capped := b.Check("other", "", now); capped || v.State != budget.OK {
		t.Errorf("a tenant without budget: %v, capped %v", v.State, capped)
	}
}

// TestBookSettle moves spend to a shared total and back, as the state
// store does between replicas.
func TestBookSettle(t *testing.T) {
	b := budget.NewBook(&overrides{})
	b.SetLimits(map[string]budget.Limits{"acme": limits(1, 0, 0)}, nil)
	now := at("2026-03-14T15:00:00Z")
	b.Spend("acme", "", 0.25, now)
	ds := b.Pending(now)
	if len(ds) != budget.NumWindows || ds[0].USD != 0.25 || ds[0].Subject != "tenant:acme" || !ds[0].Start.Equal(now) {
		t.Fatalf("Pending = %+v", ds)
	}
	b.Spend("acme", "", 0.125, now)       // spent while the store counts
	totals := []float64{0.75, 0.75, 0.75} // another replica spent 0.5
	b.Settle(ds, totals)
	if v, _ := b.Check("acme", "", now); v.Spent != 0.875 {
		t.Errorf("spent after settling = %v, want 0.875 (0.75 counted + 0.125 pending)", v.Spent)
	}
	next := b.Pending(now)
	if next[0].USD != 0.125 {
		t.Errorf("still pending = %v, want 0.125", next[0].USD)
	}
	later := at("2026-03-14T16:00:00Z")
	if v, _ := b.Check("acme", "", later); v.Spent != 0 {
		t.Errorf("a new hour starts at 0, got %v", v.Spent)
	}
	b.Settle(next, []float64{9, 9, 9}) // a delta of the hour that ended
	if v, _ := b.Check("acme", "", later); v.Spent != 0 {
		t.Errorf("a settled delta of an ended hour counted: %v", v.Spent)
	}
}

func TestBookSetLimitsKeepsSpend(t *testing.T) {
	b := budget.NewBook(&overrides{})
	now := at("2026-03-14T15:00:00Z")
	b.SetLimits(map[string]budget.Limits{"acme": limits(1, 0, 0)}, nil)
	b.Spend("acme", "", 0.85, now)
	b.SetLimits(map[string]budget.Limits{"acme": limits(2, 0, 0)}, nil)
	if v, _ := b.Check("acme", "", now); v.Spent != 0.85 || v.State != budget.OK {
		t.Errorf("after a reload: spent %v, %v; want 0.85, ok", v.Spent, v.State)
	}
}

func TestBookOverride(t *testing.T) {
	store := &overrides{}
	b := budget.NewBook(store)
	now := at("2026-03-14T15:00:00Z")
	b.SetLimits(map[string]budget.Limits{"acme": limits(1, 0, 0)}, nil)
	b.Spend("acme", "", 1, now)
	raised := budget.Amounts{2, 0, 0}
	if err := b.Override(context.Background(), "acme", &raised); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Check("acme", "", now); v.State != budget.OK {
		t.Errorf("after raising the budget: %v, want ok", v.State)
	}
	if got := store.saved["acme"]; got == nil || *got != raised {
		t.Errorf("saved %v, want %v", got, raised)
	}
	rep := b.Tenants(now)
	want := []budget.Report{{
		Name: "acme", Budget: raised, Configured: budget.Amounts{1, 0, 0}, Overridden: true,
		Spent: budget.Amounts{1, 1, 1}, Remaining: budget.Amounts{1, 0, 0},
		Resets: budget.Times{at("2026-03-14T16:00:00Z"), at("2026-03-15T00:00:00Z"), at("2026-04-01T00:00:00Z")},
		State:  budget.OK,
	}}
	if diff := cmp.Diff(want, rep, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Verdict" }, cmp.Ignore())); diff != "" {
		t.Errorf("Tenants (-want +got):\n%s", diff)
	}
	if err := b.Override(context.Background(), "acme", nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Check("acme", "", now); v.State != budget.Exhausted {
		t.Errorf("back to the configured budget: %v, want exhausted", v.State)
	}
}

func TestBookOverrideRefused(t *testing.T) {
	failing := errors.New("disk full")
	b := budget.NewBook(&overrides{err: failing})
	b.SetLimits(map[string]budget.Limits{"acme": limits(1, 0, 0)}, nil)
	bad := budget.Amounts{-1, 0, 0}
	ok := budget.Amounts{5, 0, 0}
	for _, tt := range []struct {
		name   string
		tenant string
		amount *budget.Amounts
		want   error
	}{
		{"unknown tenant", "nobody", &ok, budget.ErrUnknownTenant},
		{"negative", "acme", &bad, budget.ErrBadAmount},
		{"store fails", "acme", &ok, failing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := b.Override(context.Background(), tt.tenant, tt.amount); !errors.Is(err, tt.want) {
				t.Errorf("Override = %v, want %v", err, tt.want)
			}
		})
	}
	now := at("2026-03-14T15:00:00Z")
	b.Spend("acme", "", 1, now)
	if v, _ := b.Check("acme", "", now); v.State != budget.Exhausted {
		t.Errorf("a refused override changed the budget: %v", v.State)
	}
}

func TestBookCheckSays(t *testing.T) {
	b := budget.NewBook(&overrides{})
	b.SetLimits(map[string]budget.Limits{"acme": limits(10, 0, 0)}, map[string]budget.Limits{"acme/ci": limits(1, 0, 0)})
	now := at("2026-03-14T15:00:00Z")
	b.Spend("acme", "acme/ci", 0.5, now)
	if v, _ := b.Check("acme", "acme/ci", now); v.Subject != "key:acme/ci" {
		t.Errorf("Subject = %q, want the key's (used more)", v.Subject)
	}
	if v, _ := b.Check("acme", "", now); v.Subject != "tenant:acme" {
		t.Errorf("Subject = %q, want the tenant's", v.Subject)
	}
	if n := testing.AllocsPerRun(100, func() { b.Check("acme", "acme/ci", now) }); n != 0 {
		t.Errorf("Check allocates %v times", n)
	}
}
