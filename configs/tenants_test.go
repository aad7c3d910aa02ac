package configs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tenantsBad lists the tenants and state sections' bad files and their
// problems, in order.
var tenantsBad = []badCase{
	{"tenants", []string{
		"tenants.bad.yaml:8: auth.keys[0].budget.per_day: -1 must be >= 0",
		"tenants.bad.yaml:14: tenants[0].budget.per_hour: +Inf must be finite",
		"tenants.bad.yaml:14: tenants[0].budget.per_month: -2 must be >= 0",
		"tenants.bad.yaml:15: tenants[0].soft_ratio: 1.5 must be in (0, 1]",
		`tenants.bad.yaml:16: tenants[1].name: "acme" duplicates tenants[0].name`,
		"tenants.bad.yaml:17: tenants[1].fallback_ratio: 0.5 must be in [soft_ratio, 1] = [0.8, 1]",
		"tenants.bad.yaml:18: tenants[1].weight: -1 must be > 0 and finite",
		`tenants.bad.yaml:19: tenants[2].name: tenant "nobody" has no key under auth.keys`,
		"tenants.bad.yaml:20: tenants[3].name: must not be empty",
	}},
	{"state", []string{
		"state.bad.yaml:5: state.flush_interval: -1s must be > 0",
		`state.bad.yaml:7: state.redis.address: "localhost" is not a host:port address`,
		"state.bad.yaml:8: state.redis.timeout: -5ms must be > 0",
	}},
}

func TestTenantsBad(t *testing.T) { loadBad(t, tenantsBad) }

func TestTenantsDefaults(t *testing.T) {
	cfg, err := Load("testdata/tenants.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Tenant{
		{Name: "acme", Budget: TenantBudget{PerHour: 1, PerMonth: 100}, SoftRatio: DefaultSoftRatio, FallbackRatio: DefaultFallbackRatio, Weight: DefaultTenantWeight},
		{Name: "anonymous", SoftRatio: 0.5, FallbackRatio: DefaultFallbackRatio, Weight: 2},
	}
	if diff := cmp.Diff(want, cfg.Tenants); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
	if got := cfg.Auth.Keys[0].Budget; got != (TenantBudget{PerDay: 3}) {
		t.Errorf("the key's budget = %+v", got)
	}
	wantState := State{File: DefaultStateFile, FlushInterval: DefaultFlushInterval,
		Redis: &Redis{Address: "127.0.0.1:6379", PasswordEnv: "SLUICE_REDIS_PASSWORD", Timeout: DefaultRedisTimeout}}
	if diff := cmp.Diff(wantState, cfg.State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if got := cfg.TenantOf("acme"); got.Budget.PerHour != 1 {
		t.Errorf("TenantOf(acme) = %+v", got)
	}
	if got := cfg.TenantOf("batch"); got != (Tenant{Name: "batch", SoftRatio: DefaultSoftRatio, FallbackRatio: DefaultFallbackRatio, Weight: DefaultTenantWeight}) {
		t.Errorf("TenantOf(batch), a tenant not listed = %+v", got)
	}
	if got := cfg.Path(cfg.State.File); got != "testdata/sluice-state.json" {
		t.Errorf("the state file is read at %q, want beside the configuration", got)
	}
}
