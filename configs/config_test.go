package configs

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadBad loads each testdata/*.bad.yaml and checks its problems, in
// order: one problem per file unless the file says otherwise.
func TestLoadBad(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"negative-price", []string{"negative-price.bad.yaml:7: pools[1].price_per_hour: -0.5 must be >= 0"}},
		{"negative-queue-length", []string{"negative-queue-length.bad.yaml:12: queue.low.max_length: -1 must be >= 0"}},
		{"xds-listen", []string{"xds-listen.bad.yaml:3: listen.xds:"}},
		{"missing-pool", []string{`missing-pool.bad.yaml:6: tiers[0].pools[1]: pool "gpu-x" is not defined`}},
		{"max-batch", []string{"max-batch.bad.yaml:6: pools[0].max_batch: -1 must be >= 1"}},
		{"duplicate-model", []string{`duplicate-model.bad.yaml:4: models[1].name: "m" duplicates models[0].name`}},
		{"unknown-key", []string{"unknown-key.bad.yaml:6: pools[0].price_per_hr: unknown field (want one of name, price_per_hour,"}},
		{"bad-duration", []string{`bad-duration.bad.yaml:4: models[0].slo: "fast" is not a duration`}},
		{"unitless-duration", []string{"unitless-duration.bad.yaml:6: pools[0].cold_start: 30 is not a duration"}},
		{"min-max", []string{"min-max.bad.yaml:7: pools[0].replicas.min: 5 must be <= max 2"}},
		{"initial-max", []string{"initial-max.bad.yaml:6: pools[0].replicas.initial: 3 must be between min 0 and max 2"}},
		{"bad-listen", []string{`bad-listen.bad.yaml:3: listen.grpc: "127.0.0.1" is not host:port: missing port`}},
		{"bad-port", []string{`bad-port.bad.yaml:2: listen.admin: "localhost:99999" is not host:port: port "99999"`}},
		{"shared-listen", []string{`shared-listen.bad.yaml:3: listen.admin: "127.0.0.1:8080" duplicates listen.http`}},
		{"syntax", []string{"syntax.bad.yaml:2: syntax error: "}},
		{"duplicate-key", []string{`duplicate-key.bad.yaml:6: syntax error: mapping key "name" already defined`}},
		{"wrong-type", []string{`wrong-type.bad.yaml:6: pools[0].max_batch: "eight" is not an integer`}},
		{"fractional-int", []string{"fractional-int.bad.yaml:6: pools[0].max_batch: 1.5 is not an integer"}},
		{"not-a-list", []string{`not-a-list.bad.yaml:4: tiers[0].pools: got "a", want a list`}},
		{"pool-name", []string{`pool-name.bad.yaml:4: pools[0].name: "GPU_Pool" is not a DNS-1123 label`}},
		{"pool-twice", []string{`pool-twice.bad.yaml:2: tiers[0].pools[2]: "a" duplicates tiers[0].pools[0]`}},
		{"empty-tier", []string{"empty-tier.bad.yaml:4: tiers[0].pools: at least one pool is required"}},
		{"missing-tier", []string{`missing-tier.bad.yaml:3: models[0].tier: tier "heavy" is not defined`}},
		{"no-curve", []string{"no-curve.bad.yaml:4: pools[0].curve: base 0s + per_item 0s must be > 0"}},
		{"negative-curve", []string{"negative-curve.bad.yaml:7: pools[0].curve.per_item: -1ms must be >= 0"}},
		{"curve-points-order", []string{
			"curve-points-order.bad.yaml:8: pools[0].curve.points[1].batch: 4 must be greater than the previous point's batch 4",
			"curve-points-order.bad.yaml:8: pools[0].curve.points[1].latency: 40ms must be >= the previous point's latency 50ms",
		}},
		{"curve-points-and-line", []string{"curve-points-and-line.bad.yaml:7: pools[0].curve.points: must not be set together with base or per_item"}},
		{"curve-point-zero", []string{
			"curve-point-zero.bad.yaml:7: pools[0].curve.points[0].batch: 0 must be >= 1",
			"curve-point-zero.bad.yaml:8: pools[0].curve.points[0].latency: 0s must be > 0",
		}},
		{"no-models", []string{"no-models.bad.yaml:2: models: at least one model is required"}},
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
		{"fallback", []string{
			`fallback.bad.yaml:2: models[0].fallback: model "small" is not defined under models`,
			`fallback.bad.yaml:3: models[1].fallback: "mid" is the model itself`,
		}},
		{"model-rate-limit", []string{
			"model-rate-limit.bad.yaml:4: models[0].rate_limit.rate: -1 must be > 0 and finite",
			"model-rate-limit.bad.yaml:7: models[1].rate_limit.burst: -2 must be >= 1",
		}},
		{"route-tier", []string{
			`route-tier.bad.yaml:6: routes[0].tier: tier "nowhere" is not defined under tiers`,
			"route-tier.bad.yaml:7: routes[1].tier: must name a tier",
		}},
		{"route-match", []string{
			"route-match.bad.yaml:5: routes[0].match: must set at least one condition",
			`route-match.bad.yaml:7: routes[1].match.model: "m[" is not a model name or glob`,
			`route-match.bad.yaml:9: routes[2].match.model: "llm-*" matches no model`,
			"route-match.bad.yaml:11: routes[3].match.min_elements: -1 must be >= 0",
			"route-match.bad.yaml:11: routes[3].match.min_bytes: -2 must be >= 0",
			`route-match.bad.yaml:11: routes[3].match.priority: "urgent" is not a priority class`,
			`route-match.bad.yaml:14: routes[4].match.header.x-tier: "x-tier" duplicates routes[4].match.header.X-Tier`,
		}},
		{"route-header", []string{"route-header.bad.yaml:6: routes[0].match.header: got a list, want a mapping"}},
		{"health", []string{
			"health.bad.yaml:6: health.timeout: 2s must be <= interval 1s",
			"health.bad.yaml:7: health.eject_after: -1 must be >= 1",
			"health.bad.yaml:8: health.eject_for: -5s must be > 0",
		}},
		{"health-slow", []string{"health-slow.bad.yaml:5: health.slow_factor: 1 must be in (1, 1e6], or 0 for off"}},
		{"retry-cache", []string{
			`retry-cache.bad.yaml:4: models[0].cache.mode: "sometimes" is not a cache mode (want "always" or "fallback")`,
			"retry-cache.bad.yaml:4: models[0].cache.ttl: -1s must be > 0",
			"retry-cache.bad.yaml:8: retry.budget_ratio: 1.5 must be between 0 and 1",
			"retry-cache.bad.yaml:9: retry.window: -1s must be > 0",
			"retry-cache.bad.yaml:11: cache.max_bytes: -1 must be >= 0",
		}},
		{"scaler-interval", []string{"scaler-interval.bad.yaml:5: scaler.interval: -2s must be > 0"}},
		{"shutdown", []string{"shutdown.bad.yaml:5: shutdown.drain_timeout: -1s must be > 0"}},
		{"budget", []string{"budget.bad.yaml:5: budget.per_hour: NaN must be >= 0"}},
		{"limits", []string{
			"limits.bad.yaml:1: models[0].timeout: 10m0s must be <= limits.max_deadline 5m0s",
			"limits.bad.yaml:5: limits.max_body_bytes: 2147483648 must be between 1 and 1073741824 (1 GiB)",
			"limits.bad.yaml:6: limits.read_header_timeout: -1s must be > 0",
			"limits.bad.yaml:7: limits.idle_timeout: -2s must be > 0",
			"limits.bad.yaml:8: limits.max_concurrent_streams: -1 must be between 1 and 4294967295",
			"limits.bad.yaml:9: limits.max_json_depth: 3 must be >= 4",
			"limits.bad.yaml:10: limits.max_tensor_elements: -5 must be >= 1",
		}},
		{"limits-deadline", []string{"limits-deadline.bad.yaml:3: models[1].timeout: 2m0s must be <= limits.max_deadline 1m0s"}},
		{"admin-exposed", []string{`admin-exposed.bad.yaml:2: listen.admin: "0.0.0.0:9090" is reachable from other machines, so the admin API needs a token`}},
		{"admin-token", []string{
			"admin-token.bad.yaml:2: admin: at most one of token_sha256, token_sha256_file and token_sha256_env may be set, got 2 (token_sha256, token_sha256_env)",
			"admin-token.bad.yaml:3: admin.token_sha256: is not a SHA-256 in hex: want 64 hex digits, got 10 characters",
		}},
		{"tls", []string{
			"tls.bad.yaml:4: tls.cert_file: is required",
			"tls.bad.yaml:4: tls.key_file: is required",
			"tls.bad.yaml:6: workers_tls: cert_file and key_file go together: set both or neither",
			`tls.bad.yaml:6: workers_tls: local workers (scaler.driver "local") serve plaintext on loopback`,
		}},
		{"scaler-knobs", []string{
			"scaler-knobs.bad.yaml:5: scaler.stabilization: -1m0s must be > 0",
			"scaler-knobs.bad.yaml:6: scaler.panic_window: -6s must be > 0",
			"scaler-knobs.bad.yaml:7: scaler.panic_threshold: 1 must be > 1 and finite",
			"scaler-knobs.bad.yaml:8: scaler.spot_share_max: 1.5 must be > 0 and <= 1",
			"scaler-knobs.bad.yaml:9: scaler.spot_backoff: -1s must be > 0",
			"scaler-knobs.bad.yaml:10: scaler.queue_drain_target: -5s must be > 0",
			`scaler-knobs.bad.yaml:11: scaler.driver: "docker" must be local or kubernetes`,
			"scaler-knobs.bad.yaml:12: scaler.hold_cold_starts: -2 must be > 0",
			"scaler-knobs.bad.yaml:14: budget.per_day: -10 must be >= 0",
		}},
		{"prewarm", []string{
			`prewarm.bad.yaml:6: scaler.prewarm[0].schedule: "0 25 * * *" is not a cron schedule: `,
			`prewarm.bad.yaml:9: scaler.prewarm[1].schedule: "@every 1h" is not allowed: @every has no fixed start times`,
			"prewarm.bad.yaml:10: scaler.prewarm[2].schedule: is required",
			"prewarm.bad.yaml:10: scaler.prewarm[2].duration: -1m0s must be > 0",
			`prewarm.bad.yaml:10: scaler.prewarm[2].pool: pool "b" is not defined under pools`,
			`prewarm.bad.yaml:11: scaler.prewarm[3].min: 4 must be between 0 and pool "a"'s replicas.max 3`,
		}},
		{"two-documents", []string{"two-documents.bad.yaml:4: only one YAML document is allowed"}},
		{"several-decode", []string{
			`several-decode.bad.yaml:5: models[0].slo: "soon" is not a duration`,
			"several-decode.bad.yaml:10: pools[0].colour: unknown field",
			`several-decode.bad.yaml:12: pools[1].max_batch: "many" is not an integer`,
		}},
		{"several", []string{
			`several.bad.yaml:4: models[0].tier: tier "nowhere" is not defined`,
			`several.bad.yaml:5: models[1].name: "m" duplicates models[0].name`,
			"several.bad.yaml:7: models[1].timeout: -1s must be > 0",
			`several.bad.yaml:10: tiers[0].pools[1]: pool "b" is not defined`,
			"several.bad.yaml:13: pools[0].price_per_hour: -1 must be >= 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", tt.file+".bad.yaml"))
			if cfg != nil {
				t.Errorf("Load returned a config with error %v", err)
			}
			var errs Errors
			if !errors.As(err, &errs) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load error = %v (%T), want Errors matching ErrInvalid", err, err)
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("Load gave %d problems, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for i, want := range tt.want {
				if got := errs[i].Error(); !strings.Contains(got, "testdata/"+want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got, "testdata/"+want)
				}
			}
		})
	}
}

// TestBadFilesAreTested keeps the table above in step with testdata.
func TestBadFilesAreTested(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.bad.yaml: %v", err)
	}
	for _, f := range files {
		cfg, err := Load(f)
		if cfg != nil || err == nil {
			t.Errorf("Load(%q) succeeded; a .bad.yaml file must fail", f)
		}
	}
}

func TestLoadGood(t *testing.T) {
	files, err := filepath.Glob("testdata/*.good.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.good.yaml: %v", err)
	}
	files = append(files, "quickstart.yaml", "bench.yaml")
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			cfg, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.File != f {
				t.Errorf("File = %q, want %q", cfg.File, f)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrInvalid) {
		t.Errorf("Load error = %v, want one matching fs.ErrNotExist and not ErrInvalid", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "configs: ") {
		t.Errorf("Load error = %q, want the prefix %q", err, "configs: ")
	}
}

func TestParseEmpty(t *testing.T) {
	for _, tt := range []struct{ name, data string }{
		{"nothing", ""},
		{"comments only", "# nothing here\n"},
		{"null document", "~\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("empty.yaml", []byte(tt.data))
			want := "empty.yaml:1: pools: at least one pool is required\n" +
				"empty.yaml:1: models: at least one model is required"
			if err == nil || err.Error() != want {
				t.Errorf("Parse error =\n%v\nwant\n%s", err, want)
			}
		})
	}
}

func TestParseRootNotAMapping(t *testing.T) {
	_, err := Parse("list.yaml", []byte("- a\n- b\n"))
	want := "list.yaml:1: got a list, want a mapping"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
}
