package configs

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// authBad lists the auth section's bad files and their problems, in order.
var authBad = []badCase{
	{"auth-mode", []string{`auth-mode.bad.yaml:2: auth.mode: "oauth" is not a supported mode (want "none" or "keys")`}},
	{"auth-no-keys", []string{`auth-no-keys.bad.yaml:1: auth.keys: at least one key is required with mode "keys"`}},
	{"auth-hash", []string{"auth-hash.bad.yaml:4: auth.keys[0].sha256: is not a SHA-256 in hex: want 64 hex digits, got 7 characters"}},
	{"auth-sources", []string{"auth-sources.bad.yaml:4: auth.keys[0]: exactly one of sha256, sha256_file and sha256_env is required, got 2 (sha256, sha256_env)"}},
	{"auth-key", []string{
		"auth-key.bad.yaml:4: auth.keys[0].tenant: must name the key's tenant",
		`auth-key.bad.yaml:5: auth.keys[0].priority: "urgent" is not a priority class`,
		"auth-key.bad.yaml:6: auth.keys[0].rate: 0 must be > 0 and finite",
		`auth-key.bad.yaml:7: auth.keys[0].models[1]: "[a-" is not a model name or glob`,
		"auth-key.bad.yaml:11: auth.keys[1].burst: -1 must be >= 1",
		"auth-key.bad.yaml:12: auth.keys[1].models: at least one model or glob is required",
	}},
	{"auth-tenant", []string{`auth-tenant.bad.yaml:5: auth.keys[1]: tenant "acme" has rate 50 and burst 50 here but rate 5 and burst 5 in auth.keys[0]`}},
	{"auth-duplicate", []string{"auth-duplicate.bad.yaml:5: auth.keys[1].sha256: \"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\" duplicates auth.keys[0].sha256"}},
}

func TestAuthBad(t *testing.T) { loadBad(t, authBad) }

// TestAuthDefaults loads a file with every kind of key and checks the
// defaults filled in.
func TestAuthDefaults(t *testing.T) {
	cfg, err := Load("testdata/auth.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Auth{Mode: AuthKeys, Keys: []APIKey{
		{SHA256: hexOf(hashOf("a")), Tenant: "acme", Priority: "high", Rate: 50, Burst: 10, Models: []string{"*"}, Trusted: true},
		{SHA256File: "acme-next.sha256", Tenant: "acme", Priority: "normal", Rate: 50, Burst: 10, Models: []string{"*"}},
		{SHA256Env: "SLUICE_TEST_KEY_SHA256", Tenant: "batch", Priority: "normal", Rate: 2.5, Burst: 3, Models: []string{"sum", "llm-*"}},
	}}
	if diff := cmp.Diff(want, cfg.Auth); diff != "" {
		t.Errorf("auth (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&RateLimit{Rate: 100, Burst: 100}, cfg.Models[0].RateLimit); diff != "" {
		t.Errorf("models[0].rate_limit (-want +got):\n%s", diff)
	}
	if cfg.Models[0].Fallback != "llm-small" {
		t.Errorf("models[0].fallback = %q, want llm-small", cfg.Models[0].Fallback)
	}
}

// TestHashErrorHidesValue checks that a plain key pasted as a hash is not
// repeated by validation.
func TestHashErrorHidesValue(t *testing.T) {
	_, err := Load("testdata/auth-hash.bad.yaml")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Load error = %v, want one that does not quote the value", err)
	}
}
