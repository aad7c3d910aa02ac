package configs

import (
	"crypto/sha256"
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

// TestTenantsExample pins configs/examples/tenants.yaml as README.md
// shows it: the demo keys of team-a and team-b, team-a's budget small
// enough to spend in a minute, team-b's not, and a state file with Redis
// a line away.
func TestTenantsExample(t *testing.T) {
	got, err := Load("examples/tenants.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	hashes, err := got.KeyHashes(Secrets{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][sha256.Size]byte{hashOf("sluice-demo-a"), hashOf("sluice-demo-b")}, hashes); diff != "" {
		t.Errorf("key hashes are not those of sluice-demo-a and sluice-demo-b (-want +got):\n%s", diff)
	}
	want := []Tenant{
		{Name: "team-a", Budget: TenantBudget{PerHour: 0.00002, PerDay: 0.0002, PerMonth: 0.004}, SoftRatio: 0.5, FallbackRatio: 0.75, Weight: 1},
		{Name: "team-b", Budget: TenantBudget{PerHour: 1}, SoftRatio: DefaultSoftRatio, FallbackRatio: DefaultFallbackRatio, Weight: 1},
	}
	if diff := cmp.Diff(want, got.Tenants); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
	if got.Models[0].Fallback != "echo" || got.State.Redis != nil || got.State.File != DefaultStateFile {
		t.Errorf("sum's fallback %q, state %+v; want echo, the state file and no redis", got.Models[0].Fallback, got.State)
	}
}
